"""Writes for return cases: the case and its workflow, the return decision, remedies,
detention, postponements, vulnerability and the safeguard overrides.

Every service: checks the capability (EDIT_RETURN_CASE; OVERRIDE_SAFEGUARD for overrides)
after the scope (out of scope is 404, in scope without the capability 403); validates all
input first and raises one `ValidationFailed` naming each field in plain words; locks the
case row; writes the change, the case event and the audit entry in one transaction.
Nothing is half-saved. Legal numbers come from `PolicyRule` only.
"""

from readmit.returns.services.cases import (
    TRANSITIONS,
    allowed_actions,
    availability_set,
    case_cancel,
    case_close,
    case_create,
    case_mark_documented,
    case_mark_identified,
    case_mark_ready,
    case_record_return,
    case_reopen,
    case_transition,
    risk_of_absconding_set,
)
from readmit.returns.services.decisions import (
    decision_record,
    entry_ban_set,
    vd_extend,
    vd_refuse,
    vd_shorten,
)
from readmit.returns.services.detention import detention_end, detention_extend, detention_start
from readmit.returns.services.protection import (
    OVERRIDE_REASON_MIN_LENGTH,
    postponement_add,
    postponement_end,
    safeguard_override,
    vulnerability_assess,
)
from readmit.returns.services.remedies import (
    appeal_decide,
    appeal_record,
    asylum_decide,
    asylum_record,
)

__all__ = [
    "OVERRIDE_REASON_MIN_LENGTH",
    "TRANSITIONS",
    "allowed_actions",
    "appeal_decide",
    "appeal_record",
    "asylum_decide",
    "asylum_record",
    "availability_set",
    "case_cancel",
    "case_close",
    "case_create",
    "case_mark_documented",
    "case_mark_identified",
    "case_mark_ready",
    "case_record_return",
    "case_reopen",
    "case_transition",
    "decision_record",
    "detention_end",
    "detention_extend",
    "detention_start",
    "entry_ban_set",
    "postponement_add",
    "postponement_end",
    "risk_of_absconding_set",
    "safeguard_override",
    "vd_extend",
    "vd_refuse",
    "vd_shorten",
    "vulnerability_assess",
]
