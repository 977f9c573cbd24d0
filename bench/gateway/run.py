"""Gateway benchmark: GET /api/v1/videos/jobs/{id}/status through the real gateway against a bare FastAPI endpoint.

    uv run python bench/gateway/run.py [--connections 64] [--rounds 6] [--duration 5] [--warmup 3] [--profile]

The gateway runs as deployed (``mathreel_gateway.main``: uvicorn, one worker, in a subprocess) against this run's
PostgreSQL database, Redis prefix, broker namespace and bucket, verifying RS256 tokens against a JWKS served over
HTTP. Each of ``--connections`` users submits one job, then each connection asks for its own user's job status as
fast as it is answered: every request verifies a JWT, counts in Redis (the per-user limit is raised for the run, so
the limiter works but never answers 429) and reads the job from PostgreSQL. The baseline, ``bare.py``, serves a
similar JSON body on the same route with the same uvicorn settings, measured in the same run with the same
requests. The load generator is wrk (C, one thread, ``targets.lua`` cycles through the users' paths and tokens), so
it needs a small part of one core and the servers, not the client, are what saturate.

Targets: requests/s ratio (gateway / bare) ≥ 0.5 and gateway p99 < 50 ms. Besides the ratio over all rounds, the run
prints each round's ratio with their median, and each server's own CPU time per request: on a shared virtual machine
the speed of a core drifts from one round to the next, and those figures show how far. ``--profile`` also samples the
gateway with py-spy (``uvx py-spy``; needs permission to trace a child process) under the same load and prints its
top functions.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from bench.gateway.infra import BenchServices, bench_services, process_env  # noqa: E402
from tests.e2e.stack import free_port  # noqa: E402

# High enough that 64 connections at full speed never reach it within a minute, so every request is counted in
# Redis but none is refused.
RAISED_RATE_LIMIT = 10_000_000
TOPIC = "Pythagorean theorem"
# Kept after the run (bench/out is not tracked): py-spy's collapsed stacks, for a flame graph or a closer look.
PROFILE_PATH = HERE.parent / "out" / "gateway-profile.txt"


def say(line: str) -> None:
    """A benchmark reports on stdout."""
    print(line)  # noqa: T201


def start_server(argv: list[str], env: dict[str, str], ready_url: str, log_path: Path) -> subprocess.Popen[bytes]:
    """Start a server process and wait until ``ready_url`` answers 200."""
    log = log_path.open("ab")
    process = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{argv} exited during start-up:\n{log_path.read_text(errors='replace')[-3000:]}")
        try:
            if httpx.get(ready_url, timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"{argv} not ready after 60 s:\n{log_path.read_text(errors='replace')[-3000:]}")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=25)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def submit_jobs(base_url: str, services: BenchServices, users: list[str]) -> dict[str, str]:
    """One job per user through the real API; returns each user's job id."""
    jobs: dict[str, str] = {}
    with httpx.Client(base_url=base_url, timeout=30) as client:
        for user in users:
            response = client.post(
                "/api/v1/videos/generate",
                headers={"Authorization": f"Bearer {services.mint(user)}"},
                json={"configuration": {"topic": TOPIC, "context": "a^2 + b^2 = c^2", "quality": "low"}},
            )
            if response.status_code != 201:
                raise RuntimeError(f"submitting a job for {user}: {response.status_code} {response.text}")
            jobs[user] = response.json()["job_id"]
    return jobs


def generate_load(
    targets: list[tuple[str, str]], warmup: float, duration: float, server: psutil.Process | None = None
) -> dict[str, Any]:
    """Drive ``targets`` with wrk (one thread, one connection per target) and return what it measured.

    A warm-up run first, not recorded; then the measured run. wrk is C and needs a small fraction of a core for the
    rates measured here, so the server, not the load generator, is what saturates. With ``server``, also the CPU
    time that process spent during the measured run (``cpu_s``).
    """
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is not installed: `apt-get install wrk` (scripts/bootstrap.sh installs it)")
    base = targets[0][0].split("/api/", 1)[0]
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as listing:
        for url, token in targets:
            listing.write(f"{url.removeprefix(base)}\t{token or '-'}\n")
    try:
        command = [wrk, "-t1", f"-c{len(targets)}", "--timeout", "10s", "-s", str(HERE / "targets.lua"), base]
        for seconds in (warmup, duration):
            cpu_before = _cpu_seconds(server)
            completed = subprocess.run(
                [*command[:2], f"-d{seconds:g}s", *command[2:], "--", listing.name],
                capture_output=True,
                text=True,
                check=True,
                timeout=seconds + 60,
            )
            cpu_spent = _cpu_seconds(server) - cpu_before
    finally:
        Path(listing.name).unlink()
    marker = "MATHREEL-RESULT "
    line = next(line for line in completed.stdout.splitlines() if line.startswith(marker))
    measured: dict[str, Any] = json.loads(line.removeprefix(marker))
    measured["cpu_s"] = cpu_spent
    return measured


