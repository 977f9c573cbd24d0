# syntax=docker/dockerfile:1.7
# Every Mathreel image: SERVICE names the workspace member it runs, SYSTEM what it needs from Debian besides Python.
# Build from the workspace root, which is the context (docker-compose.yml passes both arguments per service):
#   docker build --build-arg SERVICE=visuals --build-arg SYSTEM=tex -t mathreel/visuals .
#
#   SYSTEM=plain    nothing (gateway, orchestrator; render: PyAV's wheels bundle FFmpeg)
#   SYSTEM=tex      LaTeX, dvisvgm, cairo and pango, and a compiler to build pycairo and ManimPango, which publish
#                   no Linux wheels (visuals renders with Manim; script typesets the storyboards a model writes)
#   SYSTEM=speech   espeak-ng, tts's fallback engine (Piper's own phonemiser data is inside its wheel)

# Debian 12 ("bookworm") is what the test suite runs on; its TeX Live 2022 and dvisvgm 3.0 are the ones the layout
# tests were run against. Every image starts from it, so the base layers are shared.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm
ARG SYSTEM=plain

FROM ghcr.io/astral-sh/uv:0.13.9 AS uv

# --- builders: the locked virtualenv of one workspace member ------------------------------------------------------
FROM ${PYTHON_IMAGE} AS builder-plain
COPY --from=uv /uv /usr/local/bin/uv
# Bytecode is compiled once here instead of at every container start; copy mode because the cache is a mount.
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/mathreel/venv
WORKDIR /src

FROM builder-plain AS builder-speech

FROM builder-plain AS builder-tex
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        build-essential \
        pkg-config \
        libcairo2-dev \
        libpango1.0-dev \
    && rm -rf /var/lib/apt/lists/*

# A stage of this file, which hadolint cannot tell from an image without a tag.
# hadolint ignore=DL3006
FROM builder-${SYSTEM} AS builder
ARG SERVICE
WORKDIR /src
# Dependencies first: this layer is rebuilt only when the lock or a pyproject changes, not on a source edit.
# Every member's pyproject is copied because uv checks the workspace against the lock as a whole.
COPY pyproject.toml uv.lock ./
COPY shared/pyproject.toml shared/
COPY libs/scenelang/pyproject.toml libs/scenelang/
COPY services/gateway/pyproject.toml services/gateway/
COPY services/orchestrator/pyproject.toml services/orchestrator/
COPY services/script/pyproject.toml services/script/
COPY services/tts/pyproject.toml services/tts/
COPY services/visuals/pyproject.toml services/visuals/
COPY services/render/pyproject.toml services/render/
COPY services/webhooks/pyproject.toml services/webhooks/
COPY cli/pyproject.toml cli/
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-install-workspace --package "mathreel-${SERVICE}"

# Then our own code, installed non-editable so the runtime stage needs the virtualenv only. Every member's source
# is copied (the context holds nothing else): uv installs the ones this member depends on, whichever they are.
COPY shared/src shared/src
COPY libs/scenelang/src libs/scenelang/src
COPY services services
COPY cli/src cli/src
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable --package "mathreel-${SERVICE}"

# The gateway's image also holds the CLI, for `mathreel token` (development tokens signed with the gateway's own
# key). The CLI depends on every service for its standalone mode; those services and their heavy dependencies are
# pruned, so only its own locked dependencies (typer, rich, ...) are added, hash-checked.
RUN --mount=type=cache,target=/root/.cache/uv \
    if [ "${SERVICE}" = "gateway" ]; then \
        uv export --frozen --no-dev --no-emit-workspace --package mathreel-cli \
            --prune mathreel-gateway --prune mathreel-orchestrator --prune mathreel-script \
            --prune mathreel-tts --prune mathreel-visuals --prune mathreel-render --prune mathreel-webhooks \
            --output-file /tmp/cli-requirements.txt \
        && uv pip install --python /opt/mathreel/venv/bin/python --no-deps --require-hashes \
            -r /tmp/cli-requirements.txt \
        && uv pip install --python /opt/mathreel/venv/bin/python --no-deps ./cli; \
    fi

# One name starts whichever service this image is, in exec form: the service itself is PID 1 and gets SIGTERM.
RUN test -x "/opt/mathreel/venv/bin/mathreel-${SERVICE}" \
    && ln -s "mathreel-${SERVICE}" /opt/mathreel/venv/bin/mathreel-service

# --- runtimes: the virtualenv, the Debian packages SYSTEM names, and nothing else ---------------------------------
FROM ${PYTHON_IMAGE} AS runtime-plain
# A fixed numeric uid so Kubernetes' runAsNonRoot can verify it without a passwd lookup.
RUN groupadd --system --gid 10001 mathreel \
    && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/mathreel --no-create-home \
        --shell /usr/sbin/nologin mathreel \
    && install -d -o 10001 -g 10001 /var/lib/mathreel /tmp/mathreel

FROM runtime-plain AS runtime-speech
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        espeak-ng \
    && rm -rf /var/lib/apt/lists/*

FROM runtime-plain AS runtime-tex
# LaTeX and dvisvgm for MathTex; the cairo/pango shared libraries the compiled wheels link; fonts for Text.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        texlive-latex-base \
        texlive-latex-extra \
        texlive-fonts-recommended \
        dvisvgm \
        libcairo2 \
        libpango-1.0-0 \
        libpangocairo-1.0-0 \
        libpangoft2-1.0-0 \
        fontconfig \
        fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# hadolint ignore=DL3006
FROM runtime-${SYSTEM} AS runtime
ARG SERVICE
# The gateway serves its API (and probes) on 8000; every other service its probes and metrics on 8081.
ARG PORT=8081

# The virtualenv stays owned by root: the service cannot rewrite its own code.
COPY --from=builder /opt/mathreel/venv /opt/mathreel/venv

# HOME and /tmp are where caches and scratch files go (TeX, fontconfig, the work dir): under Kubernetes'
# read-only root filesystem both are emptyDir volumes.
ENV PATH=/opt/mathreel/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HOME=/var/lib/mathreel \
    MATHREEL_MODE=distributed \
    MATHREEL_ENVIRONMENT=production \
    MATHREEL_HOST=0.0.0.0 \
    MATHREEL_HEALTH_PORT=8081 \
    MATHREEL_WORK_DIR=/tmp/mathreel/work \
    MATHREEL_DEV_SIGNING_KEY_PATH=/var/lib/mathreel/dev-signing-key.pem \
    OTEL_SERVICE_NAME=mathreel-${SERVICE}

WORKDIR /var/lib/mathreel
USER 10001:10001
EXPOSE ${PORT}
CMD ["mathreel-service"]
