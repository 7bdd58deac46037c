"""The demo world: authorities of requesting and requested states and a persona for each role.

Loading is idempotent: a second run finds everything in place and changes nothing. It never
runs in production.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from readmit.accounts.models import Authority, AuthorityKind, Role, State, User
from readmit.accounts.services import user_create
from readmit.audit.services import audit_record

# One password for every demo persona, printed by `make run` and written in the README.
DEMO_PASSWORD = "Readmit-demo-2026"  # noqa: S105 - demo only; `readmit demo` refuses production

K = AuthorityKind


@dataclass(frozen=True)
class DemoAuthority:
    code: str
    name: str
    kind: str
    state: str
    located_in: str | None = None
    email: str = ""


AUTHORITIES = [
    DemoAuthority("de-lea-berlin", "Landesamt für Einwanderung Berlin", K.RETURN_AUTHORITY, "DE"),
    DemoAuthority("de-bpol", "Bundespolizei", K.BORDER_POLICE, "DE"),
    DemoAuthority("nl-dtv", "Dienst Terugkeer en Vertrek", K.RETURN_AUTHORITY, "NL"),
    DemoAuthority("nl-kmar", "Koninklijke Marechaussee", K.BORDER_POLICE, "NL"),
    DemoAuthority("be-dvz", "Office des étrangers / Dienst Vreemdelingenzaken", K.RETURN_AUTHORITY, "BE"),
    DemoAuthority("be-police", "Police fédérale / Federale Politie", K.BORDER_POLICE, "BE"),
    DemoAuthority("az-sms", "State Migration Service of the Republic of Azerbaijan", K.CENTRAL_AUTHORITY, "AZ"),
    DemoAuthority("az-consulate-berlin", "Consular Section, Embassy of Azerbaijan in Berlin", K.CONSULAR_POST, "AZ", "DE"),
    DemoAuthority("pk-moi", "Ministry of Interior of Pakistan", K.CENTRAL_AUTHORITY, "PK"),
    DemoAuthority("pk-consulate-brussels", "Consular Section, Embassy of Pakistan in Brussels", K.CONSULAR_POST, "PK", "BE"),
    DemoAuthority("ge-mia", "Ministry of Internal Affairs of Georgia", K.CENTRAL_AUTHORITY, "GE"),
    DemoAuthority("iom-az", "IOM Mission in Azerbaijan", K.REINTEGRATION_PARTNER, "AZ"),
    DemoAuthority("de-nsvf", "National Agency for the Prevention of Torture (forced-return monitoring)", K.MONITORING_BODY, "DE"),
    DemoAuthority("de-destatis", "Federal Statistical Office (Destatis)", K.STATISTICS_OFFICE, "DE"),
    DemoAuthority("platform", "Readmit Platform Administration", K.PLATFORM_ADMINISTRATION, "BE"),
]  # fmt: skip


@dataclass(frozen=True)
class Persona:
    username: str
    authority: str
    role: str
    first_name: str
    last_name: str


PERSONAS = [
    Persona("de-officer", "de-lea-berlin", Role.OFFICER, "Anna", "Schmidt"),
    Persona("de-supervisor", "de-lea-berlin", Role.SUPERVISOR, "Jonas", "Becker"),
    Persona("de-admin", "de-lea-berlin", Role.AUTHORITY_ADMIN, "Petra", "Wagner"),
    Persona("de-readonly", "de-lea-berlin", Role.READ_ONLY, "Lukas", "Hoffmann"),
    Persona("de-police", "de-bpol", Role.OFFICER, "Felix", "Krüger"),
    Persona("nl-officer", "nl-dtv", Role.OFFICER, "Sanne", "de Vries"),
    Persona("nl-admin", "nl-dtv", Role.AUTHORITY_ADMIN, "Daan", "Jansen"),
    Persona("nl-police", "nl-kmar", Role.OFFICER, "Eva", "Bakker"),
    Persona("be-officer", "be-dvz", Role.OFFICER, "Camille", "Dubois"),
    Persona("be-police", "be-police", Role.OFFICER, "Lars", "Peeters"),
    Persona("az-officer", "az-sms", Role.OFFICER, "Leyla", "Mammadova"),
    Persona("az-supervisor", "az-sms", Role.SUPERVISOR, "Rashad", "Aliyev"),
    Persona("az-admin", "az-sms", Role.AUTHORITY_ADMIN, "Nigar", "Huseynova"),
    Persona("az-consul", "az-consulate-berlin", Role.OFFICER, "Elvin", "Guliyev"),
    Persona("pk-officer", "pk-moi", Role.OFFICER, "Ayesha", "Khan"),
    Persona("pk-consul", "pk-consulate-brussels", Role.OFFICER, "Imran", "Qureshi"),
    Persona("ge-officer", "ge-mia", Role.OFFICER, "Nino", "Beridze"),
    Persona("iom-caseworker", "iom-az", Role.OFFICER, "Samira", "Ismayilova"),
    Persona("monitor", "de-nsvf", Role.OFFICER, "Clara", "Neumann"),
    Persona("analyst", "de-destatis", Role.READ_ONLY, "Tobias", "Richter"),
    Persona("platform-admin", "platform", Role.PLATFORM_ADMIN, "Marie", "Lambert"),
]


@transaction.atomic
def demo_world_load() -> tuple[int, int]:
    """Create the demo authorities and personas that are missing. Returns (authorities, users)."""
    states = {s.code: s for s in State.objects.all()}
    new_authorities = 0
    for spec in AUTHORITIES:
        if Authority.objects.filter(code=spec.code).exists():
            continue
        authority = Authority.objects.create(
            code=spec.code,
            name=spec.name,
            kind=spec.kind,
            state=states[spec.state],
            located_in=states[spec.located_in] if spec.located_in else None,
            email=spec.email,
        )
        audit_record(
            actor=None,
            action="accounts.authority.created",
            obj=authority,
            owner_authority_id=authority.pk,
            changes={"code": spec.code, "kind": spec.kind, "state": spec.state},
        )
        new_authorities += 1
    new_users = 0
    authorities = {
        a.code: a for a in Authority.objects.filter(code__in={p.authority for p in PERSONAS})
    }
    for persona in PERSONAS:
        if User.objects.filter(username=persona.username).exists():
            continue
        user_create(
            actor=None,
            authority=authorities[persona.authority],
            username=persona.username,
            role=persona.role,
            password=DEMO_PASSWORD,
            first_name=persona.first_name,
            last_name=persona.last_name,
            email=f"{persona.username}@demo.readmit.invalid",
        )
        new_users += 1
    return new_authorities, new_users
