"""The invoice PDF as a client reads it: long invoices continue on more pages, names print as written."""

from __future__ import annotations

from datetime import date, timedelta

from pypdf import PdfReader

from shared.invoicing.pdf import InvoiceDocument, LineView, PaymentView, render_invoice_pdf
from tests.factories import invoice_document, pdf_text


def document(**overrides) -> InvoiceDocument:
    return invoice_document(**overrides)


def test_sixty_services_continue_on_a_second_page_and_the_total_comes_last(tmp_path):
    lines = [
        LineView(date(2026, 1, 1) + timedelta(days=i), f"Session {i + 1}", 10_000, 2_500, 7_500) for i in range(60)
    ]
    pdf = render_invoice_pdf(document(lines=lines, total_cents=450_000, balance_cents=450_000))
    reader = PdfReader(__import__("io").BytesIO(pdf.content))
    assert len(reader.pages) == 2
    text = pdf_text(pdf.content)
    assert all(f"Session {i + 1}" in text for i in range(60))
    assert "(continued)" in reader.pages[1].extract_text()
    assert "$4,500.00" in reader.pages[1].extract_text()
    assert "Pay online in your client portal" in text and "https://portal.example/portal/" in text


def test_names_print_as_written_and_the_same_invoice_gives_the_same_bytes():
    doc = document(client_name="Zoë Ødegård-Núñez", practice_name="Thérapie (Montréal) \\ Inc.")
    first, second = render_invoice_pdf(doc), render_invoice_pdf(doc)
    text = pdf_text(first.content)
    assert "Zoë Ødegård-Núñez" in text and "Thérapie (Montréal) \\ Inc." in text
    assert first.content == second.content and first.sha256 == second.sha256
    # A script the standard fonts cannot draw still gives a readable document.
    assert "INV-000042" in pdf_text(render_invoice_pdf(document(client_name="李小龍")).content)


def test_a_paid_invoice_shows_its_payments_and_no_request_to_pay():
    doc = document(
        status="paid",
        balance_cents=0,
        payments=[
            PaymentView(date(2026, 4, 9), "check", 10_000),
            PaymentView(date(2026, 4, 10), "card", 5_000, refunded_cents=0),
        ],
    )
    text = pdf_text(render_invoice_pdf(doc).content)
    assert "PAID" in text and "Check" in text and "Card" in text and "$0.00" in text
    assert "Pay online" not in text
    unpaid_offline = pdf_text(render_invoice_pdf(document(pay_online=False)).content)
    assert "Please pay Calm Therapy directly" in unpaid_offline
