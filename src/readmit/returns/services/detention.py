"""Detention episodes (Return Directive Art. 15), counted over all the person's detention
against the configured caps."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from readmit.core.errors import Conflict, NotFound, ValidationFailed
from readmit.core.timeutil import today as local_today
from readmit.returns.choices import DetentionExtensionReason, DetentionGround, PolicyUnit
from readmit.returns.models import DetentionEpisode, ReturnCase
from readmit.returns.selectors import detention_caps, episode_days, person_detentions
from readmit.returns.services._base import Errors, locked_case, record_change

if TYPE_CHECKING:
    from readmit.accounts.models import User

# --- Detention -----------------------------------------------------------------------------------


def _detention_so_far(
    case: ReturnCase, *, on: dt.date, excluding: int | None = None
) -> tuple[int, dt.date | None]:
    """(days of all the person's other episodes up to `on`, first day of the first episode)."""
    episodes = person_detentions(case)
    first = episodes[0].start if episodes else None
    days = sum(episode_days(e, on) for e in episodes if e.pk != excluding)
    return days, first


@transaction.atomic
def detention_start(
    *,
    actor: User,
    case_id: int,
    start: dt.date | None,
    ground: str,
    ordered_on: dt.date | None,
    next_review_on: dt.date | None = None,
) -> DetentionEpisode:
    """Art. 15(1)-(2): detention ordered in writing, on a risk of absconding or hampering of
    the return. Refused when the person's detention has already reached the applicable cap."""
    case = locked_case(actor, case_id)
    today = local_today()
    errors = Errors()
    errors.required("start", start, _("Enter the first day of detention."))
    errors.not_future("start", start, today)
    errors.choice("ground", ground, DetentionGround.values, _("Choose the ground for detention."))
    errors.required("ordered_on", ordered_on, _("Enter the date of the detention order."))
    errors.not_future("ordered_on", ordered_on, today)
    errors.not_before("next_review_on", next_review_on, start, _("the first day of detention"))
    episodes = person_detentions(case)
    if any(e.end is None for e in episodes):
        errors.add("start", _("A detention episode is still ongoing: record its end first."))
    elif start is not None and any(e.end is not None and start <= e.end for e in episodes):
        errors.add("start", _("This overlaps an earlier detention episode."))
    errors.raise_if_any(_("The detention was not recorded."))
    assert start is not None and ordered_on is not None
    days, first = _detention_so_far(case, on=today)
    initial_days, total_days, _initial, _extension = detention_caps(
        case, anchor=first or start, on=today
    )
    cap = total_days if any(e.extended for e in episodes) else initial_days
    if cap is not None and days >= cap:
        raise ValidationFailed(
            _("The detention was not recorded."),
            fields={
                "start": [
                    _(
                        "The person has already been detained for %(days)d days, the configured maximum (%(cap)d days)."
                    )
                    % {"days": days, "cap": cap}
                ]
            },
        )
    episode = DetentionEpisode.objects.create(
        case=case, start=start, ground=ground, ordered_on=ordered_on, next_review_on=next_review_on
    )
    record_change(
        actor=actor,
        case=case,
        action="detention.started",
        obj=episode,
        changes={"episode": episode.pk, "start": start, "ground": ground, "ordered_on": ordered_on,
                 "next_review_on": next_review_on},
    )  # fmt: skip
    return episode


def _ongoing_episode(case: ReturnCase, episode_id: int) -> DetentionEpisode:
    episode = case.detentions.filter(pk=episode_id).first()
    if episode is None:
        raise NotFound(_("Not found, or not visible to you."))
    if episode.end is not None:
        raise Conflict(_("This detention episode has already ended."), code="detention_ended")
    return episode


@transaction.atomic
def detention_end(
    *, actor: User, case_id: int, episode_id: int, end: dt.date | None
) -> DetentionEpisode:
    case = locked_case(actor, case_id)
    episode = _ongoing_episode(case, episode_id)
    errors = Errors()
    errors.required("end", end, _("Enter the last day of detention."))
    errors.not_future("end", end, local_today())
    errors.not_before("end", end, episode.start, _("the first day of detention"))
    errors.raise_if_any(_("The end of detention was not recorded."))
    episode.end = end
    episode.save(update_fields=["end"])
    record_change(
        actor=actor,
        case=case,
        action="detention.ended",
        obj=episode,
        changes={"episode": episode.pk, "end": end},
    )
    return episode


@transaction.atomic
def detention_extend(
    *,
    actor: User,
    case_id: int,
    episode_id: int,
    until: dt.date | None,
    reason: str,
    decided_on: dt.date | None,
) -> DetentionEpisode:
    """Art. 15(6): extend detention by a written reasoned decision (CJEU C-146/14 Mahdi), for
    lack of cooperation or delays in obtaining documents from third countries; never beyond
    the configured initial maximum plus further period, counted over all the person's
    detention (CJEU C-357/09 Kadzoev). When the caps are not configured the extension is
    recorded and the case page says "cap not configured"."""
    case = locked_case(actor, case_id)
    episode = _ongoing_episode(case, episode_id)
    today = local_today()
    errors = Errors()
    errors.choice(
        "reason", reason, DetentionExtensionReason.values, _("Choose the reason for the extension.")
    )
    errors.required("decided_on", decided_on, _("Enter the date of the extension decision."))
    errors.not_future("decided_on", decided_on, today)
    errors.required("until", until, _("Enter the last day of the extended detention."))
    errors.not_before(
        "until", until, max(episode.start, decided_on or episode.start), _("the extension decision")
    )
    errors.raise_if_any(_("The extension was not recorded."))
    assert until is not None
    others, first = _detention_so_far(case, on=until, excluding=episode.pk)
    projected = others + (until - episode.start).days + 1
    _initial_days, total_days, initial, extension = detention_caps(
        case, anchor=first or episode.start, on=today
    )
    if total_days is not None and projected > total_days:
        assert initial is not None and extension is not None
        raise ValidationFailed(
            _("The extension was not recorded."),
            fields={
                "until": [
                    _(
                        "This would bring the person's detention to %(days)d days, beyond the "
                        "configured maximum of %(cap)d days (%(initial)d %(iunit)s and a further "
                        "%(extension)d %(eunit)s)."
                    )
                    % {
                        "days": projected,
                        "cap": total_days,
                        "initial": initial.value,
                        "iunit": PolicyUnit(initial.unit).label,
                        "extension": extension.value,
                        "eunit": PolicyUnit(extension.unit).label,
                    }
                ]
            },
        )
    episode.extended = True
    episode.extension_reason = reason
    episode.extension_decided_on = decided_on
    episode.extended_until = until
    episode.save()
    record_change(
        actor=actor,
        case=case,
        action="detention.extended",
        obj=episode,
        changes={"episode": episode.pk, "until": until, "reason_code": reason, "decided_on": decided_on,
                 "projected_days": projected, "cap_days": total_days},
    )  # fmt: skip
    return episode
