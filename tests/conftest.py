"""Fixtures for tests against real parts. See tests/stack.py for where each part comes from."""

from __future__ import annotations

import logging
import os
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests import capture, stack
from tests.mail import MailServer
from tests.stripe.flaky_proxy import FlakyProxy

# --- Configure the environment before any application module reads its settings. ---
_worker_id = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
_base_db_url = os.environ.get("DATABASE_URL") or stack.embedded_postgres_url()
_base_redis_url = os.environ.get("REDIS_URL") or stack.embedded_redis_url()
# A slot keeps two test runs on one machine (two checkouts, two developers) out of each other's data.
_slot = os.environ.get("CLINICPAY_TEST_SLOT", "main")
TEST_DB_NAME = f"clinicpay_test_{_slot}_{_worker_id}"
TEST_DB_URL = stack.with_database(_base_db_url, TEST_DB_NAME)
_redis_db = int(os.environ.get("CLINICPAY_TEST_REDIS_DB", stack.TEST_REDIS_DB)) + int(_worker_id.lstrip("gw") or 0)
TEST_REDIS_URL = stack.with_redis_db(_base_redis_url, _redis_db)
os.environ["DATABASE_URL"] = TEST_DB_URL
os.environ["REDIS_URL"] = TEST_REDIS_URL
os.environ["CLINICPAY_ENVIRONMENT"] = "test"
os.environ["CLINICPAY_STACK_ENV"] = str(stack.VAR_TEST / "no-stack.env")  # never read make run's settings
os.environ.setdefault("CLINICPAY_SECRET_KEYS", "test-secret-key-material")
os.environ.setdefault("CLINICPAY_LOG_LEVEL", "INFO")
# The tests' SMTP server (tests/mail.py, started by the `mail_server` fixture) and the folder it stores
# into, which the API's /dev/mailbox/ reads: every worker process started below sends there.
_SMTP_PORT = stack.free_port()
os.environ["CLINICPAY_SMTP_URL"] = f"smtp://127.0.0.1:{_SMTP_PORT}"
os.environ["CLINICPAY_DEV_MAILBOX_DIR"] = str(
    stack.VAR_TEST / f"mailbox-{os.environ.get('CLINICPAY_TEST_SLOT', 'main')}-{_worker_id}"
)

ARTIFACTS = stack.REPO_ROOT / "test-artifacts"
ARTIFACTS.mkdir(exist_ok=True)
# Every log line and API answer of the run, for the secrets check that runs last (tests/capture.py).
capture.start_session()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "last: runs after every other test (checks over what the whole run saw)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.get_closest_marker("last") is not None)  # stable: keeps the rest in order


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item):
    try:
        return (yield)
    finally:
        capture.attach_log_handler()  # fixtures may have (re)configured logging


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    capture.attach_log_handler()
    return (yield)


stack.create_database(_base_db_url, TEST_DB_NAME)

from shared.config import clear_settings_cache  # noqa: E402

clear_settings_cache()

from shared.db.migrate import upgrade_to_head  # noqa: E402

upgrade_to_head(TEST_DB_URL)

from sqlalchemy import text  # noqa: E402

import shared.db.models  # noqa: E402,F401
from shared.db.base import Base  # noqa: E402
from shared.db.engine import get_engine  # noqa: E402

_TABLES = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)


def pytest_unconfigure(config: pytest.Config) -> None:
    stack.stop_embedded()


def truncate_all() -> None:
    """Empty every table. A session the previous test left open (a browser page still polling
    when the test ended) would hold TRUNCATE forever, so give up waiting after a few seconds,
    end the sessions stuck in a transaction, and try again."""
    from sqlalchemy.exc import OperationalError

    for attempt in range(3):
        try:
            with get_engine().begin() as conn:
                conn.execute(text("SET LOCAL lock_timeout = '5s'"))
                conn.execute(text(f"TRUNCATE {_TABLES} RESTART IDENTITY CASCADE"))
            return
        except OperationalError:
            if attempt == 2:
                raise
            with get_engine().begin() as conn:
                conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                        "AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'"
                    )
                )


