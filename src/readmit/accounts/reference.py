"""Reference data: every state of ISO 3166-1, with its EU, Schengen and partner flags.

Loading is idempotent: it creates what is missing and corrects what differs.
"""

from __future__ import annotations

import datetime as dt

import pycountry
from django.db import transaction

from readmit.accounts.models import State
from readmit.audit.services import audit_record

# Dates of accession to the European Communities / Union (and of withdrawal).
EU_ACCESSION: dict[str, dt.date] = {
    **dict.fromkeys(["BE", "DE", "FR", "IT", "LU", "NL"], dt.date(1958, 1, 1)),
    **dict.fromkeys(["DK", "IE", "GB"], dt.date(1973, 1, 1)),
    "GR": dt.date(1981, 1, 1),
    **dict.fromkeys(["ES", "PT"], dt.date(1986, 1, 1)),
    **dict.fromkeys(["AT", "FI", "SE"], dt.date(1995, 1, 1)),
    **dict.fromkeys(
        ["CY", "CZ", "EE", "HU", "LV", "LT", "MT", "PL", "SK", "SI"], dt.date(2004, 5, 1)
    ),
    **dict.fromkeys(["BG", "RO"], dt.date(2007, 1, 1)),
    "HR": dt.date(2013, 7, 1),
}
EU_WITHDRAWAL: dict[str, dt.date] = {"GB": dt.date(2020, 1, 31)}
SCHENGEN_ASSOCIATED = frozenset({"IS", "LI", "NO", "CH"})
# Parties to an EU readmission agreement or arrangement (DOMAIN.md §1.1).
EU_PARTNERS = frozenset(
    {
        "HK",
        "MO",
        "LK",
        "AL",
        "RU",
        "UA",
        "MK",
        "BA",
        "ME",
        "RS",
        "MD",
        "PK",
        "GE",
        "AM",
        "AZ",
        "TR",
        "CV",
        "BY",
        "AF",
        "GN",
        "BD",
        "ET",
        "GM",
        "CI",
    }
)
# Not in ISO 3166-1 but used by the EU and its partners (user-assigned code).
EXTRA_STATES = [
    {"code": "XK", "alpha3": "XKX", "numeric": "", "name": "Kosovo", "official_name": "Kosovo"},
]


def state_rows() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for country in pycountry.countries:
        rows.append(
            {
                "code": country.alpha_2,
                "alpha3": country.alpha_3,
                "numeric": country.numeric,
                "name": getattr(country, "common_name", None) or country.name,
                "official_name": getattr(country, "official_name", "") or country.name,
                "user_assigned_code": False,
            }
        )
    rows.extend({**extra, "user_assigned_code": True} for extra in EXTRA_STATES)
    for row in rows:
        code = str(row["code"])
        row["eu_accession"] = EU_ACCESSION.get(code)
        row["eu_withdrawal"] = EU_WITHDRAWAL.get(code)
        row["is_schengen_associated"] = code in SCHENGEN_ASSOCIATED
        row["is_partner"] = code in EU_PARTNERS
    return rows


@transaction.atomic
def states_load() -> tuple[int, int]:
    """Create or correct every state. Returns (created, updated)."""
    existing = {s.code: s for s in State.objects.all()}
    created = updated = 0
    for row in state_rows():
        state = existing.get(str(row["code"]))
        if state is None:
            State.objects.create(**row)
            created += 1
            continue
        changed = [f for f, v in row.items() if getattr(state, f) != v]
        if changed:
            for field in changed:
                setattr(state, field, row[field])
            state.save(update_fields=changed)
            updated += 1
    if created or updated:
        audit_record(
            actor=None,
            action="reference.states.loaded",
            object_type="accounts.state",
            changes={"created": created, "updated": updated},
        )
    return created, updated
