"""Object storage: S3-compatible in distributed mode, a local folder in standalone mode.

Both stores expose the same small interface; the gateway only needs ``size``, ``read_range`` and ``presigned_url``.
Local URLs are signed by the gateway (HMAC over key and expiry) and served by it.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import os
import re
import secrets
import shutil
import stat
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

import aioboto3
from botocore.config import Config
from botocore.exceptions import ClientError

from mathreel_shared.settings import Settings


class ObjectNotFound(Exception):
    """The key does not exist in the store."""


@dataclass(frozen=True)
class ObjectStat:
    """What HTTP validators need of a stored object: its size, a strong entity tag and its modification time."""

    size: int
    etag: str
    """Quoted, as in an ``ETag`` header; changes whenever the content may have changed."""
    last_modified: datetime


class ObjectStore(Protocol):
    async def start(self) -> None: ...
    async def close(self) -> None: ...
    async def put_bytes(self, key: str, data: bytes, content_type: str) -> None: ...
    async def put_file(self, key: str, path: Path, content_type: str) -> None: ...
    async def get_bytes(self, key: str) -> bytes: ...
    async def download_file(self, key: str, path: Path) -> None: ...
    async def size(self, key: str) -> int: ...
    async def stat(self, key: str) -> ObjectStat: ...
    async def exists(self, key: str) -> bool: ...
    def read_range(self, key: str, start: int, end: int) -> AsyncIterator[bytes]: ...
    async def presigned_url(self, key: str, expires_in: int, *, download_name: str | None = None) -> str: ...
    async def delete_prefix(self, prefix: str) -> int: ...
    async def copy(self, source: str, target: str) -> None: ...
    async def delete(self, key: str) -> None: ...
    async def ping(self) -> None: ...


_CHUNK = 256 * 1024


class S3Store:
    """aioboto3 client kept open for the life of the process."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._session = aioboto3.Session(
            aws_access_key_id=settings.s3_access_key_id,
            aws_secret_access_key=secret.get_secret_value() if (secret := settings.s3_secret_access_key) else None,
            region_name=settings.s3_region,
        )
        self._stack = AsyncExitStack()
        self._client: Any = None
        self._public_client: Any = None
        self.bucket = settings.s3_bucket

    async def start(self) -> None:
        config = Config(signature_version="s3v4", s3={"addressing_style": "path"}, retries={"max_attempts": 3})
        self._client = await self._stack.enter_async_context(
            self._session.client("s3", endpoint_url=self._settings.s3_endpoint_url, config=config)
        )
        public = self._settings.s3_public_endpoint_url
        if public and public != self._settings.s3_endpoint_url:
            # Presigned URLs embed the host in the signature, so they must be signed for the host browsers use.
            self._public_client = await self._stack.enter_async_context(
                self._session.client("s3", endpoint_url=public, config=config)
            )
        else:
            self._public_client = self._client

    async def close(self) -> None:
        await self._stack.aclose()

    async def ensure_bucket(self) -> None:
        try:
            await self._client.head_bucket(Bucket=self.bucket)
        except ClientError:
            await self._client.create_bucket(Bucket=self.bucket)

    async def put_bytes(self, key: str, data: bytes, content_type: str) -> None:
        await self._client.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)

    async def put_file(self, key: str, path: Path, content_type: str) -> None:
        await self._client.upload_file(str(path), self.bucket, key, ExtraArgs={"ContentType": content_type})

    async def get_bytes(self, key: str) -> bytes:
        try:
            response = await self._client.get_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            raise _not_found(exc, key) from exc
        async with response["Body"] as body:
            data: bytes = await body.read()
        return data

    async def download_file(self, key: str, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            await self._client.download_file(self.bucket, key, str(path))
        except ClientError as exc:
            raise _not_found(exc, key) from exc

    async def size(self, key: str) -> int:
        try:
            head = await self._client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            raise _not_found(exc, key) from exc
        return int(head["ContentLength"])

    async def stat(self, key: str) -> ObjectStat:
        try:
            head = await self._client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            raise _not_found(exc, key) from exc
        return ObjectStat(int(head["ContentLength"]), str(head["ETag"]), head["LastModified"].astimezone(UTC))

    async def exists(self, key: str) -> bool:
        try:
            await self.size(key)
        except ObjectNotFound:
            return False
        return True

    async def read_range(self, key: str, start: int, end: int) -> AsyncIterator[bytes]:
        """Yield bytes ``start..end`` inclusive."""
        try:
            response = await self._client.get_object(Bucket=self.bucket, Key=key, Range=f"bytes={start}-{end}")
        except ClientError as exc:
            raise _not_found(exc, key) from exc
        body = response["Body"]
        async with body:
            async for chunk in body.iter_chunks(_CHUNK):
                yield chunk

    async def presigned_url(self, key: str, expires_in: int, *, download_name: str | None = None) -> str:
        params: dict[str, str] = {"Bucket": self.bucket, "Key": key}
        if download_name:
            params["ResponseContentDisposition"] = f'attachment; filename="{download_name}"'
        url: str = await self._public_client.generate_presigned_url("get_object", Params=params, ExpiresIn=expires_in)
        return url

    async def delete_prefix(self, prefix: str) -> int:
        deleted = 0
        paginator = self._client.get_paginator("list_objects_v2")
        async for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            objects = [{"Key": item["Key"]} for item in page.get("Contents", [])]
            if objects:
                await self._client.delete_objects(Bucket=self.bucket, Delete={"Objects": objects})
                deleted += len(objects)
        return deleted

    async def copy(self, source: str, target: str) -> None:
        """Copy an object inside the bucket, on the server (no bytes pass through this process)."""
        try:
            await self._client.copy_object(
                Bucket=self.bucket, Key=target, CopySource={"Bucket": self.bucket, "Key": source}
            )
        except ClientError as exc:
            raise _not_found(exc, source) from exc

    async def delete(self, key: str) -> None:
        """Delete one object; a missing one is not an error (S3 semantics)."""
        await self._client.delete_object(Bucket=self.bucket, Key=key)

    async def ping(self) -> None:
        await self._client.head_bucket(Bucket=self.bucket)


def _not_found(exc: ClientError, key: str) -> BaseException:
    code = str(exc.response.get("Error", {}).get("Code", ""))
    if code in {"404", "NoSuchKey", "NotFound"}:
        return ObjectNotFound(key)
    return exc  # type: ignore[no-any-return]


class LocalStore:
    """A folder on disk. URLs point at the gateway's ``/api/v1/media/{token}`` route, signed and expiring."""

    def __init__(self, settings: Settings) -> None:
        self.root = settings.media_dir.resolve()
        self._secret = media_signing_secret(settings)
        self._base_url = settings.public_base_url.rstrip("/")

    async def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)

    async def close(self) -> None:
        return None

    def path_for(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root):
            raise ValueError("key escapes the media folder")
        return path

    async def put_bytes(self, key: str, data: bytes, content_type: str) -> None:
        path = self.path_for(key)
        await asyncio.to_thread(_atomic_write, path, data)

    async def put_file(self, key: str, path: Path, content_type: str) -> None:
        target = self.path_for(key)
        await asyncio.to_thread(_atomic_copy, path, target)

    async def get_bytes(self, key: str) -> bytes:
        path = self.path_for(key)
        if not path.is_file():
            raise ObjectNotFound(key)
        return await asyncio.to_thread(path.read_bytes)

    async def download_file(self, key: str, path: Path) -> None:
        source = self.path_for(key)
        if not source.is_file():
            raise ObjectNotFound(key)
        await asyncio.to_thread(_atomic_copy, source, path)

    async def size(self, key: str) -> int:
        path = self.path_for(key)
        if not path.is_file():
            raise ObjectNotFound(key)
        return path.stat().st_size

    async def stat(self, key: str) -> ObjectStat:
        path = self.path_for(key)
        try:
            info = path.stat()
        except FileNotFoundError as exc:
            raise ObjectNotFound(key) from exc
        if not stat.S_ISREG(info.st_mode):
            raise ObjectNotFound(key)
        # Objects are replaced by renaming a new file over the old one: size, time and inode change with content.
        etag = f'"{info.st_size:x}-{info.st_mtime_ns:x}-{info.st_ino:x}"'
        return ObjectStat(info.st_size, etag, datetime.fromtimestamp(info.st_mtime, UTC))

    async def exists(self, key: str) -> bool:
        return self.path_for(key).is_file()

    async def read_range(self, key: str, start: int, end: int) -> AsyncIterator[bytes]:
        path = self.path_for(key)
        if not path.is_file():
            raise ObjectNotFound(key)
        with path.open("rb") as handle:
            handle.seek(start)
            remaining = end - start + 1
            while remaining > 0:
                chunk = await asyncio.to_thread(handle.read, min(_CHUNK, remaining))
                if not chunk:
                    break
                remaining -= len(chunk)
                yield chunk

    def verify_token(self, token: str) -> tuple[str, bool]:
        """The ``(key, download)`` a link this store signed names; ``InvalidMediaToken`` for any other token."""
        return verify_media_token(self._secret, token)

    async def presigned_url(self, key: str, expires_in: int, *, download_name: str | None = None) -> str:
        token = sign_media_token(self._secret, key, int(time.time()) + expires_in, download=bool(download_name))
        return f"{self._base_url}/api/v1/media/{token}"

    async def delete_prefix(self, prefix: str) -> int:
        path = self.path_for(prefix)
        if not path.exists():
            return 0
        count = sum(1 for p in path.rglob("*") if p.is_file())
        await asyncio.to_thread(shutil.rmtree, path)
        return count

    async def copy(self, source: str, target: str) -> None:
        source_path = self.path_for(source)
        if not source_path.is_file():
            raise ObjectNotFound(source)
        await asyncio.to_thread(_atomic_copy, source_path, self.path_for(target))

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self.path_for(key).unlink, missing_ok=True)

    async def ping(self) -> None:
        if not self.root.is_dir():
            raise RuntimeError(f"media folder {self.root} is missing")


