"""The `clinicpay` command: migrations, the first operator, the demo practice, event replay."""

from __future__ import annotations

import argparse
import sys

from shared.logging import configure_logging


def _migrate(args: argparse.Namespace) -> int:
    from shared.db.migrate import upgrade_to_head

    upgrade_to_head()
    print("database is at the latest migration")
    return 0


def _create_operator(args: argparse.Namespace) -> int:
    from shared.users.service import create_operator
    from shared.db.engine import session_scope
    from shared.errors import ClinicpayError

    if not args.password_stdin:
        print("pass the password on standard input with --password-stdin", file=sys.stderr)
        return 2
    password = sys.stdin.readline().rstrip("\n")
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

    summary = seed_demo()
    print(summary)
    return 0


def _replay_event(args: argparse.Namespace) -> int:
    from shared.stripe_sync.replay import replay_event

    return replay_event(args.event_id)


def main(argv: list[str] | None = None) -> int:
    configure_logging()
    parser = argparse.ArgumentParser(prog="clinicpay", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(fn=_migrate)
    op = sub.add_parser("create-operator", help="create a platform operator")
    op.add_argument("email")
    op.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    op.set_defaults(fn=_create_operator)
    sub.add_parser("seed-demo", help="create (or refresh) the demo practice").set_defaults(fn=_seed_demo)
    rp = sub.add_parser("replay-event", help="apply a stored Stripe event again (by inbox id or Stripe event id)")
    rp.add_argument("event_id")
    rp.set_defaults(fn=_replay_event)
    args = parser.parse_args(argv)
    return args.fn(args)


if __name__ == "__main__":
    raise SystemExit(main())
