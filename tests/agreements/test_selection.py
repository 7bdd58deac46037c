"""Which instrument governs an application (DOMAIN.md §1.1), and which rule applies on a day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from readmit.agreements.models import Agreement, ImplementingProtocol
from readmit.agreements.selectors import agreement_select, rule_for
from readmit.core.errors import ValidationFailed

from .conftest import add_rule

D = dt.date
TODAY = D(2026, 3, 2)


def select(requesting: str, requested: str, category: str = "own_nationals", on: D = TODAY):
    return agreement_select(
        requesting_state=requesting, requested_state=requested, category=category, on=on
    )


@pytest.mark.django_db
def test_a_member_state_requesting_from_a_partner_gets_the_eu_agreement() -> None:
    selection = select("DE", "AZ")
    assert selection.agreement is not None and selection.agreement.code == "EU-AZ"
    assert selection.binding is True
    assert "EU-AZ applies" in selection.reason
    assert selection.warnings == ()


@pytest.mark.django_db
def test_the_eu_agreement_is_reciprocal() -> None:
    selection = select("AZ", "NL", "third_country_nationals")
    assert selection.agreement is not None and selection.agreement.code == "EU-AZ"


@pytest.mark.django_db
def test_denmark_is_outside_the_eu_agreements() -> None:
    selection = select("DK", "AZ")
    assert selection.agreement is None
    assert "Denmark does not take part in EU-AZ" in selection.reason
    assert selection.not_applicable[0][0] == "EU-AZ"


@pytest.mark.django_db
def test_switzerland_gets_its_bilateral_agreement() -> None:
    selection = select("CH", "AZ")
    assert selection.agreement is not None and selection.agreement.code == "CH-AZ"
    assert selection.binding is True
    assert ("EU-AZ", "Switzerland is not an EU Member State on 2026-03-02.") in (
        selection.not_applicable
    )
    assert select("NO", "AZ").agreement.code == "NO-AZ"  # type: ignore[union-attr]
    assert select("AZ", "ME").agreement.code == "ME-AZ"  # type: ignore[union-attr]


@pytest.mark.django_db
def test_before_entry_into_force_nothing_applies_and_the_reason_says_so() -> None:
    selection = select("DE", "AZ", on=D(2014, 8, 31))
    assert selection.agreement is None
    assert "EU-AZ entered into force only on 2014-09-01" in selection.reason
    montenegro = select("ME", "AZ", on=D(2017, 6, 1))
    assert montenegro.agreement is None
    assert "ME-AZ entered into force only on 2017-12-15" in montenegro.reason


@pytest.mark.django_db
def test_third_country_nationals_before_a_phase_date_are_not_covered() -> None:
    before = select("DE", "TR", "third_country_nationals", D(2017, 9, 30))
    assert before.agreement is None
    assert "EU-TR applies to third-country nationals only from 2017-10-01" in before.reason
    assert select("DE", "TR", "own_nationals", D(2017, 9, 30)).agreement.code == "EU-TR"  # type: ignore[union-attr]
    assert select("DE", "TR", "third_country_nationals", D(2017, 10, 1)).agreement.code == "EU-TR"  # type: ignore[union-attr]
    swiss = select("CH", "AZ", "third_country_nationals", D(2019, 6, 1))
    assert swiss.agreement is None
    assert "CH-AZ applies to third-country nationals only from 2020-04-01" in swiss.reason
    assert "only to TCNs whom the requested state can itself send on" in swiss.reason


@pytest.mark.django_db
def test_a_state_before_its_accession_is_not_a_member_state() -> None:
    selection = select("HR", "RS", on=D(2013, 6, 30))
    assert selection.agreement is None
    assert "Croatia is not an EU Member State on 2013-06-30" in selection.reason
    assert select("HR", "RS", on=D(2013, 7, 1)).agreement.code == "EU-RS"  # type: ignore[union-attr]


@pytest.mark.django_db
def test_an_arrangement_is_offered_only_when_nothing_binding_applies(
    synthetic_agreement: Callable[..., Agreement],
) -> None:
    arrangement = select("BE", "AF")
    assert arrangement.agreement is not None and arrangement.agreement.code == "EU-AF"
    assert arrangement.binding is False
    assert "non-binding" in arrangement.reason
    synthetic_agreement("BE-AF", kind="bilateral", first_party="BE")
    binding = select("BE", "AF")
    assert binding.agreement is not None and binding.agreement.code == "BE-AF"
    assert binding.binding is True


@pytest.mark.django_db
def test_the_eu_agreement_takes_precedence_over_a_bilateral_one(
    synthetic_agreement: Callable[..., Agreement],
) -> None:
    synthetic_agreement("AT-AZ", kind="bilateral", first_party="AT", entry_into_force=D(2005, 1, 1))
    after = select("AT", "AZ")
    assert after.agreement is not None and after.agreement.code == "EU-AZ"
    assert "takes precedence over the bilateral agreement AT-AZ" in after.reason
    # Before EU-AZ entered into force, the Member State's bilateral agreement governs.
    before = select("AT", "AZ", on=D(2013, 1, 1))
    assert before.agreement is not None and before.agreement.code == "AT-AZ"
    assert "EU-AZ entered into force only on 2014-09-01" in before.reason


@pytest.mark.django_db
def test_an_unknown_entry_into_force_is_flagged_not_guessed() -> None:
    selection = select("DE", "PK")
    assert selection.agreement is not None and selection.agreement.code == "EU-PK"
    assert any("no entry-into-force date" in w for w in selection.warnings)
    early = select("DE", "PK", on=D(2009, 1, 1))
    assert early.agreement is None
    assert "EU-PK was signed only on 2009-10-26" in early.reason


@pytest.mark.django_db
def test_no_registered_instrument_is_said_plainly() -> None:
    selection = select("DE", "US")
    assert selection.agreement is None
    assert "No readmission agreement or arrangement between Germany and" in selection.reason


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("requesting", "requested", "category", "message"),
    [
        ("XX", "AZ", "own_nationals", "Unknown requesting state"),
        ("DE", "DE", "own_nationals", "must differ"),
        ("DE", "AZ", "tourists", "Unknown category"),
    ],
)
def test_bad_selection_input_is_refused(
    requesting: str, requested: str, category: str, message: str
) -> None:
    with pytest.raises(ValidationFailed, match=message):
        select(requesting, requested, category)


# --------------------------------------------------------------------------------------
# Rule versions and protocol overrides
# --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_version_valid_on_the_day_applies(
    synthetic_agreement: Callable[..., Agreement],
) -> None:
    agreement = synthetic_agreement()
    add_rule(agreement, "reply_period_normal", 10, "calendar_days", D(2020, 1, 1))
    add_rule(agreement, "reply_period_normal", 12, "calendar_days", D(2024, 1, 1))
    assert rule_for(agreement, "reply_period_normal", on=D(2019, 12, 31)) is None
    assert rule_for(agreement, "reply_period_normal", on=D(2020, 1, 1)).value == 10  # type: ignore[union-attr]
    assert rule_for(agreement, "reply_period_normal", on=D(2023, 12, 31)).value == 10  # type: ignore[union-attr]
    assert rule_for(agreement, "reply_period_normal", on=D(2024, 1, 1)).value == 12  # type: ignore[union-attr]
    assert rule_for(agreement, "tacit_acceptance", on=D(2024, 1, 1)) is None
    with pytest.raises(ValidationFailed):
        rule_for(agreement, "no_such_rule", on=D(2024, 1, 1))


@pytest.mark.django_db
def test_a_protocol_overrides_the_agreement_while_in_force(
    synthetic_agreement: Callable[..., Agreement],
) -> None:
    agreement = synthetic_agreement()
    add_rule(agreement, "reply_period_normal", 10, "calendar_days", D(2010, 1, 1))
    add_rule(agreement, "transfer_period", 3, "months", D(2010, 1, 1), clock_start="acceptance")
    protocol = ImplementingProtocol.objects.create(
        agreement=agreement,
        member_state_id="DE",
        title="Synthetic protocol (test only)",
        entry_into_force=D(2015, 1, 1),
        end=D(2025, 1, 1),
        source="synthetic",
        confidence="unverified",
    )
    add_rule(protocol, "reply_period_normal", 7, "working_days", D(2015, 1, 1))
    add_rule(protocol, "reply_period_normal", 5, "working_days", D(2020, 1, 1))

    def value(on: D, member_state: str | None) -> object:
        found = rule_for(agreement, "reply_period_normal", on=on, member_state=member_state)
        assert found is not None
        return (found.value, found.origin)

    assert value(D(2016, 1, 1), None) == (10, "EU-AQ")
    assert value(D(2016, 1, 1), "FR") == (10, "EU-AQ")
    assert value(D(2014, 12, 31), "DE") == (10, "EU-AQ")  # protocol not yet in force
    assert value(D(2016, 1, 1), "DE") == (7, "EU-AQ protocol DE")
    assert value(D(2021, 1, 1), "DE") == (5, "EU-AQ protocol DE")  # its newer version
    assert value(D(2025, 1, 1), "DE") == (10, "EU-AQ")  # protocol ended
    # Keys the protocol does not configure come from the agreement.
    transfer = rule_for(agreement, "transfer_period", on=D(2021, 1, 1), member_state="DE")
    assert transfer is not None and transfer.origin == "EU-AQ"
