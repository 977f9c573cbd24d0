"""The baseline server: a bare FastAPI endpoint on the status route, answering a status-shaped JSON body.

No auth, no rate limit, no database, no middleware: what FastAPI and uvicorn cost by themselves. Served with the
same uvicorn settings as ``mathreel_gateway.main``, so the ratio isolates what the gateway adds.

    python bench/gateway/bare.py PORT
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import uvicorn
from fastapi import FastAPI

app = FastAPI()
_CREATED = datetime.now(UTC).isoformat()


@app.get("/api/v1/videos/jobs/{job_id}/status")
async def job_status(job_id: UUID) -> dict[str, Any]:
    return {
        "job_id": str(job_id),
        "status": "queued",
        "progress": {"percentage": 0.0, "current_stage": "initializing"},
        "estimated_completion_time": None,
        "created_at": _CREATED,
        "updated_at": _CREATED,
        "priority": "normal",
        "quality": "medium",
        "title": None,
    }


@app.get("/ready")
async def ready() -> dict[str, str]:
    return {"status": "ready"}


if __name__ == "__main__":
    # The same server settings as mathreel_gateway.main.server_config().
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=int(sys.argv[1]),
        proxy_headers=True,
        timeout_graceful_shutdown=20,
        log_config=None,
        access_log=False,
    )
