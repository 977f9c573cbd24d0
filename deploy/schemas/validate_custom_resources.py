"""Validate the KEDA resources of rendered manifests against the schemas shipped beside this file.

kubernetes-validate knows the built-in kinds only; KEDA's ScaledObject and TriggerAuthentication would otherwise
go unchecked. Besides the schema, each ScaledObject must target a Deployment of the same render, name a
TriggerAuthentication that exists in it, and keep minReplicaCount <= maxReplicaCount: the mistakes a schema
alone cannot see.

Usage: validate_custom_resources.py RENDERED.yaml [...]   (run with jsonschema and PyYAML importable; exits 1
on any error). scripts/validate-deploy.sh runs it in kubernetes-validate's tool environment, which has both.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

SCHEMA_DIR = Path(__file__).resolve().parent
# Groups whose kinds this script owns; any other custom group would have no validator at all.
CUSTOM_GROUPS = {"keda.sh": SCHEMA_DIR / "keda"}


def _group_version(api_version: str) -> tuple[str, str]:
    group, _, version = api_version.rpartition("/")
    return group, version


def schema_path(api_version: str, kind: str) -> Path | None:
    """The schema file for a custom kind, or None if the group is not one this script validates."""
    group, version = _group_version(api_version)
    directory = CUSTOM_GROUPS.get(group)
    if directory is None:
        return None
    return directory / f"{kind.lower()}-{group.split('.')[0]}-{version}.json"


def load_resources(paths: list[Path]) -> list[dict[str, Any]]:
    """Every non-empty YAML document of the given files."""
    resources: list[dict[str, Any]] = []
    for path in paths:
        with path.open(encoding="utf-8") as stream:
            resources.extend(doc for doc in yaml.safe_load_all(stream) if doc)
    return resources


def validate(resources: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """Check the custom resources among ``resources``; return (lines for checked resources, errors)."""
    checked: list[str] = []
    errors: list[str] = []
    deployments = {r["metadata"]["name"] for r in resources if r.get("kind") == "Deployment"}
    trigger_auths = {r["metadata"]["name"] for r in resources if r.get("kind") == "TriggerAuthentication"}
    validators: dict[Path, Draft202012Validator] = {}

    for resource in resources:
        api_version, kind = resource.get("apiVersion", ""), resource.get("kind", "")
        path = schema_path(api_version, kind)
        if path is None:
            continue
        label = f"{kind}/{resource.get('metadata', {}).get('name', '?')}"
        if not path.is_file():
            errors.append(f"{label}: no schema for {api_version} {kind} (expected {path.name})")
            continue
        if path not in validators:
            validators[path] = Draft202012Validator(json.loads(path.read_text(encoding="utf-8")))
        problems = [
            f"{label}: {'.'.join(str(p) for p in error.absolute_path) or '<root>'}: {error.message}"
            for error in validators[path].iter_errors(resource)
        ]
        if kind == "ScaledObject" and not problems:
            problems.extend(_scaled_object_references(label, resource["spec"], deployments, trigger_auths))
        errors.extend(problems)
        if not problems:
            checked.append(f"{label} valid against {path.relative_to(SCHEMA_DIR)}")
    return checked, errors


def _scaled_object_references(
    label: str, spec: dict[str, Any], deployments: set[str], trigger_auths: set[str]
) -> list[str]:
    problems: list[str] = []
    target = spec["scaleTargetRef"]
    if target.get("kind", "Deployment") == "Deployment" and target["name"] not in deployments:
        problems.append(f"{label}: scaleTargetRef names Deployment {target['name']!r}, which is not rendered")
    minimum, maximum = spec.get("minReplicaCount", 0), spec.get("maxReplicaCount", 100)
    if minimum > maximum:
        problems.append(f"{label}: minReplicaCount {minimum} > maxReplicaCount {maximum}")
    for trigger in spec["triggers"]:
        ref = trigger.get("authenticationRef")
        if ref and ref.get("kind", "TriggerAuthentication") == "TriggerAuthentication":
            if ref["name"] not in trigger_auths:
                problems.append(f"{label}: authenticationRef {ref['name']!r} is not rendered")
    return problems


def main(argv: list[str]) -> int:
    """Validate the files named in ``argv``; print one line per resource checked and every error."""
    if not argv:
        sys.stderr.write(__doc__ or "")
        return 2
    checked, errors = validate(load_resources([Path(arg) for arg in argv]))
    for line in checked:
        sys.stdout.write(f"OK    {line}\n")
    for line in errors:
        sys.stdout.write(f"ERROR {line}\n")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
