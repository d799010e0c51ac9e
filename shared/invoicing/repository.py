"""Every query of the Invoices page: the queue, claiming services for a run, runs, invoices and their PDFs."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Row, Select, func, select, true, update

from shared.billing.models import BillingRate, Service
from shared.clients.models import Client
from shared.db.arrays import any_id
from shared.db.pagination import Page, after_cursor, as_dicts
from shared.db.repository import Repository, Whose, practice_of
from shared.groups.models import Group
from shared.invoicing.models import InvoicePdf, InvoicingRun
from shared.ledger.invoices import Invoice, InvoiceLine


@dataclass(frozen=True)
class SelectedService:
    id: uuid.UUID
    invoice_id: uuid.UUID | None
    claimed_by_run_id: uuid.UUID | None
    invoiceable: bool


class InvoicingRepository(Repository):
    # --- the queue ---

    def queue_page(
        self,
        whose: Whose,
        columns: Sequence[Any],
        *,
        client_id: uuid.UUID | None,
        date_from: date | None,
        date_to: date | None,
        limit: int,
        starting_after: uuid.UUID | None,
    ) -> Page:
        """The queue, newest first: uninvoiced services, not in a run, on a rate that needs billing and is invoiced.

        Rows of the services' `columns` with `client_name`, `billing_rate_name` and the group's
        `currency`, joined in for the page's rows only.

        Read per billing rate (a LATERAL over the group's invoiced rates, each taking its newest
        `limit + 1` from `ix_services_queue`), then merged: at most `limit + 1` rows per rate are
        read however many services the practice has. Filtering by rate after reading instead
        (services joined to rates) read every waiting service of the group — and services on
        insurance rates wait forever — 216,000 rows for one page at 500,000 services.
        """
        group_id = practice_of(whose)
        waiting = [Service.group_id == group_id, Service.invoice_id.is_(None), Service.claimed_by_run_id.is_(None)]
        if client_id is not None:
            waiting.append(Service.client_id == client_id)
        if date_from is not None:
            waiting.append(Service.service_date >= date_from)
        if date_to is not None:
            waiting.append(Service.service_date <= date_to)
        rates = (
            select(BillingRate.id)
            .where(
                BillingRate.group_id == group_id, BillingRate.needs_billing.is_(True), BillingRate.is_invoiced.is_(True)
            )
            .subquery("rates")
        )
        if starting_after is not None:
            queued = select(Service).join(rates, rates.c.id == Service.billing_rate_id).where(*waiting)
            waiting.append(after_cursor(self.session, queued, Service, starting_after))
        newest = [Service.created_at.desc(), Service.id.desc()]
        per_rate = (
            select(Service.id)
            .where(Service.billing_rate_id == rates.c.id, *waiting)
            .order_by(*newest)
            .limit(limit + 1)
            .lateral("per_rate")
        )
        result = self.session.execute(
            select(
                *columns, Client.name.label("client_name"), BillingRate.name.label("billing_rate_name"), Group.currency
            )
            .join(Client, Client.id == Service.client_id)
            .join(BillingRate, BillingRate.id == Service.billing_rate_id)
            .join(Group, Group.id == Service.group_id)
            .where(Service.id.in_(select(per_rate.c.id).select_from(rates).join(per_rate, true())))
            .order_by(*newest)
            .limit(limit + 1)
        )
        return Page.of(as_dicts(result), limit)

    def client_names(self, whose: Whose, client_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
        group_id = practice_of(whose)
        ids = list(set(client_ids))
        if not ids:
            return {}
        stmt = select(Client.id, Client.name).where(Client.group_id == group_id, Client.id == any_id(ids))
        return dict(self.session.execute(stmt).all())

    # --- claiming a selection for a run ---

    def selected_services(self, whose: Whose, service_ids: Sequence[uuid.UUID]) -> list[SelectedService]:
        group_id = practice_of(whose)
        rows = self.session.execute(
            select(
                Service.id,
                Service.invoice_id,
                Service.claimed_by_run_id,
                (BillingRate.needs_billing & BillingRate.is_invoiced).label("invoiceable"),
            )
            .join(BillingRate, BillingRate.id == Service.billing_rate_id)
            .where(Service.group_id == group_id, Service.id == any_id(service_ids))
        ).all()
        return [SelectedService(r.id, r.invoice_id, r.claimed_by_run_id, bool(r.invoiceable)) for r in rows]

    def client_totals(self, whose: Whose, service_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
        """What each client's invoice from these services would total (client_part_cents, summed)."""
        group_id = practice_of(whose)
        part = func.greatest(Service.amount_cents - Service.insurance_paid_cents, 0)
        rows = self.session.execute(
            select(Service.client_id, func.sum(part).label("total"))
            .where(Service.group_id == group_id, Service.id == any_id(service_ids))
            .group_by(Service.client_id)
        ).all()
        return {r.client_id: int(r.total) for r in rows}

    def claim_services(self, whose: Whose, run_id: uuid.UUID, service_ids: Sequence[uuid.UUID]) -> int:
        """Claim every service still free, in one statement; the caller compares the count with the selection.

        The rows are locked in id order (the sub-select FOR UPDATE), so two runs racing on
        overlapping selections queue up behind each other instead of deadlocking; the loser
        re-checks the row after the winner commits, finds it claimed, and claims fewer rows.
        """
        group_id = practice_of(whose)
        free = (
            select(Service.id)
            .where(
                Service.id == any_id(service_ids),
                Service.group_id == group_id,
                Service.invoice_id.is_(None),
                Service.claimed_by_run_id.is_(None),
            )
            .order_by(Service.id)
            .with_for_update()
        )
        result = self.session.execute(
            update(Service)
            .where(Service.id.in_(free.scalar_subquery()))
            .values(claimed_by_run_id=run_id, updated_at=func.now())
            .execution_options(synchronize_session=False)
        )
        return result.rowcount

    def taken_services(
        self, whose: Whose, service_ids: Sequence[uuid.UUID], *, other_than_run: uuid.UUID
    ) -> list[uuid.UUID]:
        """Services of the selection that are invoiced or claimed by a run other than `other_than_run`."""
        group_id = practice_of(whose)
        return list(
            self.session.scalars(
                select(Service.id)
                .where(
                    Service.group_id == group_id,
                    Service.id == any_id(service_ids),
                    Service.invoice_id.is_not(None)
                    | (Service.claimed_by_run_id.is_not(None) & (Service.claimed_by_run_id != other_than_run)),
                )
                .order_by(Service.id)
            )
        )

    def release_services_of_invoice(self, invoice: Invoice) -> int:
        return self.session.execute(
            update(Service)
            .where(Service.group_id == invoice.group_id, Service.invoice_id == invoice.id)
            .values(invoice_id=None, claimed_by_run_id=None, updated_at=func.now())
            .execution_options(synchronize_session=False)
        ).rowcount

    # --- runs ---

    def get_run(self, whose: Whose, run_id: uuid.UUID) -> InvoicingRun | None:
        group_id = practice_of(whose)
        return self.session.scalar(
            select(InvoicingRun).where(InvoicingRun.id == run_id, InvoicingRun.group_id == group_id)
        )

    def invoice_ids_of_run(self, run: InvoicingRun) -> list[uuid.UUID]:
        stmt = select(Invoice.id).where(Invoice.group_id == run.group_id, Invoice.run_id == run.id)
        return list(self.session.scalars(stmt.order_by(Invoice.sequence)))

    # --- invoices ---

    def invoices_query(
        self,
        whose: Whose,
        columns: Sequence[Any],
        *,
        status: str | None = None,
        client_id: uuid.UUID | None = None,
    ) -> Select:
        """The Invoiced tab's rows: the invoices' `columns` and `client_name`."""
        group_id = practice_of(whose)
        stmt = (
            select(*columns, Client.name.label("client_name"))
            .join(Client, Client.id == Invoice.client_id)
            .where(Invoice.group_id == group_id)
        )
        if status is not None:
            stmt = stmt.where(Invoice.status == status)
        if client_id is not None:
            stmt = stmt.where(Invoice.client_id == client_id)
        return stmt

    def get_invoice(self, whose: Whose, invoice_id: uuid.UUID, *, client_id: uuid.UUID | None = None) -> Invoice | None:
        group_id = practice_of(whose)
        stmt = select(Invoice).where(Invoice.id == invoice_id, Invoice.group_id == group_id)
        if client_id is not None:
            stmt = stmt.where(Invoice.client_id == client_id)
        return self.session.scalar(stmt)

    def lines_of(self, invoice_id: uuid.UUID) -> list[InvoiceLine]:
        return list(
            self.session.scalars(
                select(InvoiceLine).where(InvoiceLine.invoice_id == invoice_id).order_by(InvoiceLine.position)
            )
        )

    # --- stored PDFs ---

    def latest_pdf(self, invoice_id: uuid.UUID) -> InvoicePdf | None:
        return self.session.scalar(
            select(InvoicePdf).where(InvoicePdf.invoice_id == invoice_id).order_by(InvoicePdf.version.desc()).limit(1)
        )

    def pdf_version(self, invoice_id: uuid.UUID, version: int) -> InvoicePdf | None:
        return self.session.scalar(
            select(InvoicePdf).where(InvoicePdf.invoice_id == invoice_id, InvoicePdf.version == version)
        )

    def pdf_versions(self, invoice_id: uuid.UUID) -> list[Row]:
        """Without the content: a list of versions need not read every stored file."""
        rows = self.session.execute(
            select(
                InvoicePdf.id,
                InvoicePdf.version,
                InvoicePdf.ledger_version,
                InvoicePdf.sha256,
                InvoicePdf.created_at,
                func.length(InvoicePdf.content).label("size"),
            )
            .where(InvoicePdf.invoice_id == invoice_id)
            .order_by(InvoicePdf.version)
        ).all()
        return list(rows)
