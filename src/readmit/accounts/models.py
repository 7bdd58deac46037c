"""States, authorities, users and API tokens.

A user belongs to exactly one authority and holds one role there. What a user may do is the
intersection of what the role grants and what the authority's kind may do
(`readmit.accounts.capabilities`); which rows exist for the user is decided by each model's
`visible_to(user)`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


class State(models.Model):
    """A country (ISO 3166-1), with its place in the EU and Schengen at the date it matters."""

    code = models.CharField(_("ISO 3166-1 alpha-2 code"), max_length=2, primary_key=True)
    alpha3 = models.CharField(_("alpha-3 code"), max_length=3, unique=True)
    numeric = models.CharField(_("numeric code"), max_length=3, blank=True)
    name = models.CharField(_("name"), max_length=100)
    official_name = models.CharField(_("official name"), max_length=200, blank=True)
    eu_accession = models.DateField(_("EU accession"), null=True, blank=True)
    eu_withdrawal = models.DateField(_("EU withdrawal"), null=True, blank=True)
    is_schengen_associated = models.BooleanField(_("Schengen associated country"), default=False)
    is_partner = models.BooleanField(
        _("partner country"),
        default=False,
        help_text=_("Party to an EU readmission agreement or arrangement."),
    )
    user_assigned_code = models.BooleanField(
        _("user-assigned code"),
        default=False,
        help_text=_("Not an ISO 3166-1 code proper (e.g. XK for Kosovo)."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("state")
        verbose_name_plural = _("states")

    def __str__(self) -> str:
        return self.name

    @property
    def is_eu_member(self) -> bool:
        return self.eu_accession is not None and self.eu_withdrawal is None

    def is_eu_member_on(self, day: Any) -> bool:
        if self.eu_accession is None or day < self.eu_accession:
            return False
        return self.eu_withdrawal is None or day <= self.eu_withdrawal


class AuthorityKind(models.TextChoices):
    RETURN_AUTHORITY = "return_authority", _("Return authority")
    BORDER_POLICE = "border_police", _("Border police")
    CENTRAL_AUTHORITY = "central_authority", _("Central authority")
    CONSULAR_POST = "consular_post", _("Consular post")
    REINTEGRATION_PARTNER = "reintegration_partner", _("Reintegration partner")
    MONITORING_BODY = "monitoring_body", _("Forced-return monitoring body")
    STATISTICS_OFFICE = "statistics_office", _("Statistics office")
    PLATFORM_ADMINISTRATION = "platform_administration", _("Platform administration")


class AuthorityQuerySet(models.QuerySet["Authority"]):
    def visible_to(self, user: User | AnonymousUser) -> AuthorityQuerySet:
        # The directory of competent authorities is shared by everyone signed in: a requesting
        # officer must be able to address the requested state's authority.
        if not user.is_authenticated:
            return self.none()
        return self.all()


class Authority(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=AuthorityKind.choices)
    state = models.ForeignKey(
        State, on_delete=models.PROTECT, related_name="authorities", verbose_name=_("state")
    )
    located_in = models.ForeignKey(
        State,
        on_delete=models.PROTECT,
        related_name="hosted_authorities",
        null=True,
        blank=True,
        verbose_name=_("located in"),
        help_text=_("For a consular post: the state where the post is located."),
    )
    email = models.EmailField(_("functional e-mail"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AuthorityQuerySet.as_manager()

    class Meta:
        ordering = ["state__name", "name"]
        verbose_name = _("authority")
        verbose_name_plural = _("authorities")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="consular_post", located_in__isnull=False)
                | ~Q(kind="consular_post"),
                name="authority_consular_post_has_location",
            ),
        ]

    def __str__(self) -> str:
        return self.name


def language_choices() -> list[tuple[str, str]]:
    """The interface languages (settings.LANGUAGES), read when asked so tests can change them."""
    return [(code, str(name)) for code, name in settings.LANGUAGES]


class Role(models.TextChoices):
    OFFICER = "officer", _("Officer")
    SUPERVISOR = "supervisor", _("Supervisor")
    READ_ONLY = "read_only", _("Read-only")
    AUTHORITY_ADMIN = "authority_admin", _("Authority administrator")
    PLATFORM_ADMIN = "platform_admin", _("Platform administrator")


class UserQuerySet(models.QuerySet["User"]):
    def visible_to(self, user: User | AnonymousUser) -> UserQuerySet:
        """Users of the viewer's own authority; platform admins see every account."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        assert isinstance(user, User)
        if user.role == Role.PLATFORM_ADMIN:
            return self.all()
        return self.filter(authority_id=user.authority_id or 0)


class ReadmitUserManager(UserManager["User"]):
    def get_queryset(self) -> UserQuerySet:
        return UserQuerySet(self.model, using=self._db)

    def visible_to(self, user: User | AnonymousUser) -> UserQuerySet:
        return self.get_queryset().visible_to(user)


class User(AbstractUser):
    """A person (or a system integration) acting for one authority."""

    authority = models.ForeignKey(
        Authority,
        on_delete=models.PROTECT,
        related_name="users",
        null=True,  # only createsuperuser-style bootstrap; services always set it
        verbose_name=_("authority"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.READ_ONLY)
    is_system = models.BooleanField(
        _("system integration"),
        default=False,
        help_text=_("An account for another system's API calls; it cannot sign in to the web."),
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        choices=language_choices,
        help_text=_("The language of the web interface; empty means the browser's language."),
    )

    objects = ReadmitUserManager()  # type: ignore[misc]

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def visible_to(self, user: User | AnonymousUser) -> ApiTokenQuerySet:
        if not user.is_authenticated:
            return self.none()
        assert isinstance(user, User)
        if user.role in (Role.AUTHORITY_ADMIN, Role.PLATFORM_ADMIN):
            return self.filter(user__authority_id=user.authority_id or 0)
        return self.filter(user_id=user.pk)


def token_usable(revoked_at: Any, expires_at: Any, at: Any) -> bool:
    """A token is usable until it is revoked or expires (the API's check reads the two
    columns without building the model, which would cost every call)."""
    return revoked_at is None and expires_at > at


class ApiToken(models.Model):
    """A bearer token. Only its SHA-256 is stored; the token itself is shown once."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12, unique=True)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, at: Any) -> bool:
        return token_usable(self.revoked_at, self.expires_at, at)
