"""docker-compose.yml, deploy/Dockerfile and deploy/k8s/ checked without a Docker engine or a cluster.

No engine runs on these machines, so what can go wrong in a deployment file is checked
here instead: that Compose would accept the file (the Compose specification, through the
compose-spec package), that it refuses to start without its secrets, that start-up order
is by health, that every command a container runs exists in this project, that the
Kubernetes objects point at each other correctly, and that README explains every variable.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import re
import shlex
import tomllib
from typing import Any

import jsonschema
import pytest
import yaml
from compose_spec import ComposeSpecification, PyOptions

from tests.stack import REPO_ROOT

COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
DOCKERFILE = REPO_ROOT / "deploy" / "Dockerfile"
K8S_DIR = REPO_ROOT / "deploy" / "k8s"
README = REPO_ROOT / "README.md"
SECRET_TEMPLATE = K8S_DIR / "secret.template.yaml"
REQUIRED = ("CLINICPAY_SECRET_KEYS", "POSTGRES_PASSWORD", "FLOWER_BASIC_AUTH")
FULL_ENV = {"CLINICPAY_SECRET_KEYS": "k1,k0", "POSTGRES_PASSWORD": "pw", "FLOWER_BASIC_AUTH": "ops:pw"}

# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?message}, ${NAME?message}; $$ is a literal $.
_VARIABLE = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


class MissingVariables(Exception):
    pass


def interpolate(value: Any, env: dict[str, str], missing: list[str] | None = None) -> Any:
    """Compose's interpolation of every string in the parsed file (not in comments), as Compose
    does before it validates; forms as the spec defines them."""
    if missing is None:
        missing = []
        result = interpolate(value, env, missing)
        if missing:
            raise MissingVariables("; ".join(missing))
        return result
    if isinstance(value, dict):
        return {k: interpolate(v, env, missing) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env, missing) for v in value]
    if not isinstance(value, str):
        return value

    def value_of(match: re.Match[str]) -> str:
        name, op, arg = match["name"], match["op"], match["arg"] or ""
        found = env.get(name)
        if op in (":-", ":?") and found == "":
            found = None
        if found is not None:
            return found
        if op in ("-", ":-"):
            return arg
        if op in ("?", ":?"):
            missing.append(f"{name}: {arg}")
        return ""

    return _VARIABLE.sub(value_of, value.replace("$$", "\0")).replace("\0", "$")


def raw_compose() -> dict[str, Any]:
    # PyYAML applies the `<<` merge keys the file uses for the shared app settings.
    return yaml.safe_load(COMPOSE_FILE.read_text())


def parse(document: dict[str, Any]):
    """The compose-spec package's strict parser: unknown keys, bad enums, malformed values are refused."""
    return PyOptions(apply_merge=True).from_yaml(json.dumps(document))


def load_compose(env: dict[str, str] | None = None) -> dict[str, Any]:
    return parse(interpolate(raw_compose(), FULL_ENV if env is None else env)).to_dict()


def k8s_objects() -> list[dict[str, Any]]:
    objects = []
    for path in sorted(K8S_DIR.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc and doc["kind"] != "Kustomization":  # kustomize's build file, not a cluster object
                doc["_file"] = path.name
                objects.append(doc)
    return objects


def app_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: svc for name, svc in compose["services"].items() if svc.get("build", {}).get("target") == "runtime"}


# --- Compose --------------------------------------------------------------------------------


def test_the_compose_file_follows_the_compose_specification():
    # compose-spec ships the specification as a strict parser plus pydantic models generated
    # from the specification's JSON schema; the file must satisfy both.
    parsed = parse(interpolate(raw_compose(), FULL_ENV))
    parsed.validate()  # every network, volume, config and secret a service names is defined
    document = parsed.to_dict()
    ComposeSpecification.model_validate(document)
    jsonschema.validate(document, ComposeSpecification.model_json_schema())
    assert set(document["services"]) == {
        "postgres",
        "redis",
        "migrate",
        "api",
        "webhooks",
        "webhooks-relay",
        "worker",
        "beat",
        "flower",
        "localstripe",
    }


