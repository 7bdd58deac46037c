from __future__ import annotations

import getpass
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from readmit.accounts.models import Authority, Role
from readmit.accounts.services import user_create
from readmit.audit.context import channel
from readmit.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Create a user of an authority. The password is asked for (or read from "
        "READMIT_NEW_PASSWORD); --system creates an integration account that uses API tokens only."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--authority", required=True, help="Authority code, e.g. de-lea-berlin")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--email", default="")
        parser.add_argument("--system", action="store_true", help="A system integration account.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            authority = Authority.objects.get(code=options["authority"])
        except Authority.DoesNotExist:
            raise CommandError(f"No authority has the code {options['authority']!r}.") from None
        password = None
        if not options["system"]:
            password = os.environ.get("READMIT_NEW_PASSWORD") or getpass.getpass("Password: ")
        try:
            with channel("cli"):
                user = user_create(
                    actor=None,
                    authority=authority,
                    username=options["username"],
                    role=options["role"],
                    password=password,
                    first_name=options["first_name"],
                    last_name=options["last_name"],
                    email=options["email"],
                    is_system=options["system"],
                )
        except DomainError as exc:
            details = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.fields.items())
            raise CommandError(f"{exc.message} {details}".strip()) from None
        self.stdout.write(f"Created {user.username} ({user.role}) at {authority.name}.")
