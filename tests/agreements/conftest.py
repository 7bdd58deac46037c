from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from readmit.agreements.models import Agreement, AgreementRule

SYNTHETIC = "synthetic test value, not a legal number"


@pytest.fixture
def synthetic_agreement(db: None) -> Callable[..., Agreement]:
    """A made-up agreement for tests that need values the registry does not have."""

    def make(
        code: str = "EU-AQ",
        *,
        kind: str = "eu_agreement",
        first_party: str | None = None,
        entry_into_force: dt.date | None = dt.date(2010, 1, 1),
        signed: dt.date | None = None,
        end: dt.date | None = None,
    ) -> Agreement:
        partner = code.split("-")[1]
        return Agreement.objects.create(
            code=code,
            title=f"Synthetic agreement {code} (test only)",
            kind=kind,
            first_party_id=first_party,
            partner_id=partner,
            signed=signed,
            entry_into_force=entry_into_force,
            end=end,
            dates_confidence="unverified",
        )

    return make


def add_rule(
    owner: object, key: str, value: int, unit: str, valid_from: dt.date, **extra: object
) -> None:
    field = "protocol" if owner.__class__.__name__ == "ImplementingProtocol" else "agreement"
    model = AgreementRule if field == "agreement" else owner.rules.model  # type: ignore[attr-defined]
    model.objects.create(
        **{field: owner},
        key=key,
        value=value,
        unit=unit,
        clock_start=extra.pop("clock_start", "receipt"),
        valid_from=valid_from,
        source=SYNTHETIC,
        confidence="unverified",
        **extra,
    )
