"""`make test-stripe-live`: the Stripe journeys (tests/stripe/test_journeys.py) against a real Stripe sandbox.

    CLINICPAY_STRIPE_TEST_SECRET_KEY=sk_test_… CLINICPAY_STRIPE_TEST_PUBLISHABLE_KEY=pk_test_… make test-stripe-live

Stripe's word reaches clinicpay through reconciliation, unless webhooks can reach the receiver too:
set CLINICPAY_PUBLIC_WEBHOOK_BASE_URL to a public https address (a tunnel) forwarded to
CLINICPAY_STRIPE_LIVE_RECEIVER_PORT on this machine, and the journeys go through the endpoint
clinicpay registers (and deletes again at the end). Without the keys this does nothing, says so
loudly, and exits 2 so no script mistakes it for a pass.
"""

from __future__ import annotations

import os
import subprocess
import sys

from tests.stripe.targets import LIVE_FLAG, LIVE_PUBLISHABLE_KEY, LIVE_SECRET_KEY, live_keys, live_webhooks

NOT_RUN = 2


def main(argv: list[str]) -> int:
    if live_keys() is None:
        banner = "=" * 78
        print(
            f"{banner}\nmake test-stripe-live DID NOTHING: no Stripe sandbox keys.\n"
            f"Set {LIVE_SECRET_KEY} (sk_test_… or rk_test_…) and {LIVE_PUBLISHABLE_KEY} (pk_test_…)\n"
            "from a Stripe sandbox's Developers › API keys, then run it again. Nothing was checked.\n"
            f"{banner}",
            file=sys.stderr,
        )
        return NOT_RUN
    route = "webhooks and reconciliation" if live_webhooks() else "reconciliation (no public receiver URL set)"
    print(f"test-stripe-live: the Stripe journeys against a real Stripe sandbox, through {route}", file=sys.stderr)
    env = dict(os.environ, **{LIVE_FLAG: "1"})
    env.pop("CLINICPAY_STRIPE_API_BASE", None)  # Stripe itself, never a stand-in
    env.pop("CLINICPAY_STRIPE_JS_URL", None)
    cmd = [sys.executable, "-m", "pytest", "tests/stripe/test_journeys.py", "-k", "live", *argv]
    return subprocess.call(cmd, env=env)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
