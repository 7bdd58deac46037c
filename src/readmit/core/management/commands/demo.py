from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from readmit.accounts.reference import states_load
from readmit.agreements.services import agreements_load
from readmit.audit.context import channel
from readmit.demo.cases import demo_cases_load
from readmit.demo.world import AUTHORITIES, DEMO_PASSWORD, PERSONAS, demo_world_load
from readmit.returns.policy import policy_load


class Command(BaseCommand):
    help = "Load the reference data and the demo world (idempotent), and print the demo logins."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--quiet-logins", action="store_true", help="Do not print the demo logins."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError(
                "The demo world is never loaded in production (READMIT_ENV=production)."
            )
        with channel("cli"):
            created, updated = states_load()
            authorities, users = demo_world_load()
            registry = agreements_load()
            policy_load()
            cases = demo_cases_load()
        self.stdout.write(
            f"Reference data: {created} states created, {updated} corrected. "
            f"Demo world: {authorities} authorities and {users} users created. "
            f"Agreements registry: {registry.summary()} Demo cases: {cases} persons created."
        )
        if options["quiet_logins"]:
            return
        names = {a.code: a.name for a in AUTHORITIES}
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for persona in PERSONAS:
            self.stdout.write(
                f"  {persona.username:<16} {persona.role:<16} {names[persona.authority]}"
            )
