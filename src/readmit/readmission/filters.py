"""The filters of the application lists (work queue, export, API), parsed from a query string.

Unknown or malformed values are ignored rather than refused: a filter narrows a list the
viewer may see anyway, so a bad one can only show more of the viewer's own scope.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from readmit.accounts.models import User
from readmit.readmission.models import Application, ApplicationKind, ApplicationStatus
from readmit.readmission.selectors import QUEUE_NAMES, _queue, application_queryset


@dataclass(frozen=True)
class ApplicationFilters:
    queue: str = ""  # one of the work queues, or "" for every application in scope
    status: str = ""
    kind: str = ""
    state: str = ""  # the other state: requested (requesting side) or requesting
    reference: str = ""

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> ApplicationFilters:
        def pick(name: str, allowed: tuple[str, ...] | list[str]) -> str:
            value = str(params.get(name) or "").strip()
            return value if value in allowed else ""

        state = str(params.get("state") or "").strip().upper()
        return cls(
            queue=pick("queue", QUEUE_NAMES),
            status=pick("status", ApplicationStatus.values),
            kind=pick("kind", ApplicationKind.values),
            state=state if len(state) == 2 and state.isalpha() else "",
            reference=str(params.get("reference") or params.get("q") or "").strip()[:40],
        )

    def apply(self, viewer: User, today: dt.date | None = None) -> QuerySet[Application]:
        today = today or timezone.localdate()
        qs = (
            _queue(viewer, self.queue, today) if self.queue else application_queryset(viewer=viewer)
        )
        if self.status:
            qs = qs.filter(status=self.status)
        if self.kind:
            qs = qs.filter(kind=self.kind)
        if self.state:
            authority = viewer.authority
            if authority is not None and authority.state_id == self.state:
                qs = qs.none()
            elif authority is not None and authority.kind in ("return_authority", "border_police"):
                qs = qs.filter(requested_state_id=self.state)
            else:
                qs = qs.filter(requesting_authority__state_id=self.state)
        if self.reference:
            qs = qs.filter(reference__icontains=self.reference)
        return qs
