"""Rendering one invoice as a PDF (about half a millisecond a page, see pdf_canvas).

The document holds only what a client's invoice needs: the practice's letterhead (name,
logo, address, phone, tax id, NPI), the client's name, the number and dates, and per line
the service date and the service's name with its amounts. Nothing clinical beyond the
service name is ever drawn. Names and text in any script print as written (pdf_text). The
same invoice state renders to the same bytes, so the stored SHA-256 identifies a version's
content.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date

from shared.invoicing.pdf_canvas import PdfCanvas, PdfImage
from shared.ledger.currency import format_money

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
_LETTERHEAD_WIDTH = 330.0
LOGO_BOX = (160.0, 56.0)  # the most room a logo takes, in points (kept in proportion)


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
    # The letterhead beyond the name, from the practice's settings when this version was rendered.
    practice_address: tuple[str, ...] = ()
    practice_phone: str | None = None
    practice_tax_id: str | None = None
    practice_npi: str | None = None
    logo: PdfImage | None = None
    # Invoices have no due date yet (payment terms come with a later change): the header prints
    # one under the invoiced date as soon as the document carries it.
    due_date: date | None = None


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    sha256: str


_METHOD_LABELS = {"card": "Card", "insurance": "Insurance", "cash": "Cash", "check": "Check", "external": "Other"}


def fit_text(canvas, text: str, width: float, font: str = FONT, size: float = 9) -> str:
    if canvas.stringWidth(text, font, size) <= width:
        return text
    while text and canvas.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


class PageWriter:
    """Draws top to bottom, starting a new page (with the table header again) when one fills up."""

    def __init__(self, doc: InvoiceDocument) -> None:
        self.doc = doc
        self.canvas = PdfCanvas(pagesize=(PAGE_WIDTH, PAGE_HEIGHT))
        self.canvas.setTitle(f"Invoice {doc.number}")
        self.canvas.setAuthor(doc.practice_name)
        self.y = PAGE_HEIGHT - MARGIN
        self.stamp_y = self.y - 64
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
        top = self.y
        y = top
        if d.logo is not None:
            scale = min(LOGO_BOX[0] / d.logo.width, LOGO_BOX[1] / d.logo.height)
            width, height = d.logo.width * scale, d.logo.height * scale
            logo_top = top + 15  # level with the top of "INVOICE"
            c.drawImage(d.logo, MARGIN, logo_top - height, width, height)
            self.invoice_title(top)
            y = logo_top - height - 20
        c.setFont(FONT_BOLD, 16)
        c.drawString(MARGIN, y, fit_text(c, d.practice_name, _LETTERHEAD_WIDTH, FONT_BOLD, 16))
        if d.logo is None:
            self.invoice_title(top)
        y -= 14
        c.setFont(FONT, 9)
        ids = [
            f"Tax ID {d.practice_tax_id}" if d.practice_tax_id else "",
            f"NPI {d.practice_npi}" if d.practice_npi else "",
        ]
        details = [
            *d.practice_address,
            f"Phone {d.practice_phone}" if d.practice_phone else "",
            " · ".join(filter(None, ids)),
        ]
        for text in filter(None, details):
            c.drawString(MARGIN, y, fit_text(c, text, _LETTERHEAD_WIDTH, FONT, 9))
            y -= 11
        self.bill_to(y - 18)

    def invoice_title(self, y: float) -> None:
        self.canvas.setFont(FONT_BOLD, 20)
        self.canvas.drawRightString(PAGE_WIDTH - MARGIN, y, "INVOICE")

    def bill_to(self, top: float) -> None:
        """The client on the left; the invoice's number and dates on the right, row by row."""
        d = self.doc
        facts = [("Invoice number", d.number), ("Invoiced date", d.invoiced_date.isoformat())]
        if d.due_date is not None:
            facts.append(("Due date", d.due_date.isoformat()))
        rows = self.client_and_facts(top, "Bill to", facts)
        self.stamp_y = top - 2 * ROW_HEIGHT
        self.y = top - (rows + 1) * ROW_HEIGHT

    def client_and_facts(self, top: float, label: str, facts: list[tuple[str, str]]) -> int:
        """The client under `label` on the left, `facts` (label, value) right-aligned on the right,
        row by row from `top`; answers how many rows it took."""
        c = self.canvas
        client = [(FONT, 10, label), (FONT_BOLD, 11, fit_text(c, self.doc.client_name, 300, FONT_BOLD, 11))]
        rows = max(len(facts), len(client))
        for row in range(rows):
            y = top - row * ROW_HEIGHT
            if row < len(client):
                font, size, text = client[row]
                c.setFont(font, size)
                c.drawString(MARGIN, y, text)
            if row < len(facts):
                c.setFont(FONT, 10)
                c.drawRightString(PAGE_WIDTH - MARGIN - 110, y, facts[row][0])
                c.drawRightString(PAGE_WIDTH - MARGIN, y, facts[row][1])
        return rows

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
            c.drawString(_COL_DESCRIPTION, self.y, fit_text(c, line.description, _DESCRIPTION_WIDTH))
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
            c.drawString(
                MARGIN, self.y, f"Please pay {d.practice_name} directly. See this invoice in your client portal:"
            )
        self.y -= ROW_HEIGHT
        c.setFont(FONT_BOLD, 10)
        c.drawString(MARGIN, self.y, fit_text(c, d.portal_url, PAGE_WIDTH - 2 * MARGIN, FONT_BOLD, 10))
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
        c.translate(PAGE_WIDTH / 2 - 40, self.stamp_y)
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
    content = PageWriter(doc).render()
    return RenderedPdf(content=content, sha256=hashlib.sha256(content).hexdigest())
