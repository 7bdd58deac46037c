"""What every return-case service shares: collecting field errors, locking the case,
writing the case event and the audit entry together."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from readmit.accounts.capabilities import Capability, require
from readmit.audit.services import audit_record
from readmit.core.errors import Conflict, NotFound, ValidationFailed
from readmit.returns.choices import ACTIVE_STATUSES, CaseStatus
from readmit.returns.models import CaseEvent, ReturnCase

if TYPE_CHECKING:
    from readmit.accounts.models import User


class Errors(dict[str, list[str]]):
    def add(self, field: str, message: str) -> None:
        self.setdefault(field, []).append(message)

    def required(self, field: str, value: object, message: str) -> None:
        if value is None or value == "":
            self.add(field, message)

    def not_future(self, field: str, value: dt.date | None, today: dt.date) -> None:
        if value is not None and value > today:
            self.add(field, _("This date cannot be in the future."))

    def not_before(
        self, field: str, value: dt.date | None, earlier: dt.date | None, what: str
    ) -> None:
        if value is not None and earlier is not None and value < earlier:
            self.add(field, _("This date cannot be before %(what)s.") % {"what": what})

    def choice(self, field: str, value: str, choices: list[str], message: str) -> None:
        if value not in choices:
            self.add(field, message)

    def too_long(self, model: type[Model], field: str, value: str) -> None:
        limit = getattr(model._meta.get_field(field), "max_length", None)
        if limit and len(value) > limit:
            self.add(field, _("At most %(n)d characters.") % {"n": limit})

    def raise_if_any(self, message: str) -> None:
        if self:
            raise ValidationFailed(message, fields=self)


# --- Helpers -------------------------------------------------------------------------------------


def lock_case(case_id: int, actor: User | None) -> ReturnCase:
    queryset = ReturnCase.objects.all() if actor is None else ReturnCase.objects.visible_to(actor)
    try:
        return (
            queryset.select_for_update(of=("self",))
            .select_related("owner_authority", "person")
            .get(pk=case_id)
        )
    except (ReturnCase.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Not found, or not visible to you.")) from None


def locked_case(
    actor: User, case_id: int, capability: Capability = Capability.EDIT_RETURN_CASE
) -> ReturnCase:
    """The case, locked: 404 out of scope, then 403 without the capability, then 409 when
    the case is closed or cancelled (its file is frozen)."""
    case = lock_case(case_id, actor)
    require(actor, capability)
    if case.status not in ACTIVE_STATUSES and case.status != CaseStatus.RETURNED:
        raise Conflict(
            _("The case is %(status)s: nothing more can be recorded on it.")
            % {"status": CaseStatus(case.status).label},
            code="case_closed",
        )
    return case


def record_change(
    *,
    actor: User | None,
    case: ReturnCase,
    action: str,
    obj: Any,
    changes: dict[str, Any],
    at: dt.datetime | None = None,
    reason: str = "",
) -> None:
    """The case event and the audit entry for one change, in the caller's transaction."""
    at = at or timezone.now()
    detail = {k: v for k, v in changes.items() if k in _EVENT_DETAIL_KEYS}
    CaseEvent.objects.create(
        case=case,
        at=at,
        action=action,
        actor=actor,
        detail=jsonable(detail),
    )
    audit_record(
        actor=actor,
        action=f"returns.{action}",
        obj=obj,
        owner_authority_id=case.owner_authority_id,
        changes={"case": case.pk, **changes},
        reason=reason,
        at=at,
    )


# Case events show codes, dates and ids; free text (which may hold personal data) stays in
# the audit entry only.
_EVENT_DETAIL_KEYS = frozenset(
    {
        "status", "from", "to", "on", "decided_on", "notified_on", "vd_granted", "vd_start",
        "vd_end", "until", "reason_code", "suspensive_effect", "lodged_on", "start", "end",
        "ground", "availability", "risk", "code", "appeal", "application", "episode",
        "postponement", "assessed_on", "unaccompanied_minor", "length", "unit", "imposed",
        "actual_departure", "reference",
    }
)  # fmt: skip


def jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in values.items()}