def test_the_specification_check_is_strict_enough_to_catch_a_typo():
    typo = interpolate(raw_compose(), FULL_ENV)
    typo["services"]["redis"]["helthcheck"] = typo["services"]["redis"].pop("healthcheck")
    with pytest.raises(ValueError, match="helthcheck"):
        parse(typo)
    wrong_condition = interpolate(raw_compose(), FULL_ENV)
    wrong_condition["services"]["api"]["depends_on"]["migrate"]["condition"] = "service_done"
    with pytest.raises(ValueError, match="service_done"):
        parse(wrong_condition)


@pytest.mark.parametrize("variable", REQUIRED)
def test_compose_refuses_to_start_without_each_secret_and_says_which(variable):
    env = {k: v for k, v in FULL_ENV.items() if k != variable}
    with pytest.raises(MissingVariables, match=f"{variable}: set {variable}"):
        load_compose(env)
    with pytest.raises(MissingVariables, match=variable):
        load_compose({**env, variable: ""})  # :? refuses an empty value too


def test_apps_start_after_migrations_on_healthy_postgres_and_redis():
    compose = load_compose()
    services = compose["services"]
    for name in ("postgres", "redis"):
        assert services[name]["healthcheck"]["test"], f"{name} needs a healthcheck for service_healthy"
    assert services["migrate"]["command"] == ["clinicpay", "migrate"]
    assert services["migrate"]["restart"] == "no"
    assert {k: v["condition"] for k, v in services["migrate"]["depends_on"].items()} == {"postgres": "service_healthy"}
    for name in ("api", "webhooks", "webhooks-relay", "worker", "beat"):
        depends = {k: v["condition"] for k, v in services[name]["depends_on"].items()}
        assert depends == {
            "migrate": "service_completed_successfully",
            "postgres": "service_healthy",
            "redis": "service_healthy",
        }, name
    for name, service in services.items():
        for target, dep in (service.get("depends_on") or {}).items():
            if dep["condition"] == "service_healthy":
                assert "healthcheck" in services[target], f"{name} waits for {target}'s health, which it lacks"
    assert services["localstripe"]["profiles"] == ["dev"]
    assert all("profiles" not in svc for name, svc in services.items() if name != "localstripe")
    assert services["flower"]["environment"]["FLOWER_BASIC_AUTH"] == "ops:pw"
    for name, service in app_services(compose).items():
        assert service["environment"]["CLINICPAY_SECRET_KEYS"] == "k1,k0", name
        assert "postgres:5432/clinicpay" in service["environment"]["DATABASE_URL"], name


# --- Commands exist -------------------------------------------------------------------------


def _console_scripts() -> dict[str, str]:
    return tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["scripts"]


def assert_command_exists(cmd: list[str], where: str) -> None:
    """The program a container runs is part of this project (or of a dependency it declares)."""
    program, args = cmd[0], cmd[1:]
    if program in ("sh", "/bin/sh") and args[:1] == ["-c"]:
        assert_command_exists(shlex.split(args[1]), where)
    elif program in _console_scripts():
        from shared.cli import build_parser

        subcommands = build_parser()._subparsers._group_actions[0].choices
        assert args and args[0] in subcommands, f"{where}: `{program} {args[:1]}` is not a clinicpay command"
    elif program == "uvicorn":
        target = next(a for a in args if ":" in a and not a.startswith("-"))
        module, attr = target.split(":")
        assert hasattr(importlib.import_module(module), attr), f"{where}: {target} does not exist"
    elif program == "celery":
        assert args[0] == "-A", f"{where}: celery without -A"
        importlib.import_module(args[1])
        assert args[2] in ("worker", "beat", "flower", "inspect"), f"{where}: celery {args[2]}?"
        if args[2] == "flower":
            assert importlib.util.find_spec("flower"), f"{where}: flower is not a dependency"
    elif program == "python" and args[:1] == ["-m"]:
        assert importlib.util.find_spec(args[1]) is not None, f"{where}: no module {args[1]}"
    elif program == "python" and args[:1] == ["-c"]:
        compile(args[1], where, "exec")
    elif program == "python":
        assert (REPO_ROOT / args[0]).is_file(), f"{where}: no file {args[0]}"
    elif program in ("pg_isready", "redis-cli", "redis-server"):
        pass  # from the postgres / redis images themselves
    else:
        pytest.fail(f"{where}: unknown program {program!r}")


