"""An OpenAI-compatible Chat Completions client (OpenAI, vLLM, Ollama, llama.cpp server, LM Studio, most hosts).

Structured output: ``response_format`` ``json_schema`` where the server supports it, else JSON mode
(``json_object``). In ``auto`` mode a 400 that names the response format switches this client to JSON mode for good.
Transient failures (429, 5xx, timeouts, dropped connections) are retried with exponential backoff and full jitter,
honouring Retry-After; every attempt is charged to the job's budget, because providers bill for them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt, wait_random_exponential

from mathreel_script.llm.config import LlmSettings
from mathreel_script.llm.errors import ProviderError, StructuredOutputUnsupported
from mathreel_script.llm.provider import ChatMessage, Completion
from mathreel_script.llm.usage import JobBudget

log = logging.getLogger(__name__)

# Words in a 400 body that mean "this server does not do response_format json_schema" rather than a bad request.
_UNSUPPORTED_HINTS = ("response_format", "json_schema", "unsupported", "not supported")
_MAX_ERROR_CHARS = 300


def _is_retryable(exc: BaseException) -> bool:
    return isinstance(exc, ProviderError) and exc.retryable


def _retry_after_seconds(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


def _error_text(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:_MAX_ERROR_CHARS]
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        return str(error["message"])[:_MAX_ERROR_CHARS]
    return json.dumps(body)[:_MAX_ERROR_CHARS]


class OpenAICompatibleProvider:
    """Chat Completions over httpx. One instance per process; it keeps a connection pool."""

    def __init__(self, settings: LlmSettings, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        if not settings.base_url:
            raise ValueError("an OpenAI-compatible provider needs MATHREEL_LLM_BASE_URL")
        self._settings = settings
        headers = {"Content-Type": "application/json"}
        key = settings.api_key.get_secret_value()
        if key:
            headers["Authorization"] = f"Bearer {key}"
        self._client = httpx.AsyncClient(
            base_url=settings.base_url.rstrip("/") + "/",
            headers=headers,
            timeout=httpx.Timeout(settings.timeout_seconds),
            transport=transport,
        )
        self._mode = "json_object" if settings.structured_output == "json_object" else "json_schema"
        self._backoff = wait_random_exponential(multiplier=settings.backoff_seconds, max=settings.max_backoff_seconds)

    @property
    def author(self) -> str:
        return self._settings.author

    @property
    def structured_output_mode(self) -> str:
        """The response format this client sends now: ``json_schema`` or ``json_object``."""
        return self._mode

    async def aclose(self) -> None:
        await self._client.aclose()

    async def complete_json(
        self, messages: Sequence[ChatMessage], *, schema_name: str, schema: Mapping[str, Any], budget: JobBudget
    ) -> Completion:
        """One chat completion whose content should be a JSON object; see the module docstring for the rules."""
        try:
            return await self._complete(messages, schema_name, schema, budget)
        except StructuredOutputUnsupported:
            if self._settings.structured_output != "auto" or self._mode == "json_object":
                raise
            log.warning("%s refuses json_schema output; using JSON mode from now on", self._settings.base_url)
            self._mode = "json_object"
            return await self._complete(messages, schema_name, schema, budget)

    async def _complete(
        self, messages: Sequence[ChatMessage], schema_name: str, schema: Mapping[str, Any], budget: JobBudget
    ) -> Completion:
        body: dict[str, Any] = {
            "model": self._settings.model,
            "messages": [dict(message) for message in messages],
            "temperature": self._settings.temperature,
            "max_tokens": self._settings.max_output_tokens,
        }
        if self._mode == "json_schema":
            # strict=False: OpenAI's strict subset refuses optional fields with defaults and the oneOf of the
            # action union; the schema still steers the model, and every answer is validated on our side anyway.
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": schema_name, "schema": dict(schema), "strict": False},
            }
        else:
            body["response_format"] = {"type": "json_object"}
        data = await self._post("chat/completions", body, budget)
        try:
            choice = data["choices"][0]
            content = choice["message"]["content"]
        except (KeyError, IndexError, TypeError):
            raise ProviderError("the provider's answer has no choices[0].message.content") from None
        if not isinstance(content, str):
            raise ProviderError("the provider answered without text content")
        usage = data.get("usage") if isinstance(data.get("usage"), dict) else None
        if usage is not None:
            prompt_tokens = int(usage.get("prompt_tokens") or 0)
            completion_tokens = int(usage.get("completion_tokens") or 0)
        else:
            # Some local servers omit usage; a rough count (4 characters a token) keeps the token budget meaningful.
            prompt_tokens = sum(len(m.get("content", "")) for m in messages) // 4
            completion_tokens = len(content) // 4
        budget.record(prompt_tokens, completion_tokens)
        return Completion(content, prompt_tokens, completion_tokens, choice.get("finish_reason"))

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """Vectors from ``/embeddings`` with ``embeddings_model``; not charged to a job (ingestion is not a job)."""
        model = self._settings.embeddings_model
        if not model:
            raise ProviderError("no embeddings model is configured (MATHREEL_LLM_EMBEDDINGS_MODEL)")
        budget = JobBudget(max_calls=self._settings.max_attempts, max_tokens=10**12)
        data = await self._post("embeddings", {"model": model, "input": list(texts)}, budget)
        try:
            rows = sorted(data["data"], key=lambda row: row.get("index", 0))
            vectors = [[float(x) for x in row["embedding"]] for row in rows]
        except (KeyError, TypeError, ValueError):
            raise ProviderError("the provider's embeddings answer is not data[].embedding") from None
        if len(vectors) != len(texts):
            raise ProviderError(f"asked for {len(texts)} embeddings, got {len(vectors)}")
        return vectors

    async def _post(self, path: str, body: Mapping[str, Any], budget: JobBudget) -> dict[str, Any]:
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._settings.max_attempts),
            wait=self._wait,
            retry=retry_if_exception(_is_retryable),
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                return await self._post_once(path, body, budget)
        raise AssertionError("tenacity either returns or re-raises")  # pragma: no cover

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, ProviderError) and exc.retry_after is not None:
            return min(exc.retry_after, self._settings.max_backoff_seconds)
        return float(self._backoff(state))

    async def _post_once(self, path: str, body: Mapping[str, Any], budget: JobBudget) -> dict[str, Any]:
        budget.before_call()
        try:
            response = await self._client.post(path, json=body)
        except httpx.TimeoutException:
            raise ProviderError(
                f"the model did not answer within {self._settings.timeout_seconds:g}s",
                retryable=True,
                code="llm_timeout",
            ) from None
        except httpx.TransportError as exc:
            raise ProviderError(
                f"cannot reach the model at {self._settings.base_url}: {type(exc).__name__}",
                retryable=True,
                code="llm_unreachable",
            ) from None
        status = response.status_code
        if status == 200:
            try:
                data = response.json()
            except ValueError:
                raise ProviderError("the provider answered 200 with a body that is not JSON") from None
            if not isinstance(data, dict):
                raise ProviderError("the provider answered 200 with a body that is not a JSON object")
            return data
        detail = _error_text(response)
        if status == 429:
            raise ProviderError(
                f"rate limited by the provider (429): {detail}",
                retryable=True,
                status=status,
                retry_after=_retry_after_seconds(response.headers.get("retry-after")),
                code="llm_rate_limited",
            )
        if status >= 500:
            raise ProviderError(
                f"the provider failed ({status}): {detail}",
                retryable=True,
                status=status,
                retry_after=_retry_after_seconds(response.headers.get("retry-after")),
            )
        response_format = body.get("response_format")
        if (
            status == 400
            and isinstance(response_format, dict)
            and response_format.get("type") == "json_schema"
            and any(hint in detail.lower() for hint in _UNSUPPORTED_HINTS)
        ):
            raise StructuredOutputUnsupported(f"the provider refuses json_schema output: {detail}", status=status)
        code = "llm_auth_failed" if status in {401, 403} else "llm_provider_error"
        raise ProviderError(f"the provider refused the request ({status}): {detail}", status=status, code=code)
