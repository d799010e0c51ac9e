"""A payment's receipt as a PDF: the practice's letterhead, who paid, when, how and how much, any
refunds of it, and the invoice's balance now — never the invoice's lines (their service
descriptions are clinical; the receipt goes wherever the client forwards it, an employer or an
insurer). Drawn by the invoice's own writer, so the letterhead, fonts for every script and the
page layout are the invoice's."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date

from shared.invoicing.pdf import (
    FONT,
    FONT_BOLD,
    MARGIN,
    PAGE_WIDTH,
    ROW_HEIGHT,
    InvoiceDocument,
    PageWriter,
    RenderedPdf,
    fit_text,
)


@dataclass(frozen=True)
class ReceiptFacts:
    receipt_number: str  # the invoice number and the payment's place on it, e.g. INV-000012-2
    received_date: date
    method: str  # as people read it: "Card", "Bank account (ACH)", "Check"…
    amount_cents: int
    reference: str | None = None
    refunds: list[tuple[date, int]] = field(default_factory=list)  # succeeded refunds of this payment


class _ReceiptWriter(PageWriter):
    def __init__(self, doc: InvoiceDocument, receipt: ReceiptFacts) -> None:
        super().__init__(doc)
        self.receipt = receipt
        self.canvas.setTitle(f"Receipt {receipt.receipt_number}")

    def invoice_title(self, y: float) -> None:
        self.canvas.setFont(FONT_BOLD, 20)
        self.canvas.drawRightString(PAGE_WIDTH - MARGIN, y, "RECEIPT")

    def bill_to(self, top: float) -> None:
        d, r = self.doc, self.receipt
        facts = [("Receipt", r.receipt_number), ("For invoice", d.number), ("Received", r.received_date.isoformat())]
        rows = self.client_and_facts(top, "Received from", facts)
        self.y = top - (rows + 1) * ROW_HEIGHT

    def amounts(self) -> None:
        c, r = self.canvas, self.receipt
        rows = [("Paid by", r.method, FONT)]
        if r.reference:
            rows.append(("Reference", fit_text(c, r.reference, 250), FONT))
        rows.append(("Amount received", self.money(r.amount_cents), FONT_BOLD))
        for refunded_on, cents in r.refunds:
            rows.append((f"Refunded {refunded_on.isoformat()}", "-" + self.money(cents), FONT))
        if r.refunds:
            rows.append(("Kept", self.money(r.amount_cents - sum(cents for _, cents in r.refunds)), FONT_BOLD))
        rows.append(("Invoice balance now", self.money(self.doc.balance_cents), FONT_BOLD))
        c.line(MARGIN, self.y + ROW_HEIGHT - 4, PAGE_WIDTH - MARGIN, self.y + ROW_HEIGHT - 4)
        for label, value, font in rows:
            self.ensure_room(ROW_HEIGHT)
            c.setFont(FONT, 10)
            c.drawString(MARGIN, self.y, label)
            c.setFont(font, 10)
            c.drawRightString(PAGE_WIDTH - MARGIN, self.y, value)
            self.y -= ROW_HEIGHT
        self.y -= ROW_HEIGHT
        c.setFont(FONT, 9)
        c.drawString(MARGIN, self.y, f"Thank you. Questions about this payment: contact {self.doc.practice_name}.")

    def footer(self) -> None:
        c = self.canvas
        c.setFont(FONT, 8)
        c.drawRightString(PAGE_WIDTH - MARGIN, MARGIN - 18, f"Receipt {self.receipt.receipt_number} · page {self.page}")

    def render(self) -> bytes:
        self.header()
        self.amounts()
        self.footer()
        return self.canvas.save()


def render_receipt_pdf(doc: InvoiceDocument, receipt: ReceiptFacts) -> RenderedPdf:
    content = _ReceiptWriter(doc, receipt).render()
    return RenderedPdf(content=content, sha256=hashlib.sha256(content).hexdigest())
