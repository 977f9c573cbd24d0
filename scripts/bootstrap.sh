#!/usr/bin/env bash
# Installs everything Mathreel needs on a Debian/Ubuntu machine: uv, the system packages that Manim and the TTS
# engines call (LaTeX, dvisvgm, Cairo/Pango headers, espeak-ng, sox), wrk for the gateway benchmark, Chromium for the
# web app's browser test, and the Python workspace from uv.lock. When Node.js (20.19 or later) is installed it also
# installs the npm workspace in clients/ from its lock and builds the TypeScript client and the web app (served at
# /app); without Node.js it says so and goes on: the API works, /app answers 503 saying how to build it, and the
# client and browser tests fail until Node.js is installed.
# Idempotent: on a machine where all is in place it only runs `uv sync` and the npm steps, a few seconds.
set -euo pipefail

UV_VERSION="0.13.9"
# Installed with their recommended packages: Manim's default TeX template needs fonts and packages that
# texlive-latex-base and texlive-latex-extra only recommend.
SYSTEM_PACKAGES=(
    texlive-latex-base
    texlive-latex-extra
    dvisvgm
    libcairo2-dev
    libpango1.0-dev
    pkg-config
    espeak-ng
    sox
    wrk
    chromium
)

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
started=$SECONDS

say() { printf 'bootstrap: %s\n' "$*"; }
die() {
    printf 'bootstrap: error: %s\n' "$*" >&2
    exit 1
}

# --- system packages -------------------------------------------------------------------------------------------
is_installed() {
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = "installed" ]
}

ensure_system_packages() {
    if ! command -v dpkg-query >/dev/null 2>&1; then
        # Not Debian: check the programs themselves, and let the developer map them to their package manager.
        local tool missing_tools=()
        for tool in latex dvisvgm pkg-config espeak-ng sox chromium; do
            command -v "$tool" >/dev/null 2>&1 || missing_tools+=("$tool")
        done
        if [ ${#missing_tools[@]} -gt 0 ]; then
            die "not a Debian system and these programs are missing: ${missing_tools[*]}" \
                "(install LaTeX with its extra packages, dvisvgm, Cairo and Pango headers, espeak-ng and sox)"
        fi
        say "system programs present (non-Debian system, checked by name)"
        return
    fi

    local package missing=()
    for package in "${SYSTEM_PACKAGES[@]}"; do
        is_installed "$package" || missing+=("$package")
    done
    if [ ${#missing[@]} -eq 0 ]; then
        say "system packages present"
        return
    fi

    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            sudo=(sudo -n)
        else
            die "missing system packages: ${missing[*]}
    Install them as root, then run this script again:
        sudo apt-get update && sudo apt-get install -y ${missing[*]}"
        fi
    fi
    say "installing system packages: ${missing[*]} (a few minutes the first time)"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
    for package in "${missing[@]}"; do
        is_installed "$package" || die "apt-get did not install $package"
    done
    say "system packages installed"
}

# --- uv --------------------------------------------------------------------------------------------------------
ensure_uv() {
    if command -v uv >/dev/null 2>&1; then
        say "uv present ($(uv --version))"
        return
    fi
    say "installing uv $UV_VERSION with pip"
    local user_flag=()
    [ "$(id -u)" -eq 0 ] || user_flag=(--user)
    python3 -m pip install --quiet --disable-pip-version-check "${user_flag[@]}" "uv==$UV_VERSION" \
        || die "pip could not install uv==$UV_VERSION; install uv yourself (python3 -m pip install uv==$UV_VERSION)"
    # pyenv only exposes a newly installed console script once its shims are rebuilt.
    if command -v pyenv >/dev/null 2>&1; then
        pyenv rehash
    fi
    hash -r
    if ! command -v uv >/dev/null 2>&1; then
        local location
        location="$(python3 -c 'import uv; print(uv.find_uv_bin())' 2>/dev/null || true)"
        die "uv was installed${location:+ at $location} but is not on PATH; add its folder to PATH and run again"
    fi
    say "uv installed ($(uv --version))"
}

# --- the TypeScript client and the web app ---------------------------------------------------------------------
node_is_recent() {
    command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 \
        && node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'
}

build_clients() {
    if ! node_is_recent; then
        say "Node.js 20.19+ not found: the web app (/app) and the TypeScript client are not built" \
            "(install Node.js and run this script again)"
        return
    fi
    local stamp="clients/node_modules/.package-lock.json"
    if [ ! -f "$stamp" ] || [ clients/package-lock.json -nt "$stamp" ]; then
        say "installing the npm workspace (npm ci in clients/)"
        (cd clients && npm ci --no-audit --no-fund --silent)
    fi
    say "building the TypeScript client and the web app"
    (cd clients && npm run build --silent >/dev/null)
}

ensure_system_packages
ensure_uv
build_clients

say "syncing the Python workspace (uv sync --all-packages --frozen)"
uv sync --all-packages --frozen --quiet
say "ready in $((SECONDS - started)) s"