def _cpu_seconds(process: psutil.Process | None) -> float:
    """User and system CPU time of ``process`` so far (0 without one)."""
    if process is None:
        return 0.0
    times = process.cpu_times()
    return float(times.user + times.system)


def profile(pid: int, seconds: float, out: Path) -> str | None:
    """Sample ``pid`` with py-spy for ``seconds``; the top of its report, or None when py-spy cannot attach."""
    out.parent.mkdir(parents=True, exist_ok=True)
    uvx = shutil.which("uvx")
    if uvx is None:
        return None
    command = [uvx, "py-spy", "record", "--pid", str(pid), "--duration", str(int(seconds)), "--format", "raw"]
    completed = subprocess.run(
        [*command, "--output", str(out), "--nonblocking"], capture_output=True, text=True, timeout=seconds + 120
    )
    if completed.returncode != 0 or not out.exists():
        return f"py-spy could not sample the gateway: {completed.stderr.strip()[-500:]}"
    return summarise_profile(out)


def summarise_profile(raw: Path, top: int = 20) -> str:
    """The hottest functions by own time, each with the gateway frame it was reached from, and total times.

    ``raw`` holds py-spy's collapsed stacks (``frame;frame;... count``), outermost frame first.
    """
    own: Counter[str] = Counter()
    total: Counter[str] = Counter()
    callers: dict[str, Counter[str]] = {}
    samples = 0
    for line in raw.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack:
            continue
        count = int(count_text)
        samples += count
        frames = stack.split(";")
        leaf = frames[-1]
        own[leaf] += count
        ours = [frame for frame in frames[:-1] if "mathreel_" in frame and "main.py" not in frame]
        callers.setdefault(leaf, Counter())[ours[-1] if ours else "(outside the gateway's code)"] += count
        for frame in set(frames):
            total[frame] += count
    lines = [f"{samples} samples; own time (the function itself) ← the innermost gateway frame above it:"]
    for frame, count in own.most_common(top):
        via, _ = callers[frame].most_common(1)[0]
        lines.append(f"  {100 * count / samples:5.1f}%  {frame}  ← {via}")
    lines.append("total time (the function and what it calls) in the gateway and the libraries it calls:")
    keys = ("mathreel_", "sqlalchemy", "jwt", "redis", "asyncpg", "pydantic")
    shown = [(f, n) for f, n in total.most_common() if any(k in f for k in keys) and "main.py" not in f][:top]
    for frame, count in shown:
        lines.append(f"  {100 * count / samples:5.1f}%  {frame}")
    return "\n".join(lines)


