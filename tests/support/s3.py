"""A bucket of its own for each test session on the S3 server that ``scripts/services.sh`` runs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from tests.support.endpoints import service_unavailable


@dataclass(frozen=True)
class S3TestSettings:
    """Where the session's bucket lives and how to sign requests to it."""

    endpoint_url: str
    access_key_id: str
    secret_access_key: str
    region: str
    bucket: str

    def client(self) -> Any:
        """A synchronous boto3 client for this server, path-style like ``mathreel_shared.storage.S3Store``."""
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=self.access_key_id,
            aws_secret_access_key=self.secret_access_key,
            region_name=self.region,
            config=Config(signature_version="s3v4", s3={"addressing_style": "path"}, retries={"max_attempts": 2}),
        )


def create_bucket(settings: S3TestSettings) -> None:
    """Create the session's bucket; fail the test clearly when the server is missing or refuses our credentials."""
    try:
        settings.client().create_bucket(Bucket=settings.bucket)
    except (BotoCoreError, ClientError) as exc:
        raise service_unavailable("S3 (SeaweedFS)", settings.endpoint_url, exc) from None


def delete_bucket(settings: S3TestSettings) -> None:
    """Empty the session's bucket, then delete it."""
    client = settings.client()
    paginator = client.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=settings.bucket):
        objects = [{"Key": item["Key"]} for item in page.get("Contents", [])]
        if objects:
            client.delete_objects(Bucket=settings.bucket, Delete={"Objects": objects, "Quiet": True})
    client.delete_bucket(Bucket=settings.bucket)