def flush_redis() -> None:
    import redis

    url = TEST_REDIS_URL
    client = redis.Redis.from_url(url)
    client.flushdb()
    client.close()


@pytest.fixture(autouse=True)
def clean_state() -> Iterator[None]:
    """Journey tests commit across processes, so each test starts from empty tables and an empty broker db."""
    truncate_all()
    flush_redis()
    from services.api.rate_limit import account_email_limiter, login_limiter, pay_link_limiter

    login_limiter.cache_clear()
    account_email_limiter.cache_clear()
    pay_link_limiter.cache_clear()
    yield


# --- The API on a real port, in this process (so its log lines are captured too). ---


class _ServerThread:
    def __init__(self, app_path: str, port: int) -> None:
        import uvicorn

        config = uvicorn.Config(app_path, host="127.0.0.1", port=port, log_config=None, access_log=False, lifespan="on")
        # As every deployment runs it (--no-access-log): our middleware writes the request line, with
        # tokens in paths redacted. Config only unhooks the logger; a later logging set-up in this
        # process (a test configuring logging for a CLI or a worker) would hook it up again, and
        # uvicorn would then log raw paths (pay-link tokens) — so it is switched off for good.
        logging.getLogger("uvicorn.access").disabled = True
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.url = f"http://127.0.0.1:{port}"

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("API server did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def api_url() -> Iterator[str]:
    server = _ServerThread("services.api.app:app", stack.free_port())
    server.start()
    yield server.url
    server.stop()


@pytest.fixture
def http(api_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=api_url, timeout=30.0) as client:
        yield client


# --- A real Celery worker (and, where a test needs it, beat), as subprocesses. ---


class ProcessHandle:
    def __init__(self, name: str, cmd: list[str], env: dict[str, str]) -> None:
        self.name = name
        self.cmd = cmd
        self.env = env
        self.log_path = ARTIFACTS / f"{name}-{_slot}-{_worker_id}.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        log = open(self.log_path, "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(
            self.cmd, env=self.env, stdout=log, stderr=subprocess.STDOUT, cwd=stack.REPO_ROOT, start_new_session=True
        )

    def stop(self, sig: int = 15, timeout: float = 15.0) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, sig)
            self.proc.wait(timeout=timeout)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(self.proc.pid, 9)
            except ProcessLookupError:
                pass
            self.proc.wait(timeout=5)


def celery_worker_process(name: str = "worker", concurrency: int = 2, **env: str) -> ProcessHandle:
    cmd = stack.python_module_cmd(
        "celery",
        "-A",
        "services.worker.app",
        "worker",
        "--loglevel=INFO",
        "-Q",
        "default,events",
        "-c",
        str(concurrency),
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
        "-n",
        f"{name}-{_worker_id}@%h",
    )
    return ProcessHandle(name, cmd, stack.child_env(**env))


def wait_for_worker(timeout: float = 30.0) -> None:
    from shared.tasks.celery_app import celery_app

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        replies = celery_app.control.ping(timeout=0.5)
        if replies:
            return
    raise RuntimeError("the Celery worker did not answer ping")


@pytest.fixture(scope="session")
def mail_server() -> Iterator[MailServer]:
    server = MailServer(Path(os.environ["CLINICPAY_DEV_MAILBOX_DIR"]), _SMTP_PORT).start()
    yield server
    server.stop()


@pytest.fixture
def mailbox(mail_server: MailServer) -> MailServer:
    """The tests' SMTP server, empty and well-behaved at the start of the test."""
    mail_server.reset()
    return mail_server


@pytest.fixture(scope="session")
def worker(localstripe_server: LocalStripe, mail_server: MailServer) -> Iterator[ProcessHandle]:
    # The worker talks to Stripe (reconciliation, re-fetching a PaymentIntent): it must start with
    # the stand-in's address in its environment, never fall through to the real Stripe.
    handle = celery_worker_process()
    handle.start()
    wait_for_worker()
    yield handle
    handle.stop()


