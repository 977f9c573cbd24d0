"""Schemathesis against the real gateway's ``/openapi.json``: generated requests, valid and invalid, to every
operation; no answer may be a server error, and every answer must be one the schema declares (status code, content
type, headers, body).

The app runs in process over schemathesis' ASGI transport, with its own lifespan opening real PostgreSQL, Redis,
RabbitMQ and S3 connections, and verifies tokens against a JWKS served over HTTP. Requests carry a valid token of one
user, whose completed job (with media in S3) is named in half of the job-id paths so that the success branches are
reached too, not only 404s. The rate limit is raised for the run. ``FUZZ_EXAMPLES`` scales the run
(``MATHREEL_FUZZ_EXAMPLES``, default 60 per operation and mode: about 1,800 requests).

Why 60: the cases are derandomized (the same every run), and at 120 per operation and mode (3,606 requests) every
one of the 71 pairs of operation-and-mode and status code that the run reaches was first reached by the 36th case
of its operation; at 60 (1,806 requests) the run reaches the same 71 pairs, each by the 16th case.
"""

from __future__ import annotations

import os
import uuid
from collections import Counter
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

from mathreel_gateway.app import create_app
from mathreel_shared.settings import Settings
from tests.security.conftest import new_user, stage_completed_job
from tests.support.aio import run_async
from tests.support.jwks import JwksServer

DEFAULT_EXAMPLES = 60
FUZZ_EXAMPLES = int(os.environ.get("MATHREEL_FUZZ_EXAMPLES", str(DEFAULT_EXAMPLES)))
# Twenty-one operation-and-mode pairs of the job, media and realtime API have something to generate; each runs
# FUZZ_EXAMPLES cases. The webhook API's twelve run a quarter as many: plain CRUD on one table, each request cheap to
# refuse.
GENERATING_PAIRS = 21


def _describe(exc: BaseException) -> str:
    parts = exc.exceptions if isinstance(exc, BaseExceptionGroup) else (exc,)
    return "; ".join(
        f"{getattr(part, 'title', type(part).__name__)}: {' '.join(str(getattr(part, 'message', part)).split())}"
        for part in parts
    )


def test_generated_requests_get_no_server_error_and_match_the_schema(
    gateway_settings: Settings, jwks_server: JwksServer
) -> None:
    settings = gateway_settings.model_copy(
        update={"rate_limit_per_minute": 10_000_000, "max_active_jobs_per_user": 1_000_000}
    )
    user = new_user()
    completed_job = run_async(stage_completed_job(settings, user))
    token = jwks_server.key.mint(user, ttl_seconds=3600)

    app = create_app(settings)
    config = schemathesis.Config.from_dict(
        {
            # The token goes through schemathesis' own auth, so it knows which header carries it.
            "auth": {"openapi": {"HTTPBearer": {"bearer": token}}},
            # Unknown query parameters are ignored, like every HTTP API that meets caches and cache-busters does;
            # unknown *body* fields are still refused (422), and negative bodies are still generated.
            "generation": {"allow-extra-parameters": False},
            # A well-formed request may still be refused for what it names: a job that is not the caller's (404),
            # not finished (409), or a byte range past the end of the file (416, declared on the media routes).
            "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "3xx", 401, 403, 404, 409, 416, 429]}},
            # A generated webhook URL is well-formed for the schema yet seldom names a host that resolves: 422 says so.
            "operations": [
                {
                    "include-path": "/api/v1/webhooks",
                    "include-method": "POST",
                    "checks": {
                        "positive_data_acceptance": {"expected-statuses": ["2xx", 401, 403, 404, 409, 422, 429]}
                    },
                }
            ],
        }
    )
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=config)
    statuses: Counter[int] = Counter()
    per_operation: Counter[str] = Counter()
    failures: list[str] = []
    unsatisfiable: list[str] = []

    def exercise(label: str, strategy: Any, *, positive: bool) -> None:
        @given(case=strategy, use_real_job=st.booleans())
        @hypothesis_settings(
            max_examples=FUZZ_EXAMPLES // 4 if "/webhooks" in label else FUZZ_EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any, use_real_job: bool) -> None:
            # Only a positive case gets the real job: a negative one may be negative through its job id alone, and
            # replacing it would turn the case into a valid request.
            if positive and use_real_job and "job_id" in (case.path_parameters or {}):
                case.path_parameters["job_id"] = str(completed_job)
            if positive and "Idempotency-Key" in (case.headers or {}):
                # Generated keys repeat across generated bodies, which is a 422 by design: one key per request.
                case.headers["Idempotency-Key"] = uuid.uuid4().hex
            response = case.call()
            statuses[response.status_code] += 1
            per_operation[label] += 1
            try:
                case.validate_response(response)
            except (AssertionError, BaseExceptionGroup) as exc:  # collect every failure, not only the first
                failures.append(f"{label} [{response.status_code}]: {_describe(exc)} {response.text[:200]}")

        try:
            run()
        except Unsatisfiable:
            # Negative generation needs something to break: an operation with no parameters and no body has none.
            unsatisfiable.append(label)

    try:
        for result in schema.get_all_operations():
            operation = result.ok()
            for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
                label = f"{operation.method.upper()} {operation.path} ({mode.value})"
                exercise(
                    label,
                    operation.as_strategy(generation_mode=mode),
                    positive=mode is schemathesis.GenerationMode.POSITIVE,
                )
    finally:
        # The app's resources were opened by schemathesis' ASGI client on its own event loop; close them there.
        schemathesis.python.asgi.shutdown_lifespans()

    total = sum(statuses.values())
    print(f"\nschemathesis: {total} requests, statuses {dict(sorted(statuses.items()))}")  # noqa: T201 - the run reports its size
    for label, count in sorted(per_operation.items()):
        print(f"  {count:5d}  {label}")  # noqa: T201 - the run reports its size
    print(f"  nothing to generate: {', '.join(unsatisfiable) or 'none'}")  # noqa: T201 - the run reports its size
    assert not failures, f"{len(failures)} failing responses, e.g.:\n" + "\n".join(sorted(set(failures))[:30])
    assert not [status for status in statuses if status >= 500]
    assert total >= GENERATING_PAIRS * FUZZ_EXAMPLES
    if FUZZ_EXAMPLES >= DEFAULT_EXAMPLES:
        assert total >= 1700
