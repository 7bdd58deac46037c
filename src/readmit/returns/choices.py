"""The vocabulary of the national return file (Return Directive 2008/115/EC, DOMAIN.md §3).

Values are the strings stored in the database; never rename one without a data migration.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    READY_FOR_RETURN = "ready_for_return", _("Ready for return")
    RETURNED = "returned", _("Returned")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


ACTIVE_STATUSES = (CaseStatus.OPEN, CaseStatus.READY_FOR_RETURN)


class CaseAction(models.TextChoices):
    MARK_READY = "mark_ready", _("Mark ready for return")
    REOPEN = "reopen", _("Reopen")
    RECORD_RETURN = "record_return", _("Record the departure")
    CLOSE = "close", _("Close")
    CANCEL = "cancel", _("Cancel the return case")


class Availability(models.TextChoices):
    # Frontex IRMA dataset 3: "available" means in custody, in an alternative to detention,
    # or whereabouts known (DOMAIN.md §5.9).
    UNKNOWN = "unknown", _("Not recorded")
    IN_CUSTODY = "in_custody", _("In custody")
    ALTERNATIVE_TO_DETENTION = "alternative_to_detention", _("In an alternative to detention")
    WHEREABOUTS_KNOWN = "whereabouts_known", _("Whereabouts known")
    WHEREABOUTS_UNKNOWN = "whereabouts_unknown", _("Whereabouts unknown (absconded)")


AVAILABLE = frozenset(
    {
        Availability.IN_CUSTODY.value,
        Availability.ALTERNATIVE_TO_DETENTION.value,
        Availability.WHEREABOUTS_KNOWN.value,
    }
)


class VoluntaryDepartureReason(models.TextChoices):
    # Return Directive Art. 7(4): why a period may be refused or shortened.
    RISK_OF_ABSCONDING = "risk_of_absconding", _("Risk of absconding")
    MANIFESTLY_UNFOUNDED = (
        "manifestly_unfounded_or_fraudulent",
        _("Application for legal stay dismissed as manifestly unfounded or fraudulent"),
    )
    PUBLIC_POLICY = (
        "public_policy_or_security",
        _("Risk to public policy, security or national security"),
    )


class AppealStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DECIDED = "decided", _("Decided")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class AsylumStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    REJECTED = "rejected", _("Rejected")
    GRANTED = "granted", _("Protection granted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    INADMISSIBLE = "inadmissible", _("Inadmissible")


class DetentionGround(models.TextChoices):
    # Return Directive Art. 15(1)(a) and (b).
    RISK_OF_ABSCONDING = "risk_of_absconding", _("Risk of absconding")
    HAMPERING_RETURN = "hampering_return", _("Avoiding or hampering the return")


class DetentionExtensionReason(models.TextChoices):
    # Return Directive Art. 15(6)(a) and (b).
    LACK_OF_COOPERATION = "lack_of_cooperation", _("Lack of cooperation by the person")
    DOCUMENT_DELAYS = (
        "delays_obtaining_documents",
        _("Delays in obtaining the necessary documents from third countries"),
    )


class PostponementReason(models.TextChoices):
    # Return Directive Art. 9(1) (mandatory) and 9(2) (optional).
    NON_REFOULEMENT = "non_refoulement", _("Non-refoulement")
    SUSPENSIVE_APPEAL = "suspensive_appeal", _("Appeal with suspensive effect")
    HEALTH = "health", _("Physical or mental state")
    TECHNICAL = "technical", _("Technical reasons (e.g. no transport capacity)")
    NO_IDENTIFICATION = "no_identification", _("Removal failed for lack of identification")


MANDATORY_POSTPONEMENTS = frozenset(
    {PostponementReason.NON_REFOULEMENT.value, PostponementReason.SUSPENSIVE_APPEAL.value}
)


class VulnerabilityFlag(models.TextChoices):
    # Return Directive Art. 3(9) (DOMAIN.md §3 lists it as [U]: from memory), plus victims of
    # trafficking and persons with serious illness, which the issue asks for.
    MINOR = "minor", _("Minor")
    UNACCOMPANIED_MINOR = "unaccompanied_minor", _("Unaccompanied minor")
    DISABLED = "disabled", _("Disabled person")
    ELDERLY = "elderly", _("Elderly person")
    PREGNANT = "pregnant", _("Pregnant woman")
    SINGLE_PARENT = "single_parent_with_minor_children", _("Single parent with minor children")
    TORTURE_VICTIM = (
        "torture_or_serious_violence_victim",
        _("Subjected to torture, rape or other serious violence"),
    )
    TRAFFICKING_VICTIM = "trafficking_victim", _("Victim of trafficking")
    SERIOUS_ILLNESS = "serious_illness", _("Serious illness")


class StopCode(models.TextChoices):
    SUSPENSIVE_APPEAL_PENDING = "suspensive_appeal_pending", _("Appeal with suspensive effect")
    ASYLUM_APPLICATION_PENDING = "asylum_application_pending", _("Asylum application pending")
    PROTECTION_GRANTED = "protection_granted", _("International protection granted")
    NON_REFOULEMENT_POSTPONEMENT = "non_refoulement_postponement", _("Non-refoulement")
    UNACCOMPANIED_MINOR_NO_GUARDIAN = (
        "unaccompanied_minor_no_guardian",
        _("Unaccompanied minor without a guardian"),
    )
    UNACCOMPANIED_MINOR_NO_RECEPTION = (
        "unaccompanied_minor_no_reception",
        _("Unaccompanied minor without confirmed reception"),
    )
    VOLUNTARY_DEPARTURE_RUNNING = "voluntary_departure_running", _("Voluntary departure running")


class CheckPurpose(models.TextChoices):
    SUBMIT_APPLICATION = "submit_application", _("submitting the readmission application")
    TRANSFER = "transfer", _("notifying or carrying out the transfer")


class PolicyKey(models.TextChoices):
    VOLUNTARY_DEPARTURE_MIN = "voluntary_departure_min", _("Voluntary departure: shortest period")
    VOLUNTARY_DEPARTURE_MAX = "voluntary_departure_max", _("Voluntary departure: longest period")
    DETENTION_INITIAL_MAX = "detention_initial_max", _("Detention: initial maximum")
    DETENTION_EXTENSION_MAX = "detention_extension_max", _("Detention: further extension maximum")
    ENTRY_BAN_MAX = "entry_ban_max", _("Entry ban: maximum in principle")


class PolicyUnit(models.TextChoices):
    DAYS = "days", _("days")
    MONTHS = "months", _("months")
    YEARS = "years", _("years")


class Confidence(models.TextChoices):
    """How far a value has been checked (DOMAIN.md §0: [V], [S], [U])."""

    VERIFIED = "verified", _("Verified")
    SECONDARY = "secondary", _("Secondary source")
    UNVERIFIED = "unverified", _("Unverified")