def poll_until(fn, *, timeout: float = 30.0, interval: float = 0.1, message: str = "condition"):
    """Poll `fn` until it returns something truthy; fail the test with `message` otherwise."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = fn()
        if last:
            return last
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout}s waiting for {message}; last value: {last!r}")


@pytest.fixture
def artifacts_dir() -> Path:
    return ARTIFACTS


# --- Stripe's stand-in and the webhook receiver, each a real process on a real port. ---


class LocalStripe:
    """One in-memory localstripe instance. Tests that need two practices on two Stripes start two.

    `url` is a recording hop in front of it (tests/stripe_recorder.py): every call our servers
    make to Stripe is written down for the PHI check; the hop changes nothing on the way.
    """

    def __init__(self, name: str = "localstripe") -> None:
        from tests.stripe_recorder import RecordingProxy

        self.port = stack.free_port()
        self.direct_url = f"http://127.0.0.1:{self.port}"
        self.recorder = RecordingProxy(self.port)
        self.url = self.recorder.url
        self.js_url = f"{self.url}/js.stripe.com/v3/"
        self.handle = ProcessHandle(
            f"{name}-{self.port}",
            [
                str(stack.REPO_ROOT / ".venv" / "bin" / "python")
                if (stack.REPO_ROOT / ".venv").exists()
                else stack.sys.executable,
                str(stack.REPO_ROOT / "deploy" / "local" / "localstripe_inmemory.py"),
                "--port",
                str(self.port),
            ],
            stack.child_env(),
        )

    def start(self) -> LocalStripe:
        self.handle.start()
        stack.wait_for_http(f"{self.direct_url}/js.stripe.com/v3/", proc=self.handle.proc)
        self.recorder.start()
        return self

    def reset(self) -> None:
        """Empty the store (webhook registrations stay); every charge scans the whole store."""
        httpx.delete(f"{self.url}/_config/data", timeout=10)

    def register_webhook(self, name: str, url: str, secret: str, events: list[str] | None = None) -> None:
        r = httpx.post(
            f"{self.url}/_config/webhooks/{name}",
            # No "events" key means every event type; an empty list would mean none.
            json={"url": url, "secret": secret} | ({"events": events} if events is not None else {}),
            timeout=10,
        )
        r.raise_for_status()

    def stop(self) -> None:
        self.recorder.stop()
        self.handle.stop()


@pytest.fixture(scope="session")
def localstripe_server() -> Iterator[LocalStripe]:
    server = LocalStripe().start()
    os.environ["CLINICPAY_STRIPE_API_BASE"] = server.url
    os.environ["CLINICPAY_STRIPE_JS_URL"] = server.js_url
    clear_settings_cache()
    yield server
    server.stop()


@pytest.fixture
def localstripe(localstripe_server: LocalStripe) -> LocalStripe:
    localstripe_server.reset()
    return localstripe_server


@pytest.fixture
def flaky(localstripe: LocalStripe) -> Iterator[FlakyProxy]:
    """A hop in front of the session's localstripe that fails on cue (tests/stripe/flaky_proxy.py)."""
    proxy = FlakyProxy(localstripe.url).start()
    yield proxy
    proxy.stop()


class Receiver:
    """The webhook receiver (and its relay, when it has one) as real processes on a real port."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or stack.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = stack.child_env()
        self.server = ProcessHandle(
            f"receiver-{self.port}",
            stack.python_module_cmd(
                "uvicorn",
                "services.webhooks.app:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--no-access-log",
            ),
            env,
        )
        self.relay = ProcessHandle(f"relay-{self.port}", stack.python_module_cmd("services.webhooks.relay"), env)

    def start(self) -> Receiver:
        self.server.start()
        stack.wait_for_http(f"{self.url}/healthz", proc=self.server.proc)
        if (stack.REPO_ROOT / "services" / "webhooks" / "relay.py").exists():
            self.relay.start()
        return self

    def webhook_url(self, group_id: str) -> str:
        return f"{self.url}/v1/stripe/webhooks/{group_id}"

    def stop(self) -> None:
        self.relay.stop()
        self.server.stop()


@pytest.fixture(scope="session")
def receiver() -> Iterator[Receiver]:
    r = Receiver().start()
    yield r
    r.stop()
