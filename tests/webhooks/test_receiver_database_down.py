"""A receiver that cannot reach its database must not acknowledge: 503, so Stripe delivers again."""

from __future__ import annotations

import httpx

from tests import stack
from tests.conftest import ProcessHandle
from tests.stripe_events import deliver, event, new_webhook_secret, payment_intent


def test_without_its_database_the_receiver_answers_503_and_is_not_ready():
    port = stack.free_port()
    closed = stack.free_port()  # nothing listens here
    env = stack.child_env(DATABASE_URL=f"postgresql://postgres@127.0.0.1:{closed}/clinicpay")
    handle = ProcessHandle(
        f"receiver-nodb-{port}",
        stack.python_module_cmd(
            "uvicorn", "services.webhooks.app:app", "--host", "127.0.0.1", "--port", str(port), "--no-access-log"
        ),
        env,
    )
    handle.start()
    try:
        base = f"http://127.0.0.1:{port}"
        stack.wait_for_http(f"{base}/healthz", proc=handle.proc)
        with httpx.Client(timeout=30) as client:
            assert client.get(f"{base}/healthz").status_code == 200
            assert client.get(f"{base}/readyz").status_code == 503
            evt = event("payment_intent.succeeded", payment_intent(amount=1_000, status="succeeded"))
            r = deliver(
                client, f"{base}/v1/stripe/webhooks/6f1c1a5e-8a55-4c4e-9d8e-1d2a3b4c5d6e", evt, new_webhook_secret()
            )
            assert r.status_code == 503
            assert r.json()["error"]["code"] == "service_unavailable"
    finally:
        handle.stop()
