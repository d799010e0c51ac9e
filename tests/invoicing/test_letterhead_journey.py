"""A practice puts its letterhead on invoices; the invoice a client was sent stays as it was sent.

The worker issues the invoice (version 1) with the letterhead of that moment; the admin then
moves the practice; the issued PDF does not change, and the next version (after a payment)
prints the new address. A client named in three scripts reads their name as typed, in the
portal's PDF too. On a server without the fonts, the version that needs them is refused with
a clear error and nothing is stored.
"""

from __future__ import annotations

import io

from PIL import Image

from tests import factories as b
from tests.invoicing import pdf_inspect as pi

THE_NAME = "Łukasz Nguyễn 王秀英"


def _logo() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (600, 200), (30, 110, 160, 255)).save(out, "PNG")
    return out.getvalue()


def _issued(http, practice, client) -> dict:
    rate = b.make_rate(practice, "Individual session (Self-Pay)", 15_000)
    service = b.make_service(practice, client, rate, "2026-03-02")
    run = b.wait_for_run(http, practice, b.start_run(http, practice, [service]).json()["id"])
    assert run["status"] == "succeeded", run
    return http.get(f"/v1/invoices/{run['invoice_ids'][0]}", headers=practice.biller).json()


def test_the_issued_pdf_keeps_its_letterhead_and_the_next_version_prints_the_new_one(http, worker):
    practice = b.make_practice(staff=True, name="Calm Therapy")
    client = b.make_client(practice, THE_NAME, portal=True)
    r = http.patch(
        "/v1/settings",
        headers=practice.admin,
        json={"address_lines": ["12 Main Street", "Springfield, IL 62701"], "phone": "555-0100", "npi": "1234567893"},
    )
    assert r.status_code == 200, r.text
    assert http.put("/v1/settings/logo", headers=practice.admin, content=_logo()).status_code == 200
    invoice = _issued(http, practice, client)

    issued = http.get(f"/v1/invoices/{invoice['id']}/pdf", headers=practice.biller)
    lines = pi.extracted_lines(issued.content)
    assert THE_NAME in [line.split(" Invoiced date")[0] for line in lines]
    assert {"12 Main Street", "Springfield, IL 62701", "Phone 555-0100", "NPI 1234567893"} <= set(lines)
    assert pi.image_count(issued.content) == 1
    pi.render_png(issued.content, "journey-issued")
    # The client's portal serves the same document.
    portal = http.get(f"/v1/portal/invoices/{invoice['id']}/pdf", headers=client.portal)
    assert portal.status_code == 200 and portal.content == issued.content

    # The practice moves and drops its logo: the invoice as sent does not change…
    http.patch("/v1/settings", headers=practice.admin, json={"address_lines": ["1 New Road", "Shelbyville"]})
    assert http.delete("/v1/settings/logo", headers=practice.admin).status_code == 204
    again = http.get(f"/v1/invoices/{invoice['id']}/pdf", headers=practice.biller)
    assert again.content == issued.content and again.headers["x-invoice-pdf-version"] == "1"

    # … until the ledger moves: version 2 prints the new address and no logo; version 1 stays.
    paid = http.post(
        f"/v1/invoices/{invoice['id']}/payments",
        headers=practice.biller,
        json={"amount_cents": 5_000, "method": "check", "received_date": "2026-04-09"},
    )
    assert paid.status_code == 201, paid.text
    current = http.get(f"/v1/invoices/{invoice['id']}/pdf", headers=practice.biller)
    assert current.headers["x-invoice-pdf-version"] == "2"
    now = pi.extracted_lines(current.content)
    assert "1 New Road" in now and "12 Main Street" not in now and pi.image_count(current.content) == 0
    first = http.get(f"/v1/invoices/{invoice['id']}/pdf?version=1", headers=practice.biller)
    assert first.content == issued.content
    versions = http.get(f"/v1/invoices/{invoice['id']}/pdfs", headers=practice.biller).json()["data"]
    assert [v["version"] for v in versions] == [1, 2]


def test_without_the_fonts_a_version_that_needs_them_is_refused_and_nothing_is_stored(http, worker, request):
    practice = b.make_practice(staff=True, name="Calm Therapy")
    client = b.make_client(practice, THE_NAME, portal=True)
    invoice = _issued(http, practice, client)  # issued by the worker, which has the fonts
    http.post(
        f"/v1/invoices/{invoice['id']}/payments",
        headers=practice.biller,
        json={"amount_cents": 5_000, "method": "cash", "received_date": "2026-04-09"},
    )
    request.getfixturevalue("fonts_missing")
    r = http.get(f"/v1/invoices/{invoice['id']}/pdf", headers=practice.biller)
    assert r.status_code == 503, r.text
    error = r.json()["error"]
    assert error["code"] == "pdf_fonts_missing" and "fonts-wqy-zenhei" in error["message"]
    assert THE_NAME not in r.text  # the error names the fonts, not the client
    versions = http.get(f"/v1/invoices/{invoice['id']}/pdfs", headers=practice.biller).json()["data"]
    assert [v["version"] for v in versions] == [1]
    # The issued version is stored and still served.
    assert http.get(f"/v1/invoices/{invoice['id']}/pdf?version=1", headers=practice.biller).status_code == 200
