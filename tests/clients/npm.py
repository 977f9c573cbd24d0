"""Building the npm workspace in ``clients/`` (the TypeScript client and the web app) for the tests that use it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = ROOT / "clients"
TYPESCRIPT_CLIENT = CLIENTS / "typescript"


def npm(*args: str) -> None:
    """Run ``npm ARGS`` in ``clients/``; fail with npm's output when it fails."""
    if shutil.which("npm") is None:
        raise AssertionError("Node.js and npm are needed for the client tests: install Node.js 20.19+")
    done = subprocess.run(["npm", *args], cwd=CLIENTS, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, f"npm {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"


def install_clients() -> None:
    """Install the locked packages when they are missing (``scripts/bootstrap.sh`` has installed them)."""
    if not (CLIENTS / "node_modules" / ".bin" / "openapi-typescript").exists():
        npm("ci", "--no-audit", "--no-fund")


def build_clients() -> None:
    """Build the client and the web app from their sources (a few seconds), so the tests run the code as it is."""
    install_clients()
    npm("run", "build")
