"""Rendering one invoice as a PDF (about a tenth of a millisecond a page, see pdf_canvas).

The document holds only what a client's invoice needs: the practice, the client's name,
the number and date, and per line the service date and the service's name with its
amounts. Nothing clinical beyond the service name is ever drawn. The same invoice state
renders to the same bytes, so the stored SHA-256 identifies a version's content.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date

from shared.invoicing.currency import format_money
from shared.invoicing.pdf_canvas import PdfCanvas

PAGE_WIDTH, PAGE_HEIGHT = 612.0, 792.0  # US Letter, in points
MARGIN = 54.0
ROW_HEIGHT = 16.0
FONT = "Helvetica"
FONT_BOLD = "Helvetica-Bold"

# Right edges of the amount columns and the left edges of the text columns.
_COL_DATE = MARGIN
_COL_DESCRIPTION = MARGIN + 72
_COL_AMOUNT_RIGHT = 392.0
_COL_INSURANCE_RIGHT = 480.0
_COL_CLIENT_RIGHT = PAGE_WIDTH - MARGIN
_DESCRIPTION_WIDTH = _COL_AMOUNT_RIGHT - 70 - _COL_DESCRIPTION


@dataclass(frozen=True)
class LineView:
    service_date: date
    description: str
    amount_cents: int
    insurance_paid_cents: int
    client_part_cents: int


@dataclass(frozen=True)
class PaymentView:
    received_date: date | None
    method: str
    amount_cents: int
    refunded_cents: int = 0


@dataclass(frozen=True)
class InvoiceDocument:
    practice_name: str
    client_name: str
    number: str
    invoiced_date: date
    currency: str
    total_cents: int
    balance_cents: int
    status: str
    portal_url: str
    pay_online: bool
    lines: list[LineView] = field(default_factory=list)
    payments: list[PaymentView] = field(default_factory=list)


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    sha256: str


_METHOD_LABELS = {"card": "Card", "insurance": "Insurance", "cash": "Cash", "check": "Check", "external": "Other"}


def _fit(canvas, text: str, width: float, font: str = FONT, size: float = 9) -> str:  # noqa: ANN001
    if canvas.stringWidth(text, font, size) <= width:
        return text
    while text and canvas.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


class _Writer:
    """Draws top to bottom, starting a new page (with the table header again) when one fills up."""

    def __init__(self, doc: InvoiceDocument) -> None:
        self.doc = doc
        self.canvas = PdfCanvas(pagesize=(PAGE_WIDTH, PAGE_HEIGHT))
        self.canvas.setTitle(f"Invoice {doc.number}")
        self.canvas.setAuthor(doc.practice_name)
        self.y = PAGE_HEIGHT - MARGIN
        self.page = 1

    def money(self, cents: int) -> str:
        return format_money(cents, self.doc.currency)

    def ensure_room(self, height: float, *, table_header: bool = False) -> None:
        if self.y - height >= MARGIN + 24:
            return
        self.footer()
        self.canvas.showPage()
        self.page += 1
        self.y = PAGE_HEIGHT - MARGIN
        c = self.canvas
        c.setFont(FONT, 9)
        c.drawString(MARGIN, self.y, f"{self.doc.practice_name} — Invoice {self.doc.number} (continued)")
        self.y -= 2 * ROW_HEIGHT
        if table_header:
            self.table_header()

    def header(self) -> None:
        c, d = self.canvas, self.doc
        c.setFont(FONT_BOLD, 16)
        c.drawString(MARGIN, self.y, _fit(c, d.practice_name, 330, FONT_BOLD, 16))
        c.setFont(FONT_BOLD, 20)
        c.drawRightString(PAGE_WIDTH - MARGIN, self.y, "INVOICE")
        self.y -= 2 * ROW_HEIGHT
        c.setFont(FONT, 10)
        c.drawString(MARGIN, self.y, "Bill to")
        c.drawRightString(PAGE_WIDTH - MARGIN - 110, self.y, "Invoice number")
        c.drawRightString(PAGE_WIDTH - MARGIN, self.y, d.number)
        self.y -= ROW_HEIGHT
        c.setFont(FONT_BOLD, 11)
        c.drawString(MARGIN, self.y, _fit(c, d.client_name, 300, FONT_BOLD, 11))
        c.setFont(FONT, 10)
        c.drawRightString(PAGE_WIDTH - MARGIN - 110, self.y, "Invoiced date")
        c.drawRightString(PAGE_WIDTH - MARGIN, self.y, d.invoiced_date.isoformat())
        self.y -= 2 * ROW_HEIGHT

    def table_header(self) -> None:
        c = self.canvas
        c.setFont(FONT_BOLD, 9)
        c.drawString(_COL_DATE, self.y, "Date")
        c.drawString(_COL_DESCRIPTION, self.y, "Service")
        c.drawRightString(_COL_AMOUNT_RIGHT, self.y, "Amount")
        c.drawRightString(_COL_INSURANCE_RIGHT, self.y, "Insurance paid")
        c.drawRightString(_COL_CLIENT_RIGHT, self.y, "Your part")
        c.line(MARGIN, self.y - 4, PAGE_WIDTH - MARGIN, self.y - 4)
        self.y -= ROW_HEIGHT

    def lines(self) -> None:
        c = self.canvas
        self.table_header()
        for line in self.doc.lines:
            self.ensure_room(ROW_HEIGHT, table_header=True)
            c.setFont(FONT, 9)
            c.drawString(_COL_DATE, self.y, line.service_date.isoformat())
            c.drawString(_COL_DESCRIPTION, self.y, _fit(c, line.description, _DESCRIPTION_WIDTH))
            c.drawRightString(_COL_AMOUNT_RIGHT, self.y, self.money(line.amount_cents))
            c.drawRightString(_COL_INSURANCE_RIGHT, self.y, self.money(line.insurance_paid_cents))
            c.drawRightString(_COL_CLIENT_RIGHT, self.y, self.money(line.client_part_cents))
            self.y -= ROW_HEIGHT
        c.line(MARGIN, self.y + ROW_HEIGHT - 4, PAGE_WIDTH - MARGIN, self.y + ROW_HEIGHT - 4)

    def totals(self) -> None:
        c, d = self.canvas, self.doc
        self.ensure_room(ROW_HEIGHT * 2)
        c.setFont(FONT_BOLD, 10)
        c.drawRightString(_COL_INSURANCE_RIGHT, self.y, "Total")
        c.drawRightString(_COL_CLIENT_RIGHT, self.y, self.money(d.total_cents))
        self.y -= 1.5 * ROW_HEIGHT
        if d.payments:
            self.ensure_room(ROW_HEIGHT * 2)
            c.setFont(FONT_BOLD, 9)
            c.drawString(MARGIN, self.y, "Payments received")
            self.y -= ROW_HEIGHT
            for payment in d.payments:
                self.ensure_room(ROW_HEIGHT)
                c.setFont(FONT, 9)
                received = payment.received_date.isoformat() if payment.received_date else ""
                c.drawString(_COL_DATE, self.y, received)
                label = _METHOD_LABELS.get(payment.method, payment.method)
                if payment.refunded_cents:
                    label += f" (refunded {self.money(payment.refunded_cents)})"
                c.drawString(_COL_DESCRIPTION, self.y, label)
                c.drawRightString(_COL_CLIENT_RIGHT, self.y, "-" + self.money(payment.amount_cents))
                self.y -= ROW_HEIGHT
            self.y -= 0.5 * ROW_HEIGHT
        self.ensure_room(ROW_HEIGHT * 2)
        c.setFont(FONT_BOLD, 12)
        c.drawRightString(_COL_INSURANCE_RIGHT, self.y, "Balance due")
        c.drawRightString(_COL_CLIENT_RIGHT, self.y, self.money(d.balance_cents))
        self.y -= 2 * ROW_HEIGHT

    def how_to_pay(self) -> None:
        c, d = self.canvas, self.doc
        if d.status in ("paid", "void") or d.balance_cents == 0:
            return
        self.ensure_room(ROW_HEIGHT * 2)
        c.setFont(FONT, 10)
        if d.pay_online:
            c.drawString(MARGIN, self.y, "Pay online in your client portal:")
        else:
            c.drawString(MARGIN, self.y, f"Please pay {d.practice_name} directly. See this invoice in your client portal:")
        self.y -= ROW_HEIGHT
        c.setFont(FONT_BOLD, 10)
        c.drawString(MARGIN, self.y, _fit(c, d.portal_url, PAGE_WIDTH - 2 * MARGIN, FONT_BOLD, 10))
        self.y -= ROW_HEIGHT

    def stamp(self) -> None:
        """A paid or void invoice says so across the first page, where nobody can miss it."""
        word = {"paid": "PAID", "void": "VOID"}.get(self.doc.status)
        if word is None:
            return
        c = self.canvas
        c.saveState()
        c.setStrokeColorRGB(0.1, 0.55, 0.2) if word == "PAID" else c.setStrokeColorRGB(0.7, 0.1, 0.1)
        c.setFillColorRGB(0.1, 0.55, 0.2) if word == "PAID" else c.setFillColorRGB(0.7, 0.1, 0.1)
        # Between "Bill to" and the invoice number, clear of the table below.
        c.translate(PAGE_WIDTH / 2 - 40, PAGE_HEIGHT - MARGIN - 64)
        c.rotate(8)
        c.setLineWidth(2.5)
        c.roundRect(-8, -9, 106, 38, 6)
        c.setFont(FONT_BOLD, 28)
        c.drawCentredString(45, 0, word)
        c.restoreState()

    def footer(self) -> None:
        c = self.canvas
        c.setFont(FONT, 8)
        c.drawRightString(PAGE_WIDTH - MARGIN, MARGIN - 18, f"{self.doc.number} · page {self.page}")

    def render(self) -> bytes:
        self.header()
        self.stamp()
        self.lines()
        self.totals()
        self.how_to_pay()
        self.footer()
        return self.canvas.save()


def render_invoice_pdf(doc: InvoiceDocument) -> RenderedPdf:
    content = _Writer(doc).render()
    return RenderedPdf(content=content, sha256=hashlib.sha256(content).hexdigest())
