"""A real HTTP server speaking the OpenAI Chat Completions protocol, for the model-path tests.

It runs on a free loopback port in a thread (uvicorn + Starlette), records every request it receives, checks that
each is a well-formed Chat Completions request for the expected model, and answers from a script of replies: valid
or broken JSON, errors with or without Retry-After, slow answers. It can also refuse ``json_schema`` output as servers
without structured output do.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.e2e.stack import free_port

MODEL = "test-model"
API_KEY = "sk-test-key"


@dataclass
class Reply:
    """One scripted answer: a 200 with ``content``, or an error ``status`` with ``error`` text."""

    content: str | None = None
    status: int = 200
    error: str = "scripted failure"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    prompt_tokens: int = 120
    completion_tokens: int = 80
    finish_reason: str = "stop"


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def response_format(self) -> str | None:
        fmt = self.body.get("response_format")
        return fmt.get("type") if isinstance(fmt, dict) else None

    @property
    def messages(self) -> list[dict[str, str]]:
        return list(self.body["messages"])


class FakeChatServer:
    """See the module docstring. ``script(...)`` queues replies; ``received`` lists the requests."""

    Reply = Reply

    def __init__(self) -> None:
        self.replies: deque[Reply] = deque()
        self.received: list[Received] = []
        self.problems: list[str] = []
        self.supports_json_schema = True
        self.port = free_port()
        app = Starlette(
            routes=[
                Route("/v1/chat/completions", self._chat, methods=["POST"]),
                Route("/v1/embeddings", self._embeddings, methods=["POST"]),
            ]
        )
        self._server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")
        )
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> None:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the fake chat server did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def reset(self) -> None:
        self.replies.clear()
        self.received.clear()
        self.problems.clear()
        self.supports_json_schema = True

    def script(self, *replies: Reply) -> None:
        self.replies.extend(replies)

    def script_json(self, data: Any, **kwargs: Any) -> None:
        """Queue a 200 whose message content is ``data`` as JSON."""
        self.replies.append(Reply(content=json.dumps(data), **kwargs))

    @property
    def chat_requests(self) -> list[Received]:
        return [r for r in self.received if r.path.endswith("chat/completions")]

    def _check(self, body: dict[str, Any], headers: dict[str, str]) -> str | None:
        if headers.get("authorization") != f"Bearer {API_KEY}":
            return "missing or wrong bearer token"
        if body.get("model") != MODEL:
            return f"unknown model {body.get('model')!r}"
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            return "messages must be a non-empty list"
        for message in messages:
            role, content = message.get("role"), message.get("content")
            if role not in {"system", "user", "assistant"} or not isinstance(content, str):
                return f"bad message {message!r}"
        fmt = body.get("response_format")
        if not isinstance(fmt, dict) or fmt.get("type") not in {"json_schema", "json_object"}:
            return f"bad response_format {fmt!r}"
        if fmt["type"] == "json_schema":
            spec = fmt.get("json_schema")
            if not isinstance(spec, dict) or not spec.get("name") or not isinstance(spec.get("schema"), dict):
                return "json_schema needs name and schema"
        return None

    async def _chat(self, request: Request) -> Response:
        body = await request.json()
        headers = {k.lower(): v for k, v in request.headers.items()}
        self.received.append(Received(request.url.path, headers, body))
        problem = self._check(body, headers)
        if problem:
            self.problems.append(problem)
            return JSONResponse({"error": {"message": problem, "type": "invalid_request_error"}}, status_code=400)
        if body["response_format"]["type"] == "json_schema" and not self.supports_json_schema:
            return JSONResponse(
                {"error": {"message": "response_format type json_schema is not supported", "type": "invalid_request"}},
                status_code=400,
            )
        if not self.replies:
            self.problems.append("no scripted reply left")
            return JSONResponse({"error": {"message": "no scripted reply"}}, status_code=418)
        reply = self.replies.popleft()
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.status != 200:
            return JSONResponse({"error": {"message": reply.error}}, status_code=reply.status, headers=reply.headers)
        return JSONResponse(
            {
                "id": "chatcmpl-test",
                "object": "chat.completion",
                "model": MODEL,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": reply.content},
                        "finish_reason": reply.finish_reason,
                    }
                ],
                "usage": {
                    "prompt_tokens": reply.prompt_tokens,
                    "completion_tokens": reply.completion_tokens,
                    "total_tokens": reply.prompt_tokens + reply.completion_tokens,
                },
            }
        )

    async def _embeddings(self, request: Request) -> Response:
        body = await request.json()
        self.received.append(Received(request.url.path, dict(request.headers), body))
        inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
        return JSONResponse(
            {"data": [{"index": i, "embedding": hashed_embedding(text)} for i, text in enumerate(inputs)]}
        )


def hashed_embedding(text: str, size: int = 64) -> list[float]:
    """A deterministic bag-of-words vector: texts sharing words point the same way."""
    vector = [0.0] * size
    for word in text.lower().split():
        vector[int(hashlib.sha256(word.strip(".,;:!?").encode()).hexdigest(), 16) % size] += 1.0
    return vector


@pytest.fixture(scope="session")
def _chat_server_session() -> Iterator[FakeChatServer]:
    server = FakeChatServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def chat_server(_chat_server_session: FakeChatServer) -> Iterator[FakeChatServer]:
    """The fake Chat Completions server, with an empty script and no recorded requests."""
    _chat_server_session.reset()
    yield _chat_server_session
    assert not _chat_server_session.problems, _chat_server_session.problems
