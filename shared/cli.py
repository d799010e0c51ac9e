"""The `clinicpay` command: migrations, the first operator, the demo practice, event replay, key rotation.

It reads the same settings as the services. While `make run` is up, `var/stack.env`
points it at the running stack's database, so no extra configuration is needed.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

from shared.config import check_settings
from shared.logging import configure_logging


def _migrate(args: argparse.Namespace) -> int:
    from shared.db.migrate import upgrade_to_head

    upgrade_to_head()
    print("database is at the latest migration")
    return 0


def _create_operator(args: argparse.Namespace) -> int:
    from shared.db.engine import session_scope
    from shared.errors import ClinicpayError
    from shared.users.service import create_operator

    if not args.password_stdin:
        print("pass the password on standard input with --password-stdin", file=sys.stderr)
        return 2
    password = sys.stdin.readline().rstrip("\r\n")
    try:
        with session_scope() as session:
            create_operator(session, args.email, password)
    except ClinicpayError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    print(f"operator {args.email} created")
    return 0


def _seed_demo(args: argparse.Namespace) -> int:
    from shared.demo import seed_demo

    print(seed_demo().render(show_password=sys.stdout.isatty()))
    return 0


def _replay_event(args: argparse.Namespace) -> int:
    from shared.jobs.replay import replay_event

    return replay_event(args.event_id)


def _rotate_secrets(args: argparse.Namespace) -> int:
    """Re-encrypt every stored secret (Stripe keys, users' TOTP secrets) with the newest key in CLINICPAY_SECRET_KEYS."""
    from sqlalchemy import select

    import shared.db.models  # noqa: F401
    from shared.actor import Actor
    from shared.audit.service import record
    from shared.db.engine import session_scope
    from shared.groups.models import Group
    from shared.security.secrets import rotate_secret
    from shared.users.models import User

    rotated = 0
    with session_scope() as session:
        groups = list(
            session.scalars(
                select(Group)
                .where(
                    Group.stripe_secret_key_encrypted.is_not(None) | Group.stripe_webhook_secret_encrypted.is_not(None)
                )
                .with_for_update()
            )
        )
        for group in groups:
            if group.stripe_secret_key_encrypted is not None:
                group.stripe_secret_key_encrypted = rotate_secret(group.stripe_secret_key_encrypted)
            if group.stripe_webhook_secret_encrypted is not None:
                group.stripe_webhook_secret_encrypted = rotate_secret(group.stripe_webhook_secret_encrypted)
            record(session, Actor(kind="system", group_id=group.id), "stripe.secrets_rotated", "group", group.id)
            rotated += 1
        users = list(session.scalars(select(User).where(User.totp_secret_encrypted.is_not(None)).with_for_update()))
        for user in users:
            user.totp_secret_encrypted = rotate_secret(user.totp_secret_encrypted)
    print(
        f"re-encrypted the Stripe secrets of {rotated} group(s) and the TOTP secrets of {len(users)} user(s) "
        "with the newest key"
    )
    return 0


def _friendly_errors(fn: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """A clerk-readable line instead of a traceback for the failures people actually hit."""
    from sqlalchemy.exc import OperationalError

    from shared.config import STACK_ENV_FILE, database_settings
    from shared.demo import DemoSetupError

    try:
        return fn(args)
    except OperationalError as exc:
        url = database_settings().url
        where = url.split("@")[-1] if "@" in url else url
        hint = (
            f" (from {STACK_ENV_FILE}: is `make run` running?)"
            if STACK_ENV_FILE.exists()
            else " (set DATABASE_URL, or start `make run`)"
        )
        print(f"error: cannot reach the database at {where}{hint}\n{exc.orig}", file=sys.stderr)
        return 1
    except DemoSetupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="clinicpay", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(fn=_migrate)
    op = sub.add_parser("create-operator", help="create a platform operator")
    op.add_argument("email")
    op.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    op.set_defaults(fn=_create_operator)
    sub.add_parser("seed-demo", help="create (or refresh) the demo practice; development only").set_defaults(
        fn=_seed_demo
    )
    rp = sub.add_parser("replay-event", help="apply a stored Stripe event again (by inbox id or Stripe event id)")
    rp.add_argument("event_id")
    rp.set_defaults(fn=_replay_event)
    sub.add_parser(
        "rotate-secrets", help="re-encrypt stored Stripe and TOTP secrets with the newest CLINICPAY_SECRET_KEYS key"
    ).set_defaults(fn=_rotate_secrets)
    return parser


def main(argv: list[str] | None = None) -> int:
    # A command line shows its own results; library chatter (Alembic's INFO lines) only when asked for.
    check_settings()
    configure_logging(os.environ.get("CLINICPAY_LOG_LEVEL", "WARNING"))
    args = build_parser().parse_args(argv)
    return _friendly_errors(args.fn, args)


if __name__ == "__main__":
    raise SystemExit(main())