# Writers of the same key take turns. A redelivered message may run its handler twice at once, and both copies
# write the same object: with one temporary name per key, one writer's rename would move the other's half-written
# file into place. The temporary name stays fixed (not random) so a write cut short by a crash leaves a file the
# retry overwrites, never an orphan. Local storage serves one process (standalone mode), so a process lock is enough.
_WRITE_LOCKS = tuple(threading.Lock() for _ in range(64))


def _lock_for(path: Path) -> threading.Lock:
    return _WRITE_LOCKS[hash(str(path)) % len(_WRITE_LOCKS)]


def _replace_atomically(target: Path, write: Callable[[Path], object]) -> None:
    """Have ``write`` fill the key's temporary file, then rename it over ``target``, one writer of the key at a time."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    with _lock_for(target):
        write(tmp)
        tmp.replace(target)


def _atomic_write(path: Path, data: bytes) -> None:
    _replace_atomically(path, lambda tmp: tmp.write_bytes(data))


def _atomic_copy(source: Path, target: Path) -> None:
    _replace_atomically(target, lambda tmp: shutil.copyfile(source, tmp))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_media_token(secret: bytes, key: str, expires_at: int, *, download: bool = False) -> str:
    """An unforgeable, expiring token naming one media key (standalone mode's presigned URL)."""
    payload = f"{expires_at}:{int(download)}:{key}".encode()
    signature = hmac.new(secret, payload, hashlib.sha256).digest()
    return f"{_b64(payload)}.{_b64(signature)}"


class InvalidMediaToken(Exception):
    pass


def verify_media_token(secret: bytes, token: str, *, now: float | None = None) -> tuple[str, bool]:
    """Return ``(key, download)`` for a valid, unexpired token; raise ``InvalidMediaToken`` otherwise."""
    try:
        payload_b64, signature_b64 = token.split(".", 1)
        payload = _unb64(payload_b64)
        signature = _unb64(signature_b64)
    except (ValueError, TypeError) as exc:
        raise InvalidMediaToken("malformed media token") from exc
    expected = hmac.new(secret, payload, hashlib.sha256).digest()
    if not hmac.compare_digest(expected, signature):
        raise InvalidMediaToken("bad media token signature")
    # Signed, so made by a holder of the secret; still checked field by field: the secret may have been rotated to
    # one that once signed something else, and a refusal is a 403, never a 500.
    match = _TOKEN_PAYLOAD.fullmatch(payload.decode("utf-8", "replace"))
    if match is None:
        raise InvalidMediaToken("malformed media token")
    if int(match["expires"]) < (now if now is not None else time.time()):
        raise InvalidMediaToken("media token expired")
    return match["key"], match["download"] == "1"


_TOKEN_PAYLOAD = re.compile(r"(?P<expires>[0-9]{1,12}):(?P<download>[01]):(?P<key>[^\x00]+)")
_SECRET_BYTES = 32


def media_signing_secret(settings: Settings) -> bytes:
    """The secret that signs standalone media links: the configured one, else the one generated on first start.

    A generated secret is 32 random bytes kept in ``settings.media_signing_secret_path`` (mode 0600, beside the
    development signing key), so links stay valid across restarts and nobody else can sign one.
    """
    if settings.media_signing_secret is not None:
        return settings.media_signing_secret.get_secret_value().encode()
    return _load_or_create_secret(settings.media_signing_secret_path)


def _load_or_create_secret(path: Path) -> bytes:
    if path.is_file():
        secret = path.read_bytes().strip()
        if len(secret) < _SECRET_BYTES:
            raise ValueError(f"{path} holds no usable secret: delete it to have one generated")
        return secret
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(secrets.token_urlsafe(_SECRET_BYTES).encode())
    # Two processes may race to create it: linking is atomic, the loser reads the winner's secret.
    with contextlib.suppress(FileExistsError):
        path.hardlink_to(tmp)
    tmp.unlink(missing_ok=True)
    return _load_or_create_secret(path)


def create_store(settings: Settings) -> ObjectStore:
    if settings.is_standalone:
        return LocalStore(settings)
    return S3Store(settings)


def content_disposition_name(title: str) -> str:
    """A safe download file name derived from a title."""
    safe = "".join(ch if ch.isalnum() or ch in "-_ " else "_" for ch in title).strip().replace(" ", "_")
    return quote((safe or "video")[:80]) + ".mp4"
