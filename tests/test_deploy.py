"""The deployment files hold up: hadolint, the compose spec, Kubernetes schemas, the Procfile."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from bot.cli import build_parser

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    """A validator installed with the dev extra; missing is a failure, never a skip."""
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: pip install -e '.[dev]'")
    return found


def manifests() -> list[dict]:
    docs = []
    for path in sorted((DEPLOY / "kubernetes").glob("*.yaml")):
        docs += [d for d in yaml.safe_load_all(path.read_text()) if d]
    return docs


def test_dockerfile_passes_hadolint() -> None:
    done = subprocess.run(
        [tool("hadolint"), str(DEPLOY / "Dockerfile")], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_dockerfile_is_multi_stage_and_unprivileged() -> None:
    lines = [ln.split() for ln in (DEPLOY / "Dockerfile").read_text().splitlines() if ln.strip()]
    froms = [ln for ln in lines if ln[0] == "FROM"]
    assert len(froms) >= 2
    users = [ln[1] for ln in lines if ln[0] == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert ["ENTRYPOINT", '["review-tiers"]'] in lines and ["CMD", '["serve"]'] in lines


def test_compose_file_matches_the_compose_spec() -> None:
    done = subprocess.run(
        [
            tool("check-jsonschema"),
            "--builtin-schema",
            "vendor.compose-spec",
            str(DEPLOY / "docker-compose.yml"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_compose_runs_web_two_workers_and_persistent_redis() -> None:
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    services = compose["services"]
    assert services["web"]["command"] == ["serve"]
    assert services["worker"]["command"] == ["worker"]
    assert services["worker"]["deploy"]["replicas"] == 2
    assert "--appendonly" in services["redis"]["command"]
    assert services["web"]["secrets"] == ["github_private_key"]
    assert services["web"]["environment"]["GITHUB_PRIVATE_KEY_PATH"].startswith("/run/secrets/")


@pytest.mark.parametrize("doc", manifests(), ids=lambda d: f"{d['kind']}/{d['metadata']['name']}")
def test_kubernetes_manifest_is_valid(doc: dict) -> None:
    kubernetes_validate.validate(doc, kubernetes_validate.latest_version(), strict=True)


def test_kubernetes_probes_and_requests() -> None:
    deployments = {d["metadata"]["name"]: d for d in manifests() if d["kind"] == "Deployment"}
    web = deployments["review-tiers-web"]["spec"]["template"]["spec"]["containers"][0]
    assert web["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert web["readinessProbe"]["httpGet"]["path"] == "/readyz"
    for deployment in deployments.values():
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        assert container["resources"]["requests"]
        secret_refs = [e for e in container["env"] if "valueFrom" in e]
        assert secret_refs and all("secretKeyRef" in e["valueFrom"] for e in secret_refs)
    assert deployments["review-tiers-worker"]["spec"]["replicas"] >= 1


def test_procfile_and_image_commands_exist() -> None:
    parser = build_parser()
    commands = {}
    for line in (DEPLOY / "Procfile").read_text().splitlines():
        name, _, command = line.partition(":")
        commands[name.strip()] = shlex.split(command)
    assert commands == {"web": ["review-tiers", "serve"], "worker": ["review-tiers", "worker"]}
    for argv in commands.values():
        parser.parse_args(argv[1:])


def test_web_metrics_have_their_own_unpublished_port() -> None:
    exposed = [ln.split()[1:] for ln in (DEPLOY / "Dockerfile").read_text().splitlines()]
    assert ["8080", "9100", "9101"] in exposed
    web_service = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())["services"]["web"]
    assert web_service["ports"] == ["8080:8080"] and web_service["expose"] == ["9101"]
    docs = {(d["kind"], d["metadata"]["name"]): d for d in manifests()}
    pod = docs[("Deployment", "review-tiers-web")]["spec"]["template"]
    container = pod["spec"]["containers"][0]
    assert {p["name"]: p["containerPort"] for p in container["ports"]} == {
        "http": 8080,
        "metrics": 9101,
    }
    env = {e["name"]: e for e in container["env"]}
    assert env["REVIEW_TIERS_WEB_METRICS_PORT"]["value"] == "9101"
    assert env["GITHUB_WEBHOOK_SECRET_PREVIOUS"]["valueFrom"]["secretKeyRef"]["optional"] is True
    assert pod["metadata"]["annotations"]["prometheus.io/port"] == "9101"
    service = docs[("Service", "review-tiers-web")]
    assert [p["targetPort"] for p in service["spec"]["ports"]] == ["http"]
    assert "annotations" not in service["metadata"]


def test_web_pod_has_a_writable_tmp_for_large_bodies() -> None:
    docs = {(d["kind"], d["metadata"]["name"]): d for d in manifests()}
    spec = docs[("Deployment", "review-tiers-web")]["spec"]["template"]["spec"]
    container = spec["containers"][0]
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in spec["volumes"]}
    assert "emptyDir" in volumes[mounts["/tmp"]]


def test_the_durable_audit_trail_is_optional_everywhere() -> None:
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    audit_db = compose["services"]["audit-db"]
    assert audit_db["profiles"] == ["audit"] and audit_db["image"].startswith("postgres:")
    assert all("audit-db" not in s.get("depends_on", {}) for s in compose["services"].values())
    for doc in manifests():
        if doc["kind"] == "Deployment":
            container = doc["spec"]["template"]["spec"]["containers"][0]
            env = {e["name"]: e for e in container["env"]}
            ref = env["REVIEW_TIERS_AUDIT_DATABASE_URL"]["valueFrom"]["secretKeyRef"]
            assert ref == {"name": "review-tiers", "key": "audit-database-url", "optional": True}


def test_the_web_processes_are_sized_where_the_core_count_misleads() -> None:
    # A container sees every core of its host: the deployments say how many processes to run.
    docs = {(d["kind"], d["metadata"]["name"]): d for d in manifests()}
    pod = docs[("Deployment", "review-tiers-web")]["spec"]["template"]["spec"]
    container = pod["containers"][0]
    env = {e["name"]: e.get("value") for e in container["env"]}
    processes = int(env["REVIEW_TIERS_WEB_PROCESSES"])
    assert processes >= 2 and float(container["resources"]["requests"]["cpu"]) >= processes
    web = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())["services"]["web"]
    assert int(web["environment"]["REVIEW_TIERS_WEB_PROCESSES"]) >= 2
    assert web["environment"]["REDIS_URL"] == "redis://redis:6379/0"