def healthcheck_command(test: list[str] | str) -> list[str]:
    if isinstance(test, str):
        return shlex.split(test)
    kind, *rest = test
    return shlex.split(rest[0]) if kind == "CMD-SHELL" else rest


def test_every_command_in_compose_exists_in_the_project():
    compose = load_compose()
    for name, service in compose["services"].items():
        if "command" in service:
            assert_command_exists(service["command"], f"compose {name}")
        if "healthcheck" in service:
            assert_command_exists(healthcheck_command(service["healthcheck"]["test"]), f"compose {name} healthcheck")
    # Every service built from our image says which process it is (postgres runs its image's own).
    assert {n for n, s in compose["services"].items() if "command" not in s} == {"postgres"}


def test_every_command_in_the_kubernetes_manifests_exists_in_the_project():
    containers = [
        (obj["_file"], c)
        for obj in k8s_objects()
        if obj["kind"] in ("Deployment", "Job")
        for c in obj["spec"]["template"]["spec"]["containers"]
    ]
    assert {c["name"] for _, c in containers} == {"api", "webhooks", "relay", "worker", "beat", "flower", "migrate"}
    for file, container in containers:
        assert_command_exists(container["command"] + container.get("args", []), f"{file} {container['name']}")
        probe = container.get("livenessProbe", {}).get("exec")
        if probe:
            assert_command_exists(probe["command"], f"{file} {container['name']} liveness")


def test_the_dockerfile_copies_files_that_exist_and_runs_a_real_command():
    lines = DOCKERFILE.read_text().splitlines()
    copies = [line.split()[1:-1] for line in lines if line.startswith("COPY ")]
    assert copies, "the Dockerfile copies nothing?"
    for sources in copies:
        for source in sources:
            assert (REPO_ROOT / source).exists(), f"Dockerfile copies {source}, which does not exist"
    for line in lines:
        if line.startswith("CMD "):
            assert_command_exists(yaml.safe_load(line[4:]), "Dockerfile CMD")
    assert "python:3.11-slim" in lines[next(i for i, line in enumerate(lines) if line.startswith("FROM "))]
    assert any(line.startswith("USER 10001") for line in lines), "the image must not run as root"


def test_the_image_installs_only_versions_pinned_in_the_lock():
    """The image installs pyproject's runtime dependencies constrained by requirements.lock;
    every package that pulls in must be pinned there, or builds would drift."""
    from importlib.metadata import PackageNotFoundError, distribution

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    pinned = {
        canonicalize_name(line.split("==")[0])
        for line in (REPO_ROOT / "requirements.lock").read_text().splitlines()
        if "==" in line
    }
    todo = [
        Requirement(r) for r in tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    ]
    seen: set[str] = set()
    while todo:
        req = todo.pop()
        name = canonicalize_name(req.name)
        key = name + "[" + ",".join(sorted(req.extras)) + "]"
        if key in seen:
            continue
        seen.add(key)
        assert name in pinned, f"{req.name} (needed at runtime) is not pinned in requirements.lock"
        try:
            dist = distribution(req.name)
        except PackageNotFoundError:
            pytest.fail(f"{req.name} is not installed in this environment")
        for sub in map(Requirement, dist.requires or []):
            environments = [{"extra": extra} for extra in req.extras] or [{"extra": ""}]
            if sub.marker is None or any(sub.marker.evaluate(env) for env in environments):
                todo.append(sub)
    assert len(seen) > 20


