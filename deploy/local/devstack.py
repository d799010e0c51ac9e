"""`make run`: the whole clinicpay stack on one machine, in the foreground, Ctrl-C to stop.

Starts PostgreSQL and Redis from wheels (data under var/) unless DATABASE_URL /
REDIS_URL are set, migrates, starts localstripe, seeds the demo practice, then runs
the API, the webhook receiver (and its relay when the project has one), the Celery
worker and beat, Flower, and an SMTP server that keeps every email for the development
mailbox (/dev/mailbox/ on the API): nothing is sent to a real address. It writes var/stack.env so the `clinicpay` command
reaches the same stack. If any process dies the whole stack stops, loudly.

    .venv/bin/python deploy/local/devstack.py [--api-port 8000] [--webhooks-port 8001]
        [--flower-port 5555] [--stripe-port 8420] [--smtp-port 1025] [--var-dir var] [--no-seed]

Each option also reads CLINICPAY_DEV_<NAME> (e.g. CLINICPAY_DEV_API_PORT) so tests and
a second checkout can run beside a `make run` without colliding.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import signal
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent
sys.path.insert(0, str(REPO_ROOT))  # run as a script: make `shared` importable even without the editable install

import embedded  # noqa: E402
from ports import taken_ports  # noqa: E402
from processes import Child, Output, python_cmd, run_once, stop_all  # noqa: E402

STARTUP_TIMEOUT = 90.0


class StopRequested(Exception):
    pass


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    def env_int(name: str, default: int) -> int:
        return int(os.environ.get(f"CLINICPAY_DEV_{name}", default))

    parser = argparse.ArgumentParser(description="Run the whole clinicpay stack locally.")
    parser.add_argument("--api-port", type=int, default=env_int("API_PORT", 8000))
    parser.add_argument("--webhooks-port", type=int, default=env_int("WEBHOOKS_PORT", 8001))
    parser.add_argument("--flower-port", type=int, default=env_int("FLOWER_PORT", 5555))
    parser.add_argument("--stripe-port", type=int, default=env_int("STRIPE_PORT", 8420))
    parser.add_argument("--smtp-port", type=int, default=env_int("SMTP_PORT", 1025))
    parser.add_argument(
        "--var-dir", type=Path, default=Path(os.environ.get("CLINICPAY_DEV_VAR_DIR", REPO_ROOT / "var"))
    )
    parser.add_argument(
        "--no-seed",
        action="store_true",
        default=os.environ.get("CLINICPAY_DEV_NO_SEED") == "1",
        help="do not create the demo practice",
    )
    return parser.parse_args(argv)


class DevStack:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.var_dir: Path = args.var_dir.resolve()
        self.tty = sys.stdout.isatty()
        self.out = Output(sys.stdout, color=self.tty)
        self.children: list[Child] = []
        self.pg: embedded.EmbeddedPostgres | None = None
        self.redis: embedded.EmbeddedRedis | None = None
        self.env: dict[str, str] = {}
        self.stopping = False
        self.started_at = time.monotonic()

    # --- what the user reads -------------------------------------------------------------

    def say(self, text: str) -> None:
        for line in text.splitlines() or [""]:
            self.out.line("devstack", line)

    def shout(self, text: str) -> None:
        bar = "!" * 72
        self.say(f"{bar}\n{text}\n{bar}")

    # --- startup --------------------------------------------------------------------------

    def check_ports(self) -> bool:
        a = self.args
        problems = taken_ports(
            {
                "the API": a.api_port,
                "the webhook receiver": a.webhooks_port,
                "Flower": a.flower_port,
                "localstripe": a.stripe_port,
                "the SMTP server": a.smtp_port,
            }
        )
        if problems:
            self.shout(
                "cannot start: "
                + "\n".join(problems)
                + "\nStop whatever holds it (another `make run`?), or pick other ports, e.g. "
                "--api-port 8100 or CLINICPAY_DEV_API_PORT=8100."
            )
            return False
        return True

    def start_data_services(self) -> tuple[str, str]:
        self.var_dir.mkdir(parents=True, exist_ok=True)
        database_url = os.environ.get("DATABASE_URL")
        if database_url:
            self.say("PostgreSQL: using DATABASE_URL")
        else:
            self.say(f"PostgreSQL: starting the embedded server (data in {self.var_dir / 'pg'})")
            self.pg = embedded.start_postgres(self.var_dir)
            database_url = self.pg.url
        redis_url = os.environ.get("REDIS_URL")
        if redis_url:
            self.say("Redis: using REDIS_URL")
        else:
            self.say(f"Redis: starting the embedded server (data in {self.var_dir / 'redis.db'})")
            self.redis = embedded.start_redis(self.var_dir)
            redis_url = self.redis.url
        return database_url, redis_url

    def child_env(self, database_url: str, redis_url: str) -> dict[str, str]:
        a = self.args
        env = dict(os.environ)
        stack_settings = {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "CLINICPAY_ENVIRONMENT": os.environ.get("CLINICPAY_ENVIRONMENT", "development"),
            "CLINICPAY_STRIPE_API_BASE": f"http://127.0.0.1:{a.stripe_port}",
            "CLINICPAY_STRIPE_JS_URL": f"http://127.0.0.1:{a.stripe_port}/js.stripe.com/v3/",
            "CLINICPAY_PUBLIC_WEBHOOK_BASE_URL": f"http://127.0.0.1:{a.webhooks_port}",
            "CLINICPAY_PUBLIC_PORTAL_URL": f"http://127.0.0.1:{a.api_port}/portal/",
            "CLINICPAY_SMTP_URL": f"smtp://127.0.0.1:{a.smtp_port}",
            "CLINICPAY_DEV_MAILBOX_DIR": str(self.var_dir / "mailbox"),
        }
        env.update(stack_settings)
        env["CLINICPAY_LOG_FORMAT"] = os.environ.get("CLINICPAY_LOG_FORMAT", "console" if self.tty else "json")
        env["PYTHONUNBUFFERED"] = "1"
        self.write_stack_env(stack_settings)
        return env

    def write_stack_env(self, settings: dict[str, str]) -> None:
        path = self.var_dir / "stack.env"
        lines = [
            "# Written by `make run` (deploy/local/devstack.py); the clinicpay command reads it.",
            *(f"{key}={value}" for key, value in settings.items()),
        ]
        path.write_text("\n".join(lines) + "\n")

    def one_shot(self, name: str, *args: str) -> None:
        code = run_once(name, python_cmd("-m", "shared.cli", *args), env=self.env, cwd=REPO_ROOT, output=self.out)
        if code != 0:
            raise SystemExit(self.fail(f"`clinicpay {' '.join(args)}` failed with exit code {code}"))

    def spawn(self, name: str, cmd: list[str]) -> Child:
        child = Child(name, cmd, env=self.env, cwd=REPO_ROOT, output=self.out)
        self.children.append(child)
        child.start()
        return child

    def start_processes(self) -> None:
        a = self.args
        # Request lines come from our own middleware (with request ids), so uvicorn's access log stays off.
        uvicorn = ["-m", "uvicorn", "--host", "127.0.0.1", "--no-access-log"]
        celery = ["-m", "celery", "-A", "services.worker.app"]
        self.spawn("localstripe", python_cmd(str(HERE / "localstripe_inmemory.py"), "--port", str(a.stripe_port)))
        self.wait_http("localstripe", f"http://127.0.0.1:{a.stripe_port}/js.stripe.com/v3/")
        self.spawn(
            "smtp",
            python_cmd(
                str(HERE / "mail_server.py"), "--port", str(a.smtp_port), "--dir", str(self.var_dir / "mailbox")
            ),
        )
        if not a.no_seed:
            self.one_shot("seed", "seed-demo")
        self.spawn("api", python_cmd(*uvicorn, "--port", str(a.api_port), "services.api.app:app"))
        self.spawn("webhooks", python_cmd(*uvicorn, "--port", str(a.webhooks_port), "services.webhooks.app:app"))
        if importlib.util.find_spec("services.webhooks.relay") is not None:
            self.spawn("relay", python_cmd("-m", "services.webhooks.relay"))
        else:
            self.say("relay: services.webhooks.relay does not exist yet; the receiver runs without it")
        self.spawn(
            "worker",
            python_cmd(
                *celery,
                "worker",
                "-Q",
                "default,events",
                "-c",
                "2",
                "--loglevel",
                "INFO",
                "-n",
                f"worker-{a.api_port}@%h",
            ),
        )
        self.spawn(
            "beat",
            python_cmd(*celery, "beat", "--loglevel", "INFO", "--schedule", str(self.var_dir / "celerybeat-schedule")),
        )
        self.spawn("flower", python_cmd(*celery, "flower", f"--port={a.flower_port}", "--address=127.0.0.1"))
        self.wait_http("api", f"http://127.0.0.1:{a.api_port}/readyz", ok_only=True)
        self.wait_http("webhooks", f"http://127.0.0.1:{a.webhooks_port}/healthz", ok_only=True)
        self.wait_http("flower", f"http://127.0.0.1:{a.flower_port}/healthcheck", ok_only=True)
        self.wait_worker()

    # --- readiness --------------------------------------------------------------------------

    def check_children(self) -> None:
        for child in self.children:
            code = child.exit_code()
            if code is not None:
                raise SystemExit(
                    self.fail(f"{child.name} exited with code {code} (its last lines are above under '{child.name}')")
                )

    def wait_http(self, name: str, url: str, *, ok_only: bool = False) -> None:
        import httpx

        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            self.check_children()
            try:
                status = httpx.get(url, timeout=2.0).status_code
                if status == 200 or (not ok_only and status < 500):
                    return
                last = f"HTTP {status}"
            except httpx.HTTPError as exc:
                last = str(exc) or type(exc).__name__
            if time.monotonic() > deadline:
                raise SystemExit(self.fail(f"{name} did not answer {url} within {STARTUP_TIMEOUT:.0f}s ({last})"))
            time.sleep(0.2)

    def wait_worker(self) -> None:
        from shared.tasks.celery_app import celery_app

        name = f"worker-{self.args.api_port}@"
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            self.check_children()
            replies = celery_app.control.ping(timeout=1.0)
            if any(node.startswith(name) for reply in replies for node in reply):
                return
        raise SystemExit(self.fail(f"the Celery worker did not answer ping within {STARTUP_TIMEOUT:.0f}s"))

    # --- the banner -------------------------------------------------------------------------

    def portal_note(self) -> str:
        import httpx

        try:
            served = httpx.get(f"http://127.0.0.1:{self.args.api_port}/portal/", timeout=2.0).status_code < 400
        except httpx.HTTPError:
            served = False
        return "" if served else "   (not served by this build yet)"

    def banner(self) -> None:
        a = self.args
        api = f"http://127.0.0.1:{a.api_port}"
        stripe = f"http://127.0.0.1:{a.stripe_port}"
        database = f"embedded, data in {self.pg.data_dir}" if self.pg else "DATABASE_URL"
        redis = f"embedded, data in {self.redis.db_file}" if self.redis else "REDIS_URL"
        lines = [
            "",
            f"clinicpay is running (development), ready in {time.monotonic() - self.started_at:.1f}s. "
            "Ctrl-C stops everything.",
            "",
            f"  API docs        {api}/docs",
            f"  client portal   {api}/portal/{self.portal_note()}",
            f"  mailbox         {api}/dev/mailbox/   (every email sent; SMTP on 127.0.0.1:{a.smtp_port})",
            f"  webhook URL     http://127.0.0.1:{a.webhooks_port}/v1/stripe/webhooks/<group_id>"
            + ("" if a.no_seed else "   (demo group registered at localstripe)"),
            f"  Flower          http://127.0.0.1:{a.flower_port}",
            f"  localstripe     {stripe}   Stripe.js stand-in {stripe}/js.stripe.com/v3/",
            f"  PostgreSQL      {database}",
            f"  Redis           {redis}",
            f"  settings        {self.var_dir / 'stack.env'} (the clinicpay command reads it)",
        ]
        if not a.no_seed:
            from shared.demo import DEMO_PASSWORD, demo_logins

            # A person at a terminal gets the password; redirected output (a log file) does not.
            password = DEMO_PASSWORD if self.tty else "see README, 'Demo logins' (shown only on a terminal)"
            lines += ["", f"Demo logins (development only), password for all: {password}"]
            lines += [f"  {role:<9} {email}" for role, email in demo_logins()]
        lines += ["", "Try:  .venv/bin/clinicpay --help", ""]
        self.say("\n".join(lines))

    # --- running and stopping ---------------------------------------------------------------

    def supervise(self) -> None:
        while True:
            self.check_children()
            time.sleep(0.25)

    def fail(self, reason: str) -> int:
        self.shout(f"STOPPING THE STACK: {reason}")
        return 1

    def stop(self) -> None:
        self.stopping = True
        if self.children:
            self.say("stopping " + ", ".join(c.name for c in reversed(self.children)) + " …")
            stop_all(self.children, self.out)
        for service in (self.redis, self.pg):
            if service is not None:
                try:
                    service.stop()
                except Exception as exc:
                    self.say(f"could not stop {type(service).__name__}: {exc}")
        self.say("everything is stopped")

    def run(self) -> int:
        if not self.check_ports():
            return 2
        try:
            database_url, redis_url = self.start_data_services()
            self.env = self.child_env(database_url, redis_url)
            os.environ.update({k: self.env[k] for k in ("DATABASE_URL", "REDIS_URL")})
            self.one_shot("migrate", "migrate")
            self.start_processes()
            self.banner()
            self.say(
                "pids "
                + " ".join(f"{c.name}={c.pid}" for c in self.children)
                + " "
                + " ".join(f"{k}={v}" for k, v in embedded.process_ids(self.pg, self.redis).items())
            )
            self.supervise()
        except StopRequested:
            self.say("stop requested")
            return 0
        except SystemExit as exc:
            return int(exc.code or 0)
        except Exception as exc:
            self.say(traceback.format_exc().rstrip())
            return self.fail(f"{type(exc).__name__}: {exc}")
        finally:
            self.stop()
        return 0


def main(argv: list[str] | None = None) -> int:
    stack = DevStack(parse_args(argv))

    def on_signal(signum: int, _frame: object) -> None:
        if stack.stopping:
            return  # already on the way down; stop_all escalates to SIGKILL by itself
        raise StopRequested(signal.Signals(signum).name)

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)
    return stack.run()


if __name__ == "__main__":
    raise SystemExit(main())
