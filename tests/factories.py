"""factory_boy factories for tests that need more than the demo personas."""

from __future__ import annotations

import factory

from readmit.accounts.models import Authority, AuthorityKind, Role, State, User


class AuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Authority

    code = factory.Sequence(lambda n: f"test-authority-{n}")
    name = factory.Sequence(lambda n: f"Test authority {n}")
    kind = AuthorityKind.RETURN_AUTHORITY
    state = factory.LazyFunction(lambda: State.objects.get(code="DE"))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"test-user-{n}")
    authority = factory.SubFactory(AuthorityFactory)
    role = Role.OFFICER
    password = factory.PostGenerationMethodCall("set_password", "a-test-password-123")
