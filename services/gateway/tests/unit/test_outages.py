"""A dependency outage (database restart, storage away) answers 503 with Retry-After; a bug still answers 500."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import exc as sa_exc

from mathreel_gateway.errors import install_error_handlers


def _app(error: Exception) -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/boom")
    async def boom() -> None:
        raise error

    return app


@pytest.mark.parametrize(
    "error",
    [
        sa_exc.OperationalError("SELECT 1", {}, Exception("the database system is starting up")),
        sa_exc.InterfaceError("SELECT 1", {}, Exception("connection is closed")),
        ConnectionRefusedError("connection refused"),
    ],
)
async def test_outages_answer_503_with_retry_after(error: Exception) -> None:
    transport = httpx.ASGITransport(app=_app(error), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/boom")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert "temporarily unavailable" in response.json()["detail"]


async def test_a_constraint_violation_is_still_a_500() -> None:
    error = sa_exc.IntegrityError("INSERT", {}, Exception("duplicate key"))
    transport = httpx.ASGITransport(app=_app(error), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/boom")
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error"}
