"""`make run`'s SMTP server (aiosmtpd): accepts every message and stores it for /dev/mailbox/.

    .venv/bin/python deploy/local/mail_server.py --port 1025 --dir var/mailbox

Development only: it relays nothing anywhere, so a demo never emails a real address.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(REPO_ROOT))

from aiosmtpd.controller import Controller  # noqa: E402

from shared.outbox.dev_mailbox import MailboxHandler  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The development SMTP server behind /dev/mailbox/.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1025)
    parser.add_argument("--dir", type=Path, default=REPO_ROOT / "var" / "mailbox")
    args = parser.parse_args(argv)
    controller = Controller(MailboxHandler(args.dir), hostname=args.host, port=args.port)
    controller.start()
    print(f"SMTP server on {args.host}:{args.port}, storing messages in {args.dir}", flush=True)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    controller.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