# --- Kubernetes ------------------------------------------------------------------------------


def test_kubernetes_objects_point_at_each_other_correctly():
    objects = k8s_objects()
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for obj in objects:
        assert obj.get("apiVersion") and obj.get("kind") and obj["metadata"].get("name"), obj["_file"]
        by_kind.setdefault(obj["kind"], []).append(obj)

    deployments = by_kind["Deployment"]
    assert {d["metadata"]["name"] for d in deployments} == {
        "clinicpay-api",
        "clinicpay-webhooks",
        "clinicpay-webhooks-relay",
        "clinicpay-worker",
        "clinicpay-beat",
        "clinicpay-flower",
    }
    for d in deployments:
        labels = d["spec"]["template"]["metadata"]["labels"]
        assert d["spec"]["selector"]["matchLabels"].items() <= labels.items(), d["_file"]
        assert d["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"] is True, d["_file"]
    beat = next(d for d in deployments if d["metadata"]["name"] == "clinicpay-beat")
    assert beat["spec"]["replicas"] == 1 and beat["spec"]["strategy"]["type"] == "Recreate"

    for service in by_kind["Service"]:
        selector = service["spec"]["selector"]
        matches = [d for d in deployments if selector.items() <= d["spec"]["template"]["metadata"]["labels"].items()]
        assert len(matches) == 1, f"Service {service['metadata']['name']} selects {len(matches)} deployments"
        port_names = {
            p["name"] for c in matches[0]["spec"]["template"]["spec"]["containers"] for p in c.get("ports", [])
        }
        for port in service["spec"]["ports"]:
            assert port["targetPort"] in port_names, f"Service {service['metadata']['name']} targets {port}"

    config_maps = {c["metadata"]["name"] for c in by_kind["ConfigMap"]}
    secrets = {s["metadata"]["name"] for s in by_kind["Secret"]}
    for workload in deployments + by_kind["Job"]:
        for container in workload["spec"]["template"]["spec"]["containers"]:
            assert container["image"] == "clinicpay", "kustomization's images: entry sets the real image"
            for source in container.get("envFrom", []):
                if "configMapRef" in source:
                    assert source["configMapRef"]["name"] in config_maps
                if "secretRef" in source:
                    assert source["secretRef"]["name"] in secrets


def test_the_secret_is_a_template_of_placeholders_kept_out_of_kustomize():
    secret = yaml.safe_load(SECRET_TEMPLATE.read_text())
    assert set(secret["stringData"]) == {"DATABASE_URL", "REDIS_URL", "CLINICPAY_SECRET_KEYS", "FLOWER_BASIC_AUTH"}
    for key, value in secret["stringData"].items():
        assert "CHANGE-ME" in value or "example" in value, f"{key} looks like a real value"
    kustomization = yaml.safe_load((K8S_DIR / "kustomization.yaml").read_text())
    listed = set(kustomization["resources"])
    manifests = {p.name for p in K8S_DIR.glob("*.yaml")} - {"kustomization.yaml", SECRET_TEMPLATE.name}
    assert listed == manifests


# --- README ------------------------------------------------------------------------------------


def test_readme_documents_every_variable_the_deployment_files_use():
    readme = README.read_text()
    variables = {m["name"] for m in _VARIABLE.finditer(json.dumps(raw_compose()))}
    compose = load_compose()
    for service in app_services(compose).values():
        variables |= set(service.get("environment") or {})
    variables |= set(compose["services"]["flower"]["environment"])
    for obj in k8s_objects():
        if obj["kind"] in ("ConfigMap", "Secret"):
            variables |= set(obj.get("data") or obj.get("stringData") or {})
    assert {"CLINICPAY_SECRET_KEYS", "POSTGRES_PASSWORD", "FLOWER_BASIC_AUTH"} <= variables
    undocumented = sorted(v for v in variables if f"`{v}`" not in readme)
    assert undocumented == [], f"README's configuration table lacks {undocumented}"
