from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, and_, exists, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from shared.billing.models import BillingRate, Service, ServicePayment
from shared.db.repository import PracticeRepository, Whose, practice_of
from shared.groups.models import Group
from shared.ledger.invoices import Invoice


def group_currency(session: Session, whose: Whose) -> str:
    return session.scalar(select(Group.currency).where(Group.id == practice_of(whose))) or "USD"


class BillingRateRepository(PracticeRepository[BillingRate]):
    model = BillingRate
    noun = "billing rate"

    def list_stmt(self, whose: Whose, *, payer: str | None = None) -> Select:
        stmt = self.scoped(whose)
        if payer:
            stmt = stmt.where(BillingRate.payer == payer)
        return stmt

    def by_ids(self, whose: Whose, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, BillingRate]:
        group_id = practice_of(whose)
        ids = list(set(ids))
        if not ids:
            return {}
        rows = self.session.scalars(
            select(BillingRate).where(BillingRate.group_id == group_id, BillingRate.id.in_(ids))
        )
        return {rate.id: rate for rate in rows}

    def self_pay_copy_of(self, whose: Whose, source_id: uuid.UUID) -> BillingRate | None:
        group_id = practice_of(whose)
        return self.session.scalar(
            select(BillingRate)
            .where(BillingRate.group_id == group_id, BillingRate.self_pay_source_id == source_id)
            .order_by(BillingRate.created_at)
            .limit(1)
        )


def _changeable(rate: BillingRate):
    """Services on a rate that still follow it: not invoiced and not claimed by a run."""
    return and_(
        Service.group_id == rate.group_id,
        Service.billing_rate_id == rate.id,
        Service.invoice_id.is_(None),
        Service.claimed_by_run_id.is_(None),
    )


class ServiceRepository(PracticeRepository[Service]):
    model = Service
    noun = "service"
    param = "id"

    def list_stmt(self, whose: Whose, *, client_id: uuid.UUID | None = None, status: str | None = None) -> Select:
        stmt = self.scoped(whose)
        if client_id is not None:
            stmt = stmt.where(Service.client_id == client_id)
        if status == "uninvoiced":
            stmt = stmt.where(Service.invoice_id.is_(None))
        elif status in ("invoiced", "paid"):
            stmt = stmt.join(Invoice, Invoice.id == Service.invoice_id)
            stmt = stmt.where(Invoice.status == "paid") if status == "paid" else stmt.where(Invoice.status != "paid")
        return stmt

    def by_external_ids(
        self, whose: Whose, external_ids: Iterable[str], *, for_update: bool = False, refresh: bool = False
    ) -> dict[str, Service]:
        """One query for a whole push. Locked in id order so two overlapping pushes cannot deadlock.

        `refresh` overwrites rows already in the session (after an UPDATE expired their timestamps)."""
        group_id = practice_of(whose)
        external_ids = list(set(external_ids))
        if not external_ids:
            return {}
        stmt = select(Service).where(Service.group_id == group_id, Service.external_id.in_(external_ids))
        if for_update:
            stmt = stmt.order_by(Service.id).with_for_update()
        if refresh:
            stmt = stmt.execution_options(populate_existing=True)
        return {s.external_id: s for s in self.session.scalars(stmt)}

    def invoice_statuses(self, whose: Whose, invoice_ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, str]:
        group_id = practice_of(whose)
        ids = list({i for i in invoice_ids if i is not None})
        if not ids:
            return {}
        rows = self.session.execute(
            select(Invoice.id, Invoice.status).where(Invoice.group_id == group_id, Invoice.id.in_(ids))
        )
        return {invoice_id: status for invoice_id, status in rows}

    def payments_of(self, service: Service) -> list[ServicePayment]:
        return list(
            self.session.scalars(
                select(ServicePayment)
                .where(ServicePayment.group_id == service.group_id, ServicePayment.service_id == service.id)
                .order_by(ServicePayment.created_at.desc(), ServicePayment.id.desc())
            )
        )

    # --- Services that follow their rate's amount and name ---

    def any_followers_paid_beyond(self, rate: BillingRate, amount_cents: int) -> bool:
        """Would giving the rate this amount leave a following service with more insurance paid than it costs?"""
        return bool(
            self.session.scalar(
                select(
                    exists().where(
                        _changeable(rate),
                        Service.amount_explicit.is_(False),
                        Service.insurance_paid_cents > amount_cents,
                    )
                )
            )
        )

    def follow_rate_amount(self, rate: BillingRate) -> int:
        return self._follow_rate(rate, Service.amount_explicit, Service.amount_cents, rate.amount_cents)

    def follow_rate_name(self, rate: BillingRate) -> int:
        return self._follow_rate(rate, Service.description_explicit, Service.description, rate.name)

    def _follow_rate(
        self,
        rate: BillingRate,
        explicit: InstrumentedAttribute[bool],
        column: InstrumentedAttribute[Any],
        value: object,
    ) -> int:
        """The rate's services that still take `column` from the rate (not set on the service itself) get `value`."""
        result = self.session.execute(
            update(Service)
            .where(_changeable(rate), explicit.is_(False), column != value)
            .values({column: value})
            .execution_options(synchronize_session=False)
        )
        return result.rowcount
