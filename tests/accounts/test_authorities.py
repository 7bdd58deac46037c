from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from readmit.accounts.models import AuthorityKind, State
from readmit.accounts.reference import states_load
from tests.factories import AuthorityFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_every_iso_3166_state_is_loaded_with_its_flags() -> None:
    assert State.objects.count() >= 249
    assert State.objects.get(code="DE").is_eu_member
    assert not State.objects.get(code="GB").is_eu_member
    assert State.objects.get(code="GB").is_eu_member_on(__import__("datetime").date(2019, 6, 1))
    assert State.objects.get(code="CH").is_schengen_associated
    assert State.objects.get(code="AZ").is_partner and not State.objects.get(code="AZ").is_eu_member
    assert State.objects.get(code="XK").user_assigned_code
    assert states_load() == (0, 0)  # idempotent


def test_a_consular_post_must_say_where_it_is() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        AuthorityFactory(kind=AuthorityKind.CONSULAR_POST, state=State.objects.get(code="PK"))
    post = AuthorityFactory(
        kind=AuthorityKind.CONSULAR_POST,
        state=State.objects.get(code="PK"),
        located_in=State.objects.get(code="NL"),
    )
    assert post.located_in.code == "NL"


def test_a_user_of_a_new_authority_sees_only_its_own_colleagues() -> None:
    from readmit.accounts.models import User

    admin = UserFactory(role="authority_admin")
    colleague = UserFactory(authority=admin.authority)
    visible = set(User.objects.visible_to(admin).values_list("username", flat=True))
    assert visible == {admin.username, colleague.username}
