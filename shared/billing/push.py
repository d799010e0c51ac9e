"""Pushing services from the practice system: one or up to MAX_PUSH per request, safe to push again.

A push is all or nothing: every item is checked (duplicates, unknown clients and rates) before
anything is written. Then, with a fixed number of queries whatever the size:
one SELECT … FOR UPDATE for the external ids already known, one INSERT … ON CONFLICT DO NOTHING
for the new ones (a concurrent push of the same ids loses nothing: its rows are read back and
treated as existing), and updates only for services that changed and are still uninvoiced.
An invoiced (or claimed) service is answered as it is, not refused: the practice system may
re-push history.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from shared.actor import Actor
from shared.audit.service import record
from shared.billing.models import BillingRate, Service
from shared.billing.repository import BillingRateRepository, ServiceRepository
from shared.billing.schemas import ServiceIn
from shared.billing.service import apply_rate, check_amount_covers_insurance
from shared.clients.repository import ClientRepository
from shared.db.base import new_id
from shared.db.ids import parse_id
from shared.errors import NotFound, ValidationFailed
from shared.logging import get_logger

log = get_logger(__name__)


@dataclass
class PushResult:
    services: list[Service]  # in the order pushed
    created_ids: set[uuid.UUID]

    @property
    def created(self) -> int:
        return len(self.created_ids)

    @property
    def existing(self) -> int:
        return len(self.services) - self.created


@dataclass
class _Item:
    index: int
    data: ServiceIn
    client_id: uuid.UUID
    rate: BillingRate


class _Params:
    """Names the field at fault: `client_id` for a single push, `services.3.client_id` in bulk."""

    def __init__(self, bulk: bool) -> None:
        self.bulk = bulk

    def __call__(self, index: int, field: str) -> str:
        return f"services.{index}.{field}" if self.bulk else field


def push_services(session: Session, actor: Actor, items: list[ServiceIn], *, bulk: bool) -> PushResult:
    param = _Params(bulk)
    group_id = actor.practice_id
    _refuse_duplicates(items, param)
    checked = _resolve_references(session, group_id, items, param)

    services = ServiceRepository.from_session(session)
    external_ids = [i.external_id for i in items]
    existing = services.by_external_ids(group_id, external_ids, for_update=True)
    new_items = [it for it in checked if it.data.external_id not in existing]
    created = _insert_new(session, group_id, new_items)
    if len(created) < len(new_items):
        # Someone pushed the same external ids at the same moment: theirs are now ours to update.
        existing = services.by_external_ids(group_id, external_ids, for_update=True)
    for it in checked:
        external_id = it.data.external_id
        if external_id in created:
            service_id, amount_cents = created[external_id]
            record(
                session,
                actor,
                "service.created",
                "service",
                service_id,
                data={"external_id": external_id, "amount_cents": amount_cents},
            )
        else:
            _update_existing(session, actor, existing[external_id], it, param)
    session.flush()
    # One read for the answer; it also refreshes updated_at on the rows just changed.
    final = services.by_external_ids(group_id, external_ids, refresh=True)
    log.info("services_pushed", count=len(items), created=len(created))
    return PushResult(
        services=[final[e] for e in external_ids], created_ids={service_id for service_id, _ in created.values()}
    )


def _refuse_duplicates(items: list[ServiceIn], param: _Params) -> None:
    seen: set[str] = set()
    for index, item in enumerate(items):
        if item.external_id in seen:
            raise ValidationFailed(
                f"external_id {item.external_id!r} appears twice in this push.",
                code="duplicate_external_id",
                param=param(index, "external_id"),
            )
        seen.add(item.external_id)


def _resolve_references(session: Session, group_id: uuid.UUID, items: list[ServiceIn], param: _Params) -> list[_Item]:
    """Every client and rate named must be this group's: two queries, the first unknown one answers 404."""
    client_ids = [parse_id(it.client_id, "client", param(i, "client_id")) for i, it in enumerate(items)]
    rate_ids = [parse_id(it.billing_rate_id, "billing rate", param(i, "billing_rate_id")) for i, it in enumerate(items)]
    known_clients = ClientRepository.from_session(session).existing_ids(group_id, client_ids)
    rates = BillingRateRepository.from_session(session).by_ids(group_id, rate_ids)
    checked = []
    for index, item in enumerate(items):
        if client_ids[index] not in known_clients:
            raise NotFound("No such client.", code="resource_missing", param=param(index, "client_id"))
        if rate_ids[index] not in rates:
            raise NotFound("No such billing rate.", code="resource_missing", param=param(index, "billing_rate_id"))
        checked.append(_Item(index, item, client_ids[index], rates[rate_ids[index]]))
    return checked


def _insert_new(session: Session, group_id: uuid.UUID, items: list[_Item]) -> dict[str, tuple[uuid.UUID, int]]:
    """Insert the new services in one statement; returns external_id → (id, amount) for the rows written."""
    if not items:
        return {}
    rows: list[dict[str, Any]] = []
    # Sorted, so two pushes inserting the same ids wait on each other instead of deadlocking.
    for it in sorted(items, key=lambda x: x.data.external_id):
        data = it.data
        rows.append(
            {
                "id": new_id(),
                "group_id": group_id,
                "client_id": it.client_id,
                "billing_rate_id": it.rate.id,
                "external_id": data.external_id,
                "service_date": data.service_date,
                "description": data.description if data.description is not None else it.rate.name,
                "description_explicit": data.description is not None,
                "amount_cents": data.amount_cents if data.amount_cents is not None else it.rate.amount_cents,
                "amount_explicit": data.amount_cents is not None,
                "insurance_paid_cents": 0,
            }
        )
    # Executed with a parameter list, not .values(rows): the statement compiles once (and is cached)
    # and psycopg sends it in batches (insertmanyvalues); a 1000-row VALUES clause took 0.6 s to compile.
    stmt = (
        insert(Service.__table__)
        .on_conflict_do_nothing(index_elements=[Service.group_id, Service.external_id])
        .returning(Service.external_id, Service.id, Service.amount_cents)
    )
    return {external_id: (service_id, amount) for external_id, service_id, amount in session.execute(stmt, rows)}


def _update_existing(session: Session, actor: Actor, service: Service, it: _Item, param: _Params) -> None:
    """Apply what changed, only while uninvoiced; an invoiced service is answered unchanged."""
    if service.invoice_id is not None or service.claimed_by_run_id is not None:
        return
    data = it.data
    before = {
        f: getattr(service, f) for f in ("client_id", "billing_rate_id", "service_date", "amount_cents", "description")
    }
    service.client_id = it.client_id
    service.service_date = data.service_date
    if data.amount_cents is not None:
        service.amount_cents, service.amount_explicit = data.amount_cents, True
    if data.description is not None:
        service.description, service.description_explicit = data.description, True
    if it.rate.id != service.billing_rate_id:
        apply_rate(
            service, it.rate, amount_given=data.amount_cents is not None, description_given=data.description is not None
        )
    check_amount_covers_insurance(service, param(it.index, "amount_cents"))
    changed = sorted(f for f, v in before.items() if getattr(service, f) != v)
    if changed:
        record(session, actor, "service.updated", "service", service.id, data={"fields": changed, "via": "push"})
