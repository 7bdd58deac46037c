"""The vocabulary of the registry: kinds, rule keys, units, clock-start events, confidence.

Kept apart from the models so the pure deadline module can use the same names without
importing the ORM. Values are the strings stored in the database and in the registry JSON;
never rename one without a data migration and a new registry format.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AgreementKind(models.TextChoices):
    EU_AGREEMENT = "eu_agreement", _("EU readmission agreement")
    EU_ARRANGEMENT = "eu_arrangement", _("EU non-binding arrangement")
    BILATERAL = "bilateral", _("Bilateral agreement")


EU_KINDS = frozenset({AgreementKind.EU_AGREEMENT.value, AgreementKind.EU_ARRANGEMENT.value})
BINDING_KINDS = frozenset({AgreementKind.EU_AGREEMENT.value, AgreementKind.BILATERAL.value})


class Confidence(models.TextChoices):
    """How far a value has been checked (DOMAIN.md §0: [V], [S], [U])."""

    VERIFIED = "verified", _("Verified")
    SECONDARY = "secondary", _("Secondary source")
    UNVERIFIED = "unverified", _("Unverified")


# Weakest first: a value computed from several rules is as good as the weakest of them.
CONFIDENCE_ORDER = (Confidence.UNVERIFIED, Confidence.SECONDARY, Confidence.VERIFIED)


def weakest(*values: str) -> str:
    ranked = [c.value for c in CONFIDENCE_ORDER]
    return min(values, key=ranked.index)


class Category(models.TextChoices):
    """Whom an application concerns, seen from the requested state (and the scope clauses)."""

    OWN_NATIONALS = "own_nationals", _("Own nationals")
    THIRD_COUNTRY_NATIONALS = "third_country_nationals", _("Third-country nationals")
    STATELESS_PERSONS = "stateless_persons", _("Stateless persons")
    TRANSIT = "transit", _("Transit")


class RuleKey(models.TextChoices):
    TCN_APPLICATION_WINDOW = (
        "tcn_application_window",
        _("Window for submitting a third-country-national application"),
    )
    ACCELERATED_APPLICATION_WINDOW = (
        "accelerated_application_window",
        _("Window for submitting an accelerated-procedure application"),
    )
    REPLY_PERIOD_NORMAL = "reply_period_normal", _("Reply period (normal procedure)")
    REPLY_PERIOD_ACCELERATED = "reply_period_accelerated", _("Reply period (accelerated procedure)")
    REPLY_EXTENSION_MAX = "reply_extension_max", _("Maximum extension of the reply period")
    REPLY_AFTER_INTERVIEW = "reply_after_interview", _("Reply period after an interview")
    TACIT_ACCEPTANCE = (
        "tacit_acceptance",
        _("Transfer deemed agreed when no reply arrives in time (tacit acceptance)"),
    )
    TRANSFER_PERIOD = "transfer_period", _("Transfer period after acceptance")
    TD_ISSUE_PERIOD = "td_issue_period", _("Travel-document issuance period")
    TD_MIN_VALIDITY = "td_min_validity", _("Minimum validity of the travel document")
    TD_REISSUE_PERIOD = "td_reissue_period", _("Period for reissuing a travel document")
    INTERVIEW_LEAD_TIME = "interview_lead_time", _("Interview lead time")
    TRANSFER_NOTICE_LEAD_TIME = "transfer_notice_lead_time", _("Transfer-notice lead time")
    TRANSFER_NOTICE_CONFIRMATION_PERIOD = (
        "transfer_notice_confirmation_period",
        _("Transfer-notice confirmation period"),
    )
    READMISSION_IN_ERROR_WINDOW_NATIONALS = (
        "readmission_in_error_window_nationals",
        _("Readmission-in-error window (own nationals)"),
    )
    READMISSION_IN_ERROR_WINDOW_TCN = (
        "readmission_in_error_window_tcn",
        _("Readmission-in-error window (third-country nationals and stateless persons)"),
    )
    ROLL_FORWARD = (
        "roll_forward",
        _("A calendar-day period ending on a non-working day ends on the next working day"),
    )


# Yes/no rules; every other key is a period.
BOOLEAN_RULES = frozenset({RuleKey.TACIT_ACCEPTANCE.value, RuleKey.ROLL_FORWARD.value})


class RuleUnit(models.TextChoices):
    CALENDAR_DAYS = "calendar_days", _("calendar days")
    WORKING_DAYS = "working_days", _("working days")
    MONTHS = "months", _("months")
    YEARS = "years", _("years")
    BOOLEAN = "boolean", _("yes/no")


PERIOD_UNITS = frozenset(
    {RuleUnit.CALENDAR_DAYS.value, RuleUnit.WORKING_DAYS.value, RuleUnit.MONTHS.value}
    | {RuleUnit.YEARS.value}
)


class ClockStart(models.TextChoices):
    """The event from which a period runs (the day of the event itself is not counted)."""

    RECEIPT = "receipt", _("receipt of the application")
    ACKNOWLEDGEMENT = "acknowledgement", _("acknowledgement of receipt")
    APPLICATION = "application", _("submission of the application")
    KNOWLEDGE = "knowledge", _("the requesting authority gained knowledge")
    APPREHENSION = "apprehension", _("apprehension")
    INTERVIEW = "interview", _("the interview")
    ACCEPTANCE = "acceptance", _("acceptance (positive reply or tacit acceptance)")
    TD_ISSUE = "td_issue", _("issue of the travel document")
    TRANSFER_NOTICE = "transfer_notice", _("the transfer notice")
    TRANSFER = "transfer", _("the transfer")


class EvidenceClass(models.TextChoices):
    """Legal effect of a means of evidence (DOMAIN.md §1.6)."""

    PROOF = "proof", _("Proof")
    PRIMA_FACIE = "prima_facie", _("Prima facie evidence")
    VERIFICATION_TRIGGER = "verification_trigger", _("Verification trigger only")


class Establishes(models.TextChoices):
    NATIONALITY = "nationality", _("Nationality")
    TCN_CONDITIONS = "tcn_conditions", _("Third-country-national conditions")


class AuthorityFunction(models.TextChoices):
    """What a competent authority does under an implementing protocol (DOMAIN.md §1.17)."""

    OWN_NATIONALS = "own_nationals", _("Applications for own nationals")
    TCN_AND_TRANSIT = "tcn_and_transit", _("Third-country-national and transit applications")
    ACCELERATED_PROCEDURE = "accelerated_procedure", _("Accelerated procedure")
    CONSULAR = "consular", _("Travel documents and interviews (consular post)")


class CrossingKind(models.TextChoices):
    AIRPORT = "airport", _("Airport")
    LAND = "land", _("Land border crossing")
    SEA = "sea", _("Seaport")
    RAIL = "rail", _("Rail border crossing")
