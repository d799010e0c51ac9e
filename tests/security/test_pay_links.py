"""Pay links as an attacker tries them: the link's token is the only credential of the public pay page
(services/api/routes/pay.py), so everything that is not a working link of this invoice must open
nothing, say nothing, and be throttled.

- tampered (every position of a real token changed), truncated, extended, re-cased, made up, expired,
  revoked, another invoice's (its payments), another practice's: each opens nothing, and every "nothing"
  is the same 404 `pay_link_invalid` but for a real expired link (410 `pay_link_expired`, no details);
- brute force: a parallel burst of guesses from one address gets `pay_link_max_failures` answers and
  429 after, on Redis 6.2 and on REDIS_URL's server alike (the `limiter_redis` fixture); another
  address is not held up by it;
- the tokens are in no log line (the request log writes /v1/pay/{token}) and in no database row but as their
  SHA-256.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from shared.config import app_settings
from tests import capture
from tests.conftest import TEST_DB_URL
from tests.factories import make_invoice, make_paying_client
from tests.faults.record import record_scenario
from tests.paylinks.helpers import age_link, mint_link
from tests.security.secrets_scan import database_text
from tests.security.test_login import from_address


def _variants(token: str) -> list[str]:
    body = token[4:]
    changed = []
    for i in range(len(body)):
        swap = "A" if body[i] != "A" else "B"
        changed.append("cpl_" + body[:i] + swap + body[i + 1 :])
    return [*changed, token[:-1], token + "A", token.swapcase(), "cpt_" + body, body, "cpl_", " " + token]


def test_nothing_but_a_working_link_of_this_invoice_opens_anything(http, localstripe, api_url):
    paying = make_paying_client(http, localstripe.url)
    invoice_id = make_invoice(paying.practice.group_id, paying.client_id)
    token = mint_link(invoice_id)
    invalid_answer = http.get("/v1/pay/cpl_" + "z" * 43).json()
    assert invalid_answer["error"]["code"] == "pay_link_invalid"
    answers = Counter()
    # Each variant from an address of its own: the throttle is not what answers here.
    for n, guess in enumerate(_variants(token)):
        with from_address(api_url, f"127.0.{n // 250 + 10}.{n % 250 + 1}") as client:
            r = client.get(f"/v1/pay/{guess}")
            answers[(r.status_code, r.text)] += 1
            assert r.json() == invalid_answer or r.status_code == 404, (guess[:8], r.text)
    assert set(answers) <= {(404, http.get("/v1/pay/cpl_" + "z" * 43).text)}, answers

    # Another invoice's link reaches none of this invoice's payments; another practice's neither.
    sibling = mint_link(make_invoice(paying.practice.group_id, paying.client_id))
    started = http.post(f"/v1/pay/{token}/payments", json={}).json()
    stranger = make_paying_client(http, localstripe.url)
    foreign = mint_link(make_invoice(stranger.practice.group_id, stranger.client_id))
    for other in (sibling, foreign):
        for method, path in (("GET", ""), ("POST", "/confirm"), ("POST", "/cancel")):
            r = http.request(method, f"/v1/pay/{other}/payments/{started['payment_id']}{path}")
            assert r.status_code == 404, r.text
    assert http.get(f"/v1/pay/{token}/payments/{started['payment_id']}").json()["status"] == "pending"

    # Revoked: as if it never was. Expired: says only that.
    revoked = mint_link(invoice_id)
    expired = mint_link(invoice_id)
    age_link(expired, 365)
    http.post(f"/v1/invoices/{invoice_id}/pay-links/revoke", headers=paying.practice.biller)
    assert http.get(f"/v1/pay/{revoked}").json() == invalid_answer
    assert http.get(f"/v1/pay/{token}").json() == invalid_answer  # revoke reaches every link of the invoice
    live = mint_link(invoice_id)
    age_link(live, 365)
    r = http.get(f"/v1/pay/{live}")
    assert (r.status_code, sorted(r.json()["error"])) == (410, ["code", "message", "param"])


def test_a_burst_of_guesses_from_one_address_gets_only_the_allowed_tries(http, localstripe, api_url, limiter_redis):
    paying = make_paying_client(http, localstripe.url)
    token = mint_link(make_invoice(paying.practice.group_id, paying.client_id))
    allowed = app_settings().pay_link_max_failures
    burst = allowed * 4
    with from_address(api_url, "127.0.0.7") as client, ThreadPoolExecutor(max_workers=16) as pool:
        statuses = Counter(pool.map(lambda n: client.get(f"/v1/pay/cpl_{n:043d}").status_code, range(burst)))
        assert statuses == {404: allowed, 429: burst - allowed}, statuses
        # Once throttled, the address gets nothing, not even from a real link (it must wait the window out).
        assert client.get(f"/v1/pay/{token}").status_code == 429
        assert client.post(f"/v1/pay/{token}/fresh-link").status_code == 429
    with from_address(api_url, "127.0.0.8") as other:
        assert other.get(f"/v1/pay/{token}").status_code == 200  # another address is not held up
    record_scenario(
        f"pay_link_guess_burst_{limiter_redis.split('.')[0]}",
        load={"guesses": burst, "parallel": 16},
        faults=[f"{burst} made-up pay link tokens at once from one address (Redis {limiter_redis})"],
        lost={"guesses_past_the_limit": statuses[404] - allowed},
        title="Pay link guessing is throttled per address",
    )


def test_tokens_are_in_no_log_line_and_no_row(http, localstripe):
    paying = make_paying_client(http, localstripe.url)
    invoice_id = make_invoice(paying.practice.group_id, paying.client_id)
    token = mint_link(invoice_id)
    assert http.get(f"/v1/pay/{token}").status_code == 200
    started = http.post(f"/v1/pay/{token}/payments", json={}).json()
    http.get(f"/v1/pay/{token}/payments/{started['payment_id']}")
    age_link(token, 31)
    http.post(f"/v1/pay/{token}/fresh-link")
    logged = capture.TEST_PROCESS_LOG.read_text(encoding="utf-8")
    assert token not in logged and token[4:20] not in logged
    assert "/v1/pay/{token}" in logged  # the request log names the route, not the token
    rows = [where for where, value in database_text(TEST_DB_URL) if token in value or token[4:] in value]
    assert rows == []
