from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from readmit.accounts.models import ApiToken, User
from readmit.accounts.services import token_create, token_revoke
from readmit.audit.context import channel
from readmit.core.errors import DomainError


class Command(BaseCommand):
    help = "API tokens: `token create --user USERNAME`, `token list --user USERNAME`, `token revoke PREFIX`."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Print a new token (shown once).")
        create.add_argument("--user", required=True)
        create.add_argument("--name", default="command-line token")
        create.add_argument("--days", type=int, default=None, help="Validity in days.")
        listing = sub.add_parser("list", help="List a user's tokens (never the secret).")
        listing.add_argument("--user", required=True)
        revoke = sub.add_parser("revoke", help="Revoke a token by its prefix.")
        revoke.add_argument("prefix")

    def _user(self, username: str) -> User:
        try:
            return User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No user is called {username!r}.") from None

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with channel("cli"):
                self._dispatch(options)
        except DomainError as exc:
            raise CommandError(exc.message) from None

    def _dispatch(self, options: dict[str, Any]) -> None:
        action = options["action"]
        if action == "create":
            issued = token_create(
                actor=None,
                user=self._user(options["user"]),
                name=options["name"],
                days=options["days"],
            )
            self.stdout.write(issued.plaintext)
            self.stderr.write(
                f"Token {issued.token.prefix} for {options['user']}, valid until "
                f"{issued.token.expires_at:%Y-%m-%d}. It is shown only this once."
            )
        elif action == "list":
            for token in ApiToken.objects.filter(user=self._user(options["user"])):
                state = "revoked" if token.revoked_at else f"expires {token.expires_at:%Y-%m-%d}"
                self.stdout.write(f"{token.prefix}  {token.name}  {state}")
        else:
            found = ApiToken.objects.filter(prefix=options["prefix"]).first()
            if found is None:
                raise CommandError(f"No token has the prefix {options['prefix']!r}.")
            token_revoke(actor=None, token_id=found.pk)
            self.stdout.write(f"Revoked {found.prefix}.")
