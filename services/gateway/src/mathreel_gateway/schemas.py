"""Bodies the whole API shares: probes and errors. The job API's own are in ``mathreel_gateway.jobs.schemas``."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class HealthResponse(BaseModel):
    app_name: str
    version: str
    environment: str
    status: Literal["healthy"] = "healthy"


class ReadinessResponse(BaseModel):
    status: Literal["ready", "not_ready"]
    checks: dict[str, str] = Field(description="`ok` or the reason, for database, broker, storage, cache and auth.")


# --- error bodies (documentation of the responses the routes can give) ---------------------------------------------
class ErrorBody(BaseModel):
    detail: str


class UnprocessableBody(BaseModel):
    """A 422: FastAPI's list of validation errors, or one sentence when a valid request breaks a rule."""

    detail: str | list[dict[str, Any]]


class LimitBody(BaseModel):
    detail: str
    limit: Literal["rate", "active_jobs"]
    retry_after: int | None = None
    max_active_jobs: int | None = None


class StoryboardProblem(BaseModel):
    type: str
    loc: list[str | int]
    msg: str
    path: str | None = Field(
        default=None,
        description="For a storyboard's problems: its field path, e.g. `storyboard.scenes[2].beats[0].actions[1]`.",
    )


class StoryboardErrorBody(BaseModel):
    detail: list[StoryboardProblem]
