"""X-Forwarded-For is believed only from the configured proxies — as the Kubernetes manifests run the API.

The API is started with the manifest's own command and the ConfigMap's FORWARDED_ALLOW_IPS, then
signed in to from a loopback address that is not the proxy: a forged X-Forwarded-For changes
nothing, so the per-address throttle still counts the real address. From the proxy it is believed.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import httpx
import yaml

from shared.config import app_settings
from tests import stack
from tests.conftest import ProcessHandle
from tests.factories import STAFF_PASSWORD, make_practice_via_api
from tests.security.review import record_finding

K8S = stack.REPO_ROOT / "deploy" / "k8s"


def _container_command(manifest: Path) -> list[str]:
    for doc in yaml.safe_load_all(manifest.read_text()):
        if doc and doc.get("kind") == "Deployment":
            return doc["spec"]["template"]["spec"]["containers"][0]["command"]
    raise AssertionError(f"no Deployment in {manifest}")


def _configmap() -> dict[str, str]:
    return yaml.safe_load((K8S / "configmap.yaml").read_text())["data"]


def test_no_manifest_trusts_forwarded_headers_from_anyone():
    for manifest in ("api.yaml", "webhooks.yaml"):
        command = _container_command(K8S / manifest)
        assert "*" not in command, (manifest, command)
    trusted = _configmap()["FORWARDED_ALLOW_IPS"]
    assert trusted and "*" not in trusted
    compose = yaml.safe_load((stack.REPO_ROOT / "docker-compose.yml").read_text())
    assert "*" not in str(compose["x-app"]["environment"]["FORWARDED_ALLOW_IPS"])


def test_a_forged_forwarded_for_does_not_escape_the_address_throttle(http):
    practice = make_practice_via_api(http)
    command = _container_command(K8S / "api.yaml")
    port = stack.free_port()
    args = list(command[1:])
    args[args.index("--host") + 1] = "127.0.0.1"
    args[args.index("--port") + 1] = str(port)
    api = ProcessHandle(
        f"api-forwarded-{port}",
        stack.python_module_cmd(command[0], *args),
        stack.child_env(FORWARDED_ALLOW_IPS=_configmap()["FORWARDED_ALLOW_IPS"]),
    )
    api.start()
    try:
        url = f"http://127.0.0.1:{port}"
        stack.wait_for_http(f"{url}/healthz", proc=api.proc)
        per_address = app_settings().login_max_address_failures
        forged = (f"203.0.113.{n}" for n in itertools.count(1))
        transport = httpx.HTTPTransport(local_address="127.0.0.9")  # not the proxy
        with httpx.Client(base_url=url, transport=transport, timeout=30) as attacker:
            for n in range(per_address):
                r = attacker.post(
                    "/v1/auth/token",
                    data={"username": f"spray-{n}@example.com", "password": "Winter2026!"},
                    headers={"X-Forwarded-For": next(forged)},
                )
                assert r.status_code == 401, r.text
            blocked = attacker.post(
                "/v1/auth/token",
                data={"username": practice.admin_email, "password": STAFF_PASSWORD},
                headers={"X-Forwarded-For": next(forged)},
            )
        assert blocked.status_code == 429, blocked.text
        # From the proxy itself (127.0.0.1, the ConfigMap's value) the header names the client.
        with httpx.Client(base_url=url, timeout=30) as proxy:
            r = proxy.post(
                "/v1/auth/token",
                data={"username": practice.admin_email, "password": STAFF_PASSWORD},
                headers={"X-Forwarded-For": "198.51.100.7"},
            )
            assert r.status_code == 200, r.text
    finally:
        api.stop()
    record_finding(
        "forged_forwarded_for",
        "6. Forwarded addresses",
        f"{per_address} failed POST /v1/auth/token from 127.0.0.9, each with a new X-Forwarded-For, "
        "against the API as deploy/k8s/api.yaml runs it",
        f"then {blocked.status_code} {blocked.json()['error']['code']}: the forged header was ignored",
    )
