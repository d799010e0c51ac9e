"""localstripe, the Stripe stand-in, with its store kept in memory only.

Stock localstripe pickles its whole store to one fixed file in /tmp after every write:
two instances overwrite each other and it slows as the store grows. Development and
tests run it through this script instead, with clinicpay's additions (stripe_standin/: webhook
endpoints, payment method domains, ConfirmationTokens, ACH debits, the Payment Element's Stripe.js):

    python deploy/local/localstripe_inmemory.py --port 8420 [--host 127.0.0.1] [--access-log]

It listens on 127.0.0.1 only unless told otherwise (stock localstripe listens on every
interface): an unauthenticated Stripe stand-in must not be reachable from the network. The
compose `dev` profile passes `--host 0.0.0.0`, inside its container.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from aiohttp import web
from localstripe import resources, server


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--access-log", action="store_true")
    args = parser.parse_args()
    resources.Store.dump_to_disk = lambda self: None
    resources.Store.try_load_from_disk = lambda self: None
    # localstripe logs every request; only with --access-log here.
    access_log = logging.getLogger("aiohttp.access") if args.access_log else None
    if access_log is not None:
        access_log.setLevel(logging.DEBUG)
        access_log.addHandler(logging.StreamHandler())
    sys.path.insert(0, str(Path(__file__).resolve().parent))  # stripe_standin/ lies beside this script
    import stripe_standin

    stripe_standin.install(server.app)
    # localstripe's own server.start(), with the address chosen here.
    web.run_app(server.app, host=args.host, port=args.port, access_log=access_log)


if __name__ == "__main__":
    main()