@dataclass
class Measured:
    """The measured runs of one server, over all rounds.

    Throughput is over all rounds; a latency percentile is the worst of the rounds' (wrk reports percentiles, not
    samples), so a bad round is never averaged away.
    """

    seconds: float = 0.0
    requests: int = 0
    cpu_seconds: float = 0.0
    rounds: list[dict[str, float]] = field(default_factory=list)
    rates: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)

    def add(self, result: dict[str, Any]) -> None:
        self.seconds += float(result["duration_s"])
        self.requests += int(result["requests"])
        self.cpu_seconds += float(result["cpu_s"])
        self.rounds.append({key: float(value) for key, value in result["latency_ms"].items()})
        self.rates.append(int(result["requests"]) / float(result["duration_s"]))
        self.statuses.update(result["statuses"])
        self.errors.update({kind: n for kind, n in result["errors"].items() if n and kind != "status"})

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds

    @property
    def cpu_per_request_us(self) -> float:
        """The server process's own CPU time per answered request, in microseconds."""
        return 1e6 * self.cpu_seconds / self.requests

    def latency(self, key: str) -> float:
        return max(round_[key] for round_ in self.rounds)

    def line(self, name: str) -> str:
        errors = f"   socket errors {dict(self.errors)}" if self.errors else ""
        return (
            f"{name:8s} {self.requests_per_second:8.0f} req/s   p50 {self.latency('50'):6.1f} ms   "
            f"p99 {self.latency('99'):6.1f} ms   max {self.latency('max'):7.1f} ms   "
            f"CPU {self.cpu_per_request_us:4.0f} µs/request   statuses {dict(self.statuses)}{errors}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=64, help="concurrent connections, one user each")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds measured per server and round")
    parser.add_argument("--rounds", type=int, default=6, help="alternating rounds per server")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of load before measuring")
    parser.add_argument("--profile", action="store_true", help="also sample the gateway with py-spy under load")
    args = parser.parse_args()

    with bench_services(rate_limit_per_minute=RAISED_RATE_LIMIT) as services:
        logs = services.work / "logs"
        logs.mkdir()
        gateway_port, bare_port = free_port(), free_port()
        env = {**os.environ, **process_env(services.settings)}
        env |= {"MATHREEL_PORT": str(gateway_port), "MATHREEL_PUBLIC_BASE_URL": f"http://127.0.0.1:{gateway_port}"}
        gateway_url, bare_url = f"http://127.0.0.1:{gateway_port}", f"http://127.0.0.1:{bare_port}"
        gateway = start_server(
            [sys.executable, "-m", "mathreel_gateway.main"], env, f"{gateway_url}/ready", logs / "gateway.log"
        )
        bare = None
        try:
            bare = start_server(
                [sys.executable, str(HERE / "bare.py"), str(bare_port)],
                dict(os.environ),
                f"{bare_url}/ready",
                logs / "bare.log",
            )
            users = [f"user_bench_{index:03d}" for index in range(args.connections)]
            jobs = submit_jobs(gateway_url, services, users)
            tokens = {user: services.mint(user) for user in users}
            path = "/api/v1/videos/jobs/{}/status"
            # The same requests (path and Authorization header) to both servers.
            gateway_targets = [(gateway_url + path.format(jobs[u]), tokens[u]) for u in users]
            bare_targets = [(bare_url + path.format(jobs[u]), tokens[u]) for u in users]

            say(
                f"{args.connections} connections, {args.rounds} rounds of {args.warmup:.0f} s warm-up + "
                f"{args.duration:.0f} s measured per server, alternating; {os.cpu_count()} cores, "
                f"load average {os.getloadavg()[0]:.1f} at start"
            )
            bare_total, gateway_total = Measured(), Measured()
            # Alternating short rounds spreads the machine's changing load over both servers alike.
            for _ in range(args.rounds):
                bare_total.add(generate_load(bare_targets, args.warmup, args.duration, psutil.Process(bare.pid)))
                gateway_total.add(
                    generate_load(gateway_targets, args.warmup, args.duration, psutil.Process(gateway.pid))
                )
            say(bare_total.line("bare"))
            say(gateway_total.line("gateway"))
            ratio = gateway_total.requests_per_second / bare_total.requests_per_second
            say(
                f"ratio gateway/bare {ratio:.2f} (target ≥ 0.5); gateway p99 {gateway_total.latency('99'):.1f} ms "
                f"(target < 50 ms); load average {os.getloadavg()[0]:.1f} at end"
            )
            # Each round's ratio: its two servers ran back to back, so a slow spell of the machine shows in one round
            # instead of shifting the totals.
            per_round = [gateway / bare for bare, gateway in zip(bare_total.rates, gateway_total.rates, strict=True)]
            say(
                f"ratio per round {' '.join(f'{value:.2f}' for value in per_round)}; "
                f"median {statistics.median(per_round):.2f}"
            )
            # Less disturbed by the machine's other load than requests/s: what each server's own process spent.
            cpu_ratio = bare_total.cpu_per_request_us / gateway_total.cpu_per_request_us
            say(
                f"CPU per request, bare/gateway {cpu_ratio:.2f} "
                "(each server's own process; Redis and PostgreSQL not counted)"
            )
            failures = {code: n for code, n in gateway_total.statuses.items() if code != "200"}
            if failures:
                say(f"non-200 answers from the gateway: {failures}")

            if args.profile:
                import threading

                holder: dict[str, str | None] = {}
                sampler = threading.Thread(
                    target=lambda: holder.update(out=profile(gateway.pid, args.duration, PROFILE_PATH))
                )
                sampler.start()
                generate_load(gateway_targets, 1.0, args.duration + 2)
                sampler.join()
                say(holder.get("out") or "py-spy is not available (uvx missing)")
        finally:
            if bare is not None:
                stop_server(bare)
            stop_server(gateway)
    return 0


if __name__ == "__main__":
    sys.exit(main())
