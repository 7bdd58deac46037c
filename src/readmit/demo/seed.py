"""Synthetic data at volume: `readmit seed --applications N`.

Return cases and readmission applications from the demo world's EU authorities (Germany, the
Netherlands, Belgium) to the partners of EU readmission agreements, in the nationality mix of
Eurostat's "ordered to leave" statistics (data/eurostat_mix.csv), with people named in their
original script and in Latin script (names.py).

Every application is in a status the workflow can reach, with the dates that status implies:
the reply deadline comes from the real deadline engine under the agreement the registry
selects (rules and deadlines cached per agreement and day), and what the deadline sweep would
already have done by today is done (tacit acceptance, overdue marks, expired travel
documents, persons closed after the readmission-in-error window). Events, replies, travel
documents and transfers follow from the status.

Speed: rows are built as plain tuples and written in batches, by COPY on PostgreSQL and by
`executemany` elsewhere, one transaction per batch; never through the per-row services.
The seeded data carries no audit entries (nothing was done by anyone) and no evidence files.
It never runs in production.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import json
import random
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext

from readmit.accounts.models import Authority, AuthorityKind, State, User
from readmit.agreements.choices import Category, ClockStart, RuleKey
from readmit.agreements.deadlines import RuleValue, roll_forward_setting
from readmit.agreements.models import Agreement
from readmit.agreements.selectors import agreement_select
from readmit.audit.services import audit_record
from readmit.core.errors import ValidationFailed
from readmit.demo.names import BY_NATIONALITY, NameSet, surname_for
from readmit.persons.models import Identifier, Nationality, Person
from readmit.persons.services import _search_text
from readmit.persons.sharing import shareable_particulars
from readmit.persons.validation import identifier_number_normalise
from readmit.readmission import services as workflow_services
from readmit.readmission.filters import person_search_fields
from readmit.readmission.models import (
    Application,
    ApplicationEvent,
    ApplicationKind,
    ApplicationPerson,
    ApplicationStatus,
    DueKind,
    EventVisibility,
    PersonRole,
    PersonStatus,
    Procedure,
    RefusalReason,
    Transfer,
    TravelDocument,
    TravelDocumentKind,
    sides_to_act,
)
from readmit.returns.choices import CaseStatus
from readmit.returns.models import ReturnCase, ReturnDecision

A = ApplicationStatus
P = PersonStatus
# Translated once per message, not once per row (the seed writes millions of events).
_ = lru_cache(maxsize=None)(gettext)
MIX_FILE = Path(__file__).with_name("data") / "eurostat_mix.csv"

# The EU demo authorities that send applications: (return authority, border police) per state.
SENDERS = {"DE": ("de-lea-berlin", "de-bpol"), "NL": ("nl-dtv", "nl-kmar"), "BE": ("be-dvz", "be-police")}  # fmt: skip

# How a seeded application ends up, before today's date truncates its course.
PLAN_WEIGHTS: dict[str, int] = {
    A.DRAFT: 3, A.SUBMITTED: 7, A.ACKNOWLEDGED: 5, A.IDENTIFICATION: 5,
    A.INFORMATION_REQUESTED: 2, A.WITHDRAWN: 4, A.REPLIED: 74,
}  # fmt: skip
# The principal person's outcome of a decided application, recent and old.
RECENT_OUTCOMES: dict[str, int] = {
    P.ACCEPTED: 8, P.REFUSED: 14, P.TACITLY_ACCEPTED: 6, P.TD_REQUESTED: 6, P.TD_ISSUED: 10,
    P.TRANSFER_NOTIFIED: 8, P.TRANSFER_CONFIRMED: 8, P.TRANSFER_POSTPONED: 3, P.TRANSFERRED: 6,
    P.HANDOVER_CONFIRMED: 24, P.READMISSION_IN_ERROR: 1, P.WITHDRAWN: 2,
}  # fmt: skip
OLD_OUTCOMES: dict[str, int] = {
    P.REFUSED: 24, P.HANDOVER_CONFIRMED: 60, P.WITHDRAWN: 5, P.TD_ISSUED: 5, P.ACCEPTED: 4,
    P.READMISSION_IN_ERROR: 1, P.TACITLY_ACCEPTED: 1,
}  # fmt: skip
# The course of an accepted person, in order: each step needs the one before.
COURSE = (
    P.ACCEPTED, P.TD_REQUESTED, P.TD_ISSUED, P.TRANSFER_NOTIFIED, P.TRANSFER_CONFIRMED,
    P.TRANSFERRED, P.HANDOVER_CONFIRMED,
)  # fmt: skip
BORDER_CROSSING_POINTS = {
    "AZ": "Heydar Aliyev International Airport", "GE": "Tbilisi International Airport",
    "PK": "Allama Iqbal International Airport, Lahore", "RS": "Belgrade Nikola Tesla Airport",
    "TR": "Istanbul Airport", "AL": "Tirana International Airport",
    "RU": "Sheremetyevo International Airport", "AM": "Zvartnots International Airport",
}  # fmt: skip
SCANNED_IN_ORDER = (
    "Person", "Nationality", "Identifier", "ReturnCase", "ReturnDecision", "Application",
    "ApplicationPerson", "TravelDocument", "Transfer", "TransferPersons", "ApplicationEvent",
)  # fmt: skip


class SeedError(Exception):
    pass


# --------------------------------------------------------------------------------------
# Bulk writing
# --------------------------------------------------------------------------------------


class _Table:
    """Rows of one table as tuples in column order, written by COPY or executemany."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.table = model._meta.db_table
        fields = list(model._meta.concrete_fields)
        self.columns = [f.column for f in fields]
        self.attnames = [f.attname for f in fields]
        self.defaults = [f.get_default() for f in fields]
        self.pairs = list(zip(self.attnames, self.defaults, strict=True))
        converters = [self._converter(f) for f in fields]
        self.converting = [(i, c) for i, c in enumerate(converters) if c is not None]
        self.rows: list[tuple[Any, ...]] = []
        self.written = 0
        self.next_id = (model._default_manager.aggregate(m=models.Max("pk"))["m"] or 0) + 1

    @staticmethod
    def _converter(f: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
        if isinstance(f, models.JSONField):
            return json.dumps
        if connection.vendor == "postgresql":
            return None
        if isinstance(f, models.DateTimeField):
            # What adapt_datetimefield_value stores (naive UTC), without its per-value checks.
            return lambda v: v.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")
        if isinstance(f, models.DateField):
            return lambda v: None if v is None else v.isoformat()
        if isinstance(f, models.UUIDField):
            return lambda v: None if v is None else v.hex
        return None

    def allocate(self) -> int:
        pk = self.next_id
        self.next_id += 1
        return pk

    def add(self, **values: Any) -> None:
        row = [values.get(a, d) for a, d in self.pairs]
        for i, convert in self.converting:
            if row[i] is not None:
                row[i] = convert(row[i])
        self.rows.append(tuple(row))

    def flush(self) -> None:
        if not self.rows:
            return
        qn = connection.ops.quote_name
        columns = ", ".join(qn(c) for c in self.columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {qn(self.table)} ({columns}) FROM STDIN") as copy:
                    for row in self.rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(
                    f"INSERT INTO {qn(self.table)} ({columns}) VALUES ({marks})",  # noqa: S608 - names from the models
                    self.rows,
                )
        self.written += len(self.rows)
        self.rows = []

    def replicate(self, first: int, span: int, copies: int, spans: dict[str, int]) -> None:
        """Copy the rows with ids first..first+span-1 `copies` times in SQL, shifting every id
        and every reference into a replicated table by that table's span, with new public ids
        and references."""
        qn = connection.ops.quote_name
        postgres = connection.vendor == "postgresql"
        tables = set(spans)
        for k in range(1, copies + 1):
            exprs = []
            for f in self.model._meta.concrete_fields:
                col = qn(f.column)
                related = f.related_model if f.is_relation else None
                target = related._meta.db_table if isinstance(related, type) else None
                if f.primary_key:
                    exprs.append(f"{col} + {k * span}")
                elif target in tables:
                    exprs.append(f"{col} + {k * spans[target]}")
                elif isinstance(f, models.UUIDField):
                    exprs.append("gen_random_uuid()" if postgres else "lower(hex(randomblob(16)))")
                elif f.name == "reference" and f.model in (Application, ReturnCase):
                    # ...-S00001234: the same prefix, the new id.
                    number = (
                        f"lpad(({qn('id')} + {k * span})::text, 8, '0')"
                        if postgres
                        else f"printf('%08d', {qn('id')} + {k * span})"
                    )
                    exprs.append(f"substr({col}, 1, length({col}) - 8) || {number}")
                else:
                    exprs.append(col)
            columns = ", ".join(qn(f.column) for f in self.model._meta.concrete_fields)
            with connection.cursor() as cursor, transaction.atomic():
                cursor.execute(
                    f"INSERT INTO {qn(self.table)} ({columns}) SELECT {', '.join(exprs)} "  # noqa: S608
                    f"FROM {qn(self.table)} WHERE {qn('id')} >= %s AND {qn('id')} < %s",
                    [first, first + span],
                )
        self.written += span * copies
        self.next_id = first + span * (copies + 1)


# --------------------------------------------------------------------------------------
# The world the seed works in
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """One (sending authority's state, nationality) pair with its weight and agreement."""

    requesting_state: str
    nationality: str
    weight: int
    agreement: Agreement


@dataclass
class World:
    today: dt.date
    routes: list[Route]
    senders: dict[str, tuple[Authority, Authority | None]]
    central: dict[str, Authority]
    consular: dict[tuple[str, str], Authority]
    officers: dict[int, str]  # authority id -> a persona's username for the timeline
    states: dict[str, State]


def _mix() -> list[tuple[str, str, int]]:
    with MIX_FILE.open(encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return [
        (row["requesting_state"], row["citizenship"], int(row["ordered_to_leave"]))
        for row in csv.DictReader(lines)
        if row["citizenship"] in BY_NATIONALITY
    ]


def _central_authority(state: State) -> Authority:
    """The requested state's central authority: the demo one, or one made for the seed."""
    existing = (
        Authority.objects.filter(state=state, kind=AuthorityKind.CENTRAL_AUTHORITY, is_active=True)
        .order_by("pk")
        .first()
    )
    if existing is not None:
        return existing
    authority = Authority.objects.create(
        code=f"{state.code.lower()}-central",
        name=f"Central authority of {state.name} (synthetic)",
        kind=AuthorityKind.CENTRAL_AUTHORITY,
        state=state,
    )
    audit_record(
        actor=None,
        action="accounts.authority.created",
        obj=authority,
        owner_authority_id=authority.pk,
        changes={"code": authority.code, "kind": authority.kind, "state": state.code},
    )
    return authority


def world_build(*, today: dt.date, authorities: Iterable[str] = ()) -> World:
    """The routes, authorities and agreements of the seed (the demo world must be loaded)."""
    wanted = set(authorities)
    by_code = {a.code: a for a in Authority.objects.select_related("state")}
    senders: dict[str, tuple[Authority, Authority | None]] = {}
    for state, (return_code, police_code) in SENDERS.items():
        if wanted and not wanted & {return_code, police_code}:
            continue
        main = by_code.get(return_code if not wanted or return_code in wanted else police_code)
        if main is None:
            raise SeedError(f"The demo authority {return_code} is missing: run `readmit demo`.")
        police = by_code.get(police_code) if not wanted or police_code in wanted else None
        senders[state] = (main, police if police is not main else None)
    unknown = wanted - set(by_code)
    if unknown or (wanted and not senders):
        raise SeedError(
            "Seed applications are sent by the EU demo authorities only: "
            + ", ".join(sorted(c for pair in SENDERS.values() for c in pair))
        )
    states = {s.code: s for s in State.objects.all()}
    agreements: dict[tuple[str, str], Agreement | None] = {}
    routes = []
    for requesting, nationality, weight in _mix():
        if requesting not in senders or weight <= 0 or nationality not in states:
            continue
        key = (requesting, nationality)
        if key not in agreements:
            selection = agreement_select(
                requesting_state=requesting,
                requested_state=nationality,
                category=Category.OWN_NATIONALS,
                on=today,
            )
            agreements[key] = selection.agreement
        agreement = agreements[key]
        if agreement is not None:
            routes.append(Route(requesting, nationality, weight, agreement))
    if not routes:
        raise SeedError("No agreement applies between the demo authorities and the partners.")
    # Rules in memory, so that the deadline engine does not ask the database per application.
    prefetched = {
        a.pk: a
        for a in Agreement.objects.filter(pk__in={r.agreement.pk for r in routes})
        .select_related("first_party")
        .prefetch_related("rules", "protocols__rules")
    }
    routes = [
        Route(r.requesting_state, r.nationality, r.weight, prefetched[r.agreement.pk])
        for r in routes
    ]
    central = {r.nationality: _central_authority(states[r.nationality]) for r in routes}
    consular = {
        (a.state_id, a.located_in_id): a
        for a in Authority.objects.filter(kind=AuthorityKind.CONSULAR_POST, is_active=True)
        if a.located_in_id
    }
    officers: dict[int, str] = {}
    for user in User.objects.filter(is_active=True).order_by("pk"):
        if user.authority_id is not None:
            officers.setdefault(user.authority_id, user.get_username())
    return World(today, routes, senders, central, consular, officers, states)


# --------------------------------------------------------------------------------------
# Deadlines, through the real engine, cached
# --------------------------------------------------------------------------------------


class _Deadlines:
    def __init__(self, world: World) -> None:
        self.world = world
        self._templates: dict[tuple[int, str], Application] = {}

    def template(self, route: Route, sender: Authority) -> Application:
        key = (route.agreement.pk, sender.state_id)
        if key not in self._templates:
            self._templates[key] = Application(
                agreement=route.agreement,
                requesting_authority=sender,
                requested_state=self.world.states[route.nationality],
            )
        return self._templates[key]

    @lru_cache(maxsize=200_000)  # noqa: B019 - one instance per seed run
    def rules(self, agreement_id: int, state: str, on: dt.date) -> dict[str, RuleValue]:
        template = self._templates[(agreement_id, state)]
        return workflow_services._rules(template, on)

    @lru_cache(maxsize=500_000)  # noqa: B019
    def reply_clock(
        self, agreement_id: int, state: str, procedure: str, on: dt.date
    ) -> dict[str, Any]:
        """The stored deadline fields of an application whose reply clock starts on `on`."""
        template = self._templates[(agreement_id, state)]
        probe = Application(
            agreement=template.agreement,
            requesting_authority=template.requesting_authority,
            requested_state=template.requested_state,
            procedure=procedure,
        )
        try:
            workflow_services._start_reply_clock(
                probe, start=on, rules=self.rules(agreement_id, state, on)
            )
        except ValidationFailed:
            probe.reply_due = None  # beyond the holiday data: unknown, as the services say
            probe.reply_due_source = ""
        return {
            name: getattr(probe, name)
            for name in (
                "clock_started_on", "calendar_country", "roll_forward", "tacit_acceptance",
                "tacit_acceptance_source", "reply_due", "reply_due_source", "reply_due_amount",
                "reply_due_unit", "reply_due_confidence",
            )
        }  # fmt: skip

    def clock_starts_at(self, agreement_id: int, state: str, procedure: str, on: dt.date) -> str:
        return workflow_services._reply_clock_starts_at(
            self.rules(agreement_id, state, on), procedure
        )

    def due(
        self, agreement_id: int, state: str, rules_on: dt.date, key: str, start: dt.date
    ) -> dt.date | None:
        """The due date of the period `key` from `start`, counted as the services count it."""
        rules = self.rules(agreement_id, state, rules_on)
        rule = rules.get(key)
        if rule is None:
            return None
        roll, _source = roll_forward_setting(rules)
        country = self._templates[(agreement_id, state)].requested_state_id
        return _due(rule, start, country, roll)


@lru_cache(maxsize=500_000)
def _due(rule: RuleValue, start: dt.date, country: str, roll: bool) -> dt.date | None:
    try:
        return workflow_services._deadline(
            rule, start=start, country=country, roll_forward=roll
        ).due
    except ValidationFailed:
        return None  # beyond the holiday data: unknown, never guessed


# --------------------------------------------------------------------------------------
# Generating
# --------------------------------------------------------------------------------------


@dataclass
class SeedReport:
    applications: int = 0
    persons: int = 0
    application_statuses: Counter[str] = field(default_factory=Counter)
    person_statuses: Counter[str] = field(default_factory=Counter)
    rows: dict[str, int] = field(default_factory=dict)
    scripts: Counter[str] = field(default_factory=Counter)


def _at(day: dt.date, rng: random.Random) -> dt.datetime:
    moment = dt.datetime.combine(day, dt.time(8 + rng.randrange(9), rng.randrange(60)))
    return timezone.make_aware(moment, dt.UTC)


def _period_days(rules: dict[str, RuleValue], procedure: str) -> int:
    key = (
        RuleKey.REPLY_PERIOD_ACCELERATED
        if procedure == Procedure.ACCELERATED
        else RuleKey.REPLY_PERIOD_NORMAL
    )
    rule = rules.get(key)  # fmt: skip
    if rule is None:
        return 60
    factor = {"working_days": 1.5, "months": 31, "years": 365, "weeks": 7}.get(rule.unit, 1)
    return max(2, int(int(rule.value) * factor))


@cache
def _cumulative(weights: tuple[tuple[str, int], ...]) -> tuple[list[str], list[int]]:
    return [k for k, _w in weights], list(itertools.accumulate(w for _k, w in weights))


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    keys, cumulative = _cumulative(tuple(weights.items()))
    return rng.choices(keys, cum_weights=cumulative)[0]


class Seeder:
    def __init__(self, world: World, *, seed: int = 2026, batch: int = 5000) -> None:
        self.world = world
        self.rng = random.Random(seed)
        self.batch = batch
        self.deadlines = _Deadlines(world)
        self.report = SeedReport()
        self.t = {
            "Person": _Table(Person),
            "Nationality": _Table(Nationality),
            "Identifier": _Table(Identifier),
            "ReturnCase": _Table(ReturnCase),
            "ReturnDecision": _Table(ReturnDecision),
            "Application": _Table(Application),
            "ApplicationPerson": _Table(ApplicationPerson),
            "TravelDocument": _Table(TravelDocument),
            "Transfer": _Table(Transfer),
            "TransferPersons": _Table(Transfer.persons.through),
            "ApplicationEvent": _Table(ApplicationEvent),
        }
        self.route_weights = list(itertools.accumulate(r.weight for r in world.routes))
        self.now = timezone.now()
        self.events: list[tuple[Any, ...]] = []
        self.gaps: list[int] = []
        self.tacit_index = 0
        self.proto = Person(photo="", languages=[])

    # ---- people --------------------------------------------------------------------

    def _person(
        self, owner: Authority, names: NameSet, nationality: str, sex: str, born: int
    ) -> tuple[int, dict[str, Any]]:
        rng = self.rng
        surname = surname_for(names, rng.choice(names.surnames), sex)
        given = rng.choice(names.male if sex == "M" else names.female)
        pk = self.t["Person"].allocate()
        month = rng.randrange(1, 13) if rng.random() < 0.85 else None
        day = rng.randrange(1, 29) if month and rng.random() < 0.9 else None
        values: dict[str, Any] = {
            "id": pk,
            "owner_authority_id": owner.pk,
            "created_at": self.now,
            "updated_at": self.now,
            "surname_latin": surname[1],
            "given_names_latin": given[1],
            "surname_original": surname[0],
            "given_names_original": given[0],
            "original_script": names.script,
            "sex": sex,
            "birth_year": born,
            "birth_month": month,
            "birth_day": day,
            "place_of_birth": rng.choice(names.places) if names.places else "",
            "birth_country_id": nationality,
        }
        nationalities = [SimpleNamespace(state_id=nationality, status="claimed", current=True)]
        identifiers = []
        if rng.random() < 0.45:
            number = f"{nationality}{rng.randrange(10**7, 10**8)}"
            issued = self.world.today - dt.timedelta(days=rng.randrange(200, 3600))
            identifiers.append(
                SimpleNamespace(
                    kind="passport", number=number, number_normalised=identifier_number_normalise(number),
                    issuing_state_id=nationality, issuing_authority="", place_of_issue="",
                    issue_date=issued, expiry_date=issued + dt.timedelta(days=3652),
                )
            )  # fmt: skip
        # The real snapshot and search text, computed on one reused instance with in-memory
        # relations: no model instance and no query per person.
        person = self.proto
        for name, value in values.items():
            setattr(person, name, value)
        person._prefetched_objects_cache = {  # type: ignore[attr-defined]
            "other_names": [],
            "nationalities": nationalities,
            "identifiers": identifiers,
        }
        values["search_text"] = _search_text(person)
        particulars = shareable_particulars(person)
        self.t["Person"].add(**values)
        for n in nationalities:
            self.t["Nationality"].add(
                id=self.t["Nationality"].allocate(), person_id=pk, state_id=n.state_id,
                status=n.status, current=True,
            )  # fmt: skip
        for i in identifiers:
            self.t["Identifier"].add(
                id=self.t["Identifier"].allocate(), person_id=pk, created_at=self.now, **vars(i)
            )
        self.report.scripts[names.script] += 1
        return pk, particulars

    # ---- one application -----------------------------------------------------------

    def application(self) -> None:
        rng, world, today = self.rng, self.world, self.world.today
        route = rng.choices(world.routes, cum_weights=self.route_weights)[0]
        main, police = world.senders[route.requesting_state]
        accelerated = police is not None and rng.random() < 0.15
        sender = police if accelerated and police is not None else main
        procedure = Procedure.ACCELERATED if accelerated else Procedure.NORMAL
        names = BY_NATIONALITY[route.nationality]
        agreement_id, state = route.agreement.pk, sender.state_id
        self.deadlines.template(route, sender)
        plan = _pick(rng, PLAN_WEIGHTS)
        kind = ApplicationKind.OWN_NATIONALS

        # The family: principal, optionally a spouse and minor children.
        sex = "M" if rng.random() < 0.72 else "F"
        born = today.year - rng.randrange(18, 60)
        members: list[tuple[str, tuple[int, dict[str, Any]]]] = [
            (PersonRole.PRINCIPAL, self._person(sender, names, route.nationality, sex, born))
        ]
        if rng.random() < 0.12:
            members.append((PersonRole.SPOUSE, self._person(
                sender, names, route.nationality, "F" if sex == "M" else "M", born + rng.randrange(-5, 6))))  # fmt: skip
            for _child in range(rng.choice((0, 1, 1, 2, 3))):
                members.append((PersonRole.CHILD, self._person(
                    sender, names, route.nationality, rng.choice("MF"), today.year - rng.randrange(1, 17))))  # fmt: skip

        # When it was sent, and what the reply clock says.
        rules_today = self.deadlines.rules(agreement_id, state, today)
        period = _period_days(rules_today, procedure)
        if plan == A.DRAFT:
            received = None
        elif plan == A.REPLIED:
            old = rng.random() < 0.6
            back = (
                rng.randrange(period + 120, 730) if old else rng.randrange(period + 3, period + 120)
            )
            received = today - dt.timedelta(days=back)
        elif plan == A.WITHDRAWN:
            received = today - dt.timedelta(days=rng.randrange(5, 400))
        else:
            # Open: mostly within the reply period; some late (overdue, or due for today's sweep).
            span = period * 2 if rng.random() < 0.1 else period
            received = today - dt.timedelta(days=rng.randrange(0, span + 1))
        app: dict[str, Any] = {
            "id": self.t["Application"].allocate(),
            "public_id": uuid.uuid4(),
            "kind": kind,
            "procedure": procedure,
            "agreement_id": agreement_id,
            "requesting_authority_id": sender.pk,
            "requested_state_id": route.nationality,
            "requested_authority_id": world.central[route.nationality].pk,
            "consular_post_id": getattr(world.consular.get((route.nationality, state)), "pk", None),
            "legal_basis": route.agreement.code,
            "apprehended_on": (received or today) - dt.timedelta(days=rng.randrange(1, 3)) if accelerated else None,
            "version": 1,
        }  # fmt: skip
        app["reference"] = f"{sender.code.upper()}-RA-S{app['id']:08d}"
        created = (received or today) - dt.timedelta(days=rng.randrange(0, 6))
        if plan == A.DRAFT and created == today:
            created = today
        app["created_at"] = _at(created, rng)
        events = self.events = []
        # The same pace for every person of the family, so they travel together.
        self.gaps = [rng.randrange(1, 12) for _step in COURSE]
        self.tacit_index = rng.choice((0, 2, 6, 6))
        officer = world.officers.get(sender.pk, "")
        receiver = world.central[route.nationality]
        them = world.officers.get(receiver.pk, "")

        def event(action: str, day: dt.date, summary: str, *, person: int | None = None,
                  due: dt.date | None = None, side: str = "requesting",
                  visibility: str = EventVisibility.BOTH) -> None:  # fmt: skip
            if side == "requesting":
                who, code = officer, sender.code
            elif side == "requested":
                who, code = them, receiver.code
            else:
                who, code = "", "platform"
            events.append((action, _at(day, rng), summary, person, due, who, code, visibility))

        event("drafted", created, _("Application drafted under %(code)s.") % {"code": route.agreement.code},
              visibility=EventVisibility.REQUESTING)  # fmt: skip
        status: str = A.DRAFT
        outcome: str = P.PENDING
        clock: dict[str, Any] = {}
        if received is not None:
            status = A.SUBMITTED
            app.update(submitted_at=_at(received, rng), received_on=received)
            acknowledged = None
            starts = self.deadlines.clock_starts_at(agreement_id, state, procedure, received)
            start: dt.date | None = received
            if starts == ClockStart.ACKNOWLEDGEMENT or plan != A.SUBMITTED:
                acknowledged = min(today, received + dt.timedelta(days=rng.randrange(0, 3)))
                if plan == A.SUBMITTED:
                    acknowledged = None
            if starts == ClockStart.ACKNOWLEDGEMENT:
                start = acknowledged
            if start is not None:
                clock = self.deadlines.reply_clock(agreement_id, state, procedure, start)
                app.update(clock)
            event("submitted", received, _("Application submitted to %(state)s.")
                  % {"state": world.states[route.nationality].name}, due=clock.get("reply_due"))  # fmt: skip
            if acknowledged is not None:
                app["acknowledged_on"] = acknowledged
                status = A.ACKNOWLEDGED
                event("acknowledged", acknowledged, _("Receipt acknowledged."), side="requested",
                      due=clock.get("reply_due"))  # fmt: skip
            due = clock.get("reply_due")
            if plan in (A.IDENTIFICATION, A.INFORMATION_REQUESTED) or (
                plan == A.REPLIED and rng.random() < 0.3
            ):
                on = min(today, (acknowledged or received) + dt.timedelta(days=rng.randrange(0, 3)))
                status = A.IDENTIFICATION
                event("identification_recorded", on, _("Registry check: %(result)s")
                      % {"result": "civil registry consulted"}, side="requested")  # fmt: skip
            if plan == A.INFORMATION_REQUESTED:
                status = A.INFORMATION_REQUESTED
                event("information_requested", today - dt.timedelta(days=rng.randrange(0, 3)) if received < today else today,
                      _("More information requested. The reply period keeps running (no pause is configured for %(code)s).")
                      % {"code": route.agreement.code}, side="requested", due=due)  # fmt: skip
            if plan == A.WITHDRAWN:
                on = min(today, received + dt.timedelta(days=rng.randrange(1, 30)))
                status = A.WITHDRAWN
                app["closed_at"] = _at(on, rng)
                outcome = P.WITHDRAWN
                event("withdrawn", on, _("Application withdrawn."))
            elif plan == A.REPLIED:
                status, outcome = self._decide(
                    app, route, state, procedure, rules_today, event, old
                )
            elif due is not None and due < today - dt.timedelta(days=1):
                # Open and late: the sweep deems it accepted (tacit acceptance) or marks it
                # overdue. Those due yesterday are left for today's sweep.
                if clock.get("tacit_acceptance"):
                    status, outcome = A.REPLIED, P.TACITLY_ACCEPTED
                    self._tacit(app, due, event)
                else:
                    app["overdue_since"] = due + dt.timedelta(days=1)
                    event("overdue", due + dt.timedelta(days=1), _("No reply by %(due)s: the application is overdue (%(rule)s).")
                          % {"due": due.isoformat(), "rule": _("the agreement does not provide tacit acceptance")
                             if clock.get("tacit_acceptance") is False else _("the agreement's rule on tacit acceptance is not configured")},
                          side="system", due=due)  # fmt: skip
        self._persons_and_after(app, route, state, members, status, outcome, event)

    def _tacit(self, app: dict[str, Any], due: dt.date, event: Callable[..., None]) -> None:
        deemed = due + dt.timedelta(days=1)
        app["replied_at"] = _at(deemed, self.rng)
        app["_reply_on"] = deemed
        event("tacitly_accepted", deemed, _("No reply by %(due)s: the transfer is deemed agreed (tacit acceptance, %(source)s).")
              % {"due": due.isoformat(), "source": app.get("tacit_acceptance_source") or app["legal_basis"]},
              side="system", due=due)  # fmt: skip

    def _decide(
        self,
        app: dict[str, Any],
        route: Route,
        state: str,
        procedure: str,
        rules: dict[str, RuleValue],
        event: Callable[..., None],
        old: bool,
    ) -> tuple[str, str]:
        rng, today = self.rng, self.world.today
        outcome = _pick(rng, OLD_OUTCOMES if old else RECENT_OUTCOMES)
        due: dt.date | None = app.get("reply_due")
        start: dt.date = app.get("clock_started_on") or app["received_on"]
        if outcome == P.TACITLY_ACCEPTED and not (
            app.get("tacit_acceptance") and due is not None and due < today
        ):
            outcome = P.ACCEPTED
        if outcome == P.WITHDRAWN:
            on = min(today, start + dt.timedelta(days=rng.randrange(1, 20)))
            app["closed_at"] = _at(on, rng)
            event("withdrawn", on, _("Application withdrawn."))
            return A.WITHDRAWN, P.WITHDRAWN
        if outcome == P.TACITLY_ACCEPTED:
            assert due is not None
            self._tacit(app, due, event)
            return A.REPLIED, outcome
        latest = min(today, due) if due is not None else min(today, start + dt.timedelta(days=60))
        span = max(0, (latest - start).days)
        reply_on = start + dt.timedelta(days=rng.randrange(0, span + 1))
        app["replied_at"] = _at(reply_on, rng)
        app["_reply_on"] = reply_on
        return A.REPLIED, outcome

    # ---- persons, travel documents, transfers ------------------------------------------

    def _persons_and_after(
        self,
        app: dict[str, Any],
        route: Route,
        state: str,
        members: list[tuple[str, tuple[int, dict[str, Any]]]],
        status: str,
        outcome: str,
        event: Callable[..., None],
    ) -> None:
        rng, today, t = self.rng, self.world.today, self.t
        reply_on: dt.date | None = app.pop("_reply_on", None)
        rules_on = app.get("received_on") or today
        case_status = CaseStatus.OPEN
        transfer_rows: list[int] = []
        transfer: dict[str, Any] | None = None
        statuses = []
        for role, (person_id, particulars) in members:
            person_outcome = outcome
            if (
                role != PersonRole.PRINCIPAL
                and outcome not in (P.PENDING, P.WITHDRAWN)
                and rng.random() < 0.1
            ):
                person_outcome = P.REFUSED  # a family with mixed replies
            ap_id = t["ApplicationPerson"].allocate()
            row: dict[str, Any] = {
                "id": ap_id, "application_id": app["id"], "role": role, "person_id": person_id,
                "particulars": particulars, "surname_latin": particulars["surname_latin"][:200],
                "given_names_latin": particulars["given_names_latin"][:200],
            }  # fmt: skip
            # The requested side's search by name and nationality, as the services fill it.
            text, codes = person_search_fields(particulars)
            row.update(search_text=text, nationality_codes=codes[:60])
            final = person_outcome
            if person_outcome == P.REFUSED:
                assert reply_on is not None
                reason = rng.choice(
                    [RefusalReason.NOT_A_NATIONAL, RefusalReason.IDENTITY_NOT_ESTABLISHED,
                     RefusalReason.EVIDENCE_INSUFFICIENT]
                )  # fmt: skip
                row.update(reply_on=reply_on, refusal_reason=reason,
                           refusal_explanation="The registry check found no matching record.")  # fmt: skip
                event("refused", reply_on, _("Refused: %(reason)s.") % {"reason": RefusalReason(reason).label},
                      person=ap_id, side="requested")  # fmt: skip
            elif person_outcome in (P.TACITLY_ACCEPTED, *COURSE, P.READMISSION_IN_ERROR):
                assert reply_on is not None
                final, transfer = self._course(app, route, state, row, person_outcome, reply_on,
                                               rules_on, event, transfer)  # fmt: skip
                if transfer is not None and final not in (P.TD_EXPIRED,):
                    transfer_rows.append(ap_id)
            row["status"] = final
            statuses.append(final)
            t["ApplicationPerson"].add(**row)
            self.report.person_statuses[final] += 1
            self.report.persons += 1
        finished = {P.CLOSED, P.REFUSED, P.WITHDRAWN}
        if status == A.REPLIED and all(s in finished for s in statuses) and P.CLOSED in statuses:
            status = A.CLOSED
            app["closed_at"] = _at(app.pop("_closed_on", today), rng)
        app.pop("_closed_on", None)
        if any(
            s in (P.TRANSFERRED, P.HANDOVER_CONFIRMED, P.CLOSED, P.READMISSION_IN_ERROR)
            for s in statuses
        ):
            case_status = CaseStatus.RETURNED
        elif any(
            s in (P.TD_ISSUED, P.TRANSFER_NOTIFIED, P.TRANSFER_CONFIRMED, P.TRANSFER_POSTPONED)
            for s in statuses
        ):
            case_status = CaseStatus.READY_FOR_RETURN
        app["status"] = status
        app["requesting_acts"], app["requested_acts"] = sides_to_act(status, set(statuses))
        self.report.application_statuses[status] += 1
        # The return case (requesting side only) and its decision.
        principal_person = members[0][1][0]
        case_id = t["ReturnCase"].allocate()
        decided = app["created_at"].date() - dt.timedelta(days=rng.randrange(10, 200))
        identified = app.get("_identified")
        t["ReturnCase"].add(
            id=case_id, owner_authority_id=app["requesting_authority_id"], person_id=principal_person,
            reference=f"{app['reference'].rsplit('-RA-', 1)[0]}-S{case_id:08d}", status=case_status,
            created_at=_at(decided, rng), updated_at=self.now, identified_on=identified,
            identified_source=route.agreement.code if identified else "",
            documented_on=app.pop("_documented", None),
            documented_source=route.agreement.code if case_status != CaseStatus.OPEN else "",
            actual_departure=app.pop("_departed", None),
        )  # fmt: skip
        app.pop("_identified", None)
        t["ReturnDecision"].add(
            id=t["ReturnDecision"].allocate(), case_id=case_id,
            issuing_authority=self.world.senders[route.requesting_state][0].name,
            reference=f"RD-S{case_id:08d}", decided_on=decided, notified_on=decided + dt.timedelta(days=2),
            vd_granted=False, vd_refusal_reason="risk_of_absconding", recorded_at=self.now,
        )  # fmt: skip
        app["return_case_id"] = case_id
        t["Application"].add(**app)
        if transfer is not None and transfer_rows:
            t["Transfer"].add(**transfer)
            for ap_id in transfer_rows:
                t["TransferPersons"].add(
                    id=t["TransferPersons"].allocate(),
                    transfer_id=transfer["id"],
                    applicationperson_id=ap_id,
                )
        for action, at, summary, person, due, who, code, visibility in self.events:
            t["ApplicationEvent"].add(
                id=t["ApplicationEvent"].allocate(), application_id=app["id"], person_id=person,
                action=action, at=at, actor_username=who, actor_authority_code=code,
                visibility=visibility, summary=summary[:300], due=due,
                data={"due_kind": DueKind.VALIDITY if action == "td_expired" else DueKind.REPLY} if due else {},
            )  # fmt: skip
        self.report.applications += 1

    def _course(
        self,
        app: dict[str, Any],
        route: Route,
        state: str,
        row: dict[str, Any],
        target: str,
        reply_on: dt.date,
        rules_on: dt.date,
        event: Callable[..., None],
        transfer: dict[str, Any] | None,
    ) -> tuple[str, dict[str, Any] | None]:
        """Walk an accepted person along the course up to `target`, stopping at today."""
        rng, today, d = self.rng, self.world.today, self.deadlines
        agreement_id, ap_id = route.agreement.pk, row["id"]
        tacit = target == P.TACITLY_ACCEPTED
        status = P.TACITLY_ACCEPTED if tacit else P.ACCEPTED
        row.update(reply_on=reply_on, accepted_on=reply_on)
        row["td_due"] = d.due(agreement_id, state, rules_on, RuleKey.TD_ISSUE_PERIOD, reply_on)
        row["transfer_due"] = d.due(
            agreement_id, state, rules_on, RuleKey.TRANSFER_PERIOD, reply_on
        )
        app["_identified"] = reply_on
        if not tacit:
            summary = _("Accepted.")
            if row["transfer_due"] is not None:
                summary += " " + _("Transfer due by %(due)s.") % {
                    "due": row["transfer_due"].isoformat()
                }
            event("accepted", reply_on, summary, person=ap_id, side="requested")
        target_index = (
            len(COURSE) - 1
            if target in (P.READMISSION_IN_ERROR, P.TACITLY_ACCEPTED)
            else COURSE.index(target)
            if target in COURSE
            else 0
        )
        if tacit:
            target_index = self.tacit_index
        day = reply_on
        td: dict[str, Any] | None = None
        for index, step in enumerate(COURSE[1 : target_index + 1]):
            day = day + dt.timedelta(days=self.gaps[index])
            if day > today:
                break
            if step == P.TD_REQUESTED:
                event("td_requested", day, _("Travel document requested."), person=ap_id)
            elif step == P.TD_ISSUED:
                kind = rng.choice([TravelDocumentKind.NATIONAL_PASSPORT, TravelDocumentKind.LAISSEZ_PASSER,
                                   TravelDocumentKind.EU_TRAVEL_DOCUMENT])  # fmt: skip
                valid = day + dt.timedelta(days=rng.choice((30, 60, 90, 180)))
                td = {"id": self.t["TravelDocument"].allocate(), "person_id": ap_id, "kind": kind,
                      "number": f"TD{route.nationality}{rng.randrange(10**6, 10**7)}", "issued_on": day,
                      "valid_until": valid, "issued_by_id": self.world.central[route.nationality].pk,
                      "status": TravelDocument.Status.ISSUED}  # fmt: skip
                app["_documented"] = day
                event("td_issued", day, _("Travel document issued (%(kind)s), valid until %(day)s.")
                      % {"kind": TravelDocumentKind(kind).label, "day": valid.isoformat()}, person=ap_id, side="requested")  # fmt: skip
            elif step == P.TRANSFER_NOTIFIED:
                if transfer is None:
                    planned = day + dt.timedelta(days=rng.randrange(5, 15))
                    bcp = BORDER_CROSSING_POINTS.get(route.nationality, "International airport")
                    transfer = {"id": self.t["Transfer"].allocate(), "application_id": app["id"],
                                "status": Transfer.Status.NOTIFIED, "planned_at": _at(planned, rng),
                                "border_crossing_point": bcp, "flight": f"XY{rng.randrange(100, 9999)}",
                                "notified_on": day}  # fmt: skip
                    event("transfer_notified", day, _("Transfer notified for %(when)s via %(bcp)s%(flight)s.")
                          % {"when": planned.isoformat(), "bcp": bcp, "flight": ""})  # fmt: skip
            elif step == P.TRANSFER_CONFIRMED and transfer is not None:
                if transfer["status"] == Transfer.Status.NOTIFIED:
                    transfer.update(status=Transfer.Status.CONFIRMED, confirmed_on=day)
                    event(
                        "transfer_confirmed",
                        day,
                        _("Transfer confirmed by the requested state."),
                        side="requested",
                    )
            elif step == P.TRANSFERRED and transfer is not None:
                planned_day = transfer["planned_at"].date()
                if planned_day > today:
                    break
                day = max(day, planned_day)
                if (
                    transfer["status"] != Transfer.Status.CARRIED_OUT
                    and transfer["status"] != Transfer.Status.HANDOVER_CONFIRMED
                ):
                    transfer.update(status=Transfer.Status.CARRIED_OUT, carried_out_on=day)
                    event("transferred", day, _("Transfer carried out."))
                row["transferred_on"] = day
                app["_departed"] = day
                row["in_error_window_until"] = d.due(
                    agreement_id,
                    state,
                    rules_on,
                    RuleKey.READMISSION_IN_ERROR_WINDOW_NATIONALS,
                    day,
                )
                if td is not None:
                    td["status"] = TravelDocument.Status.USED
            elif (
                step == P.HANDOVER_CONFIRMED
                and transfer is not None
                and transfer["status"] == Transfer.Status.CARRIED_OUT
            ):
                transfer.update(status=Transfer.Status.HANDOVER_CONFIRMED, handover_on=day)
                event("handover_confirmed", day, _("Handover confirmed."), side="requested")
            status = step
        if (
            target == P.TRANSFER_POSTPONED
            and status == P.TRANSFER_CONFIRMED
            and transfer is not None
        ):
            status = P.TRANSFER_POSTPONED
            transfer.update(
                status=Transfer.Status.POSTPONED,
                postponement_reason="No seat on the scheduled flight.",
            )
            event(
                "transfer_postponed",
                min(today, day + dt.timedelta(days=1)),
                _("Transfer postponed."),
            )
        if target == P.READMISSION_IN_ERROR and status == P.HANDOVER_CONFIRMED:
            window = row.get("in_error_window_until")
            if window is not None and window >= today:
                status = P.READMISSION_IN_ERROR
                event(
                    "in_error_claimed",
                    today,
                    _("Readmission in error claimed."),
                    person=ap_id,
                    side="requested",
                )
        # What the sweep has already done by today.
        if td is not None:
            if td["status"] == TravelDocument.Status.ISSUED and td["valid_until"] < today:
                td["status"] = TravelDocument.Status.EXPIRED
                if status in (
                    P.TD_ISSUED,
                    P.TRANSFER_NOTIFIED,
                    P.TRANSFER_CONFIRMED,
                    P.TRANSFER_POSTPONED,
                ):
                    status = P.TD_EXPIRED
                    event("td_expired", td["valid_until"] + dt.timedelta(days=1),
                          _("The travel document expired on %(day)s: a new one is needed.") % {"day": td["valid_until"].isoformat()},
                          person=ap_id, side="system", due=td["valid_until"])  # fmt: skip
            self.t["TravelDocument"].add(**td)
        window = row.get("in_error_window_until")
        if status == P.HANDOVER_CONFIRMED and window is not None and window < today:
            status = P.CLOSED
            closed_on = window + dt.timedelta(days=1)
            app["_closed_on"] = closed_on
            event("closed", closed_on, _("Closed: the readmission-in-error window ended on %(day)s.")
                  % {"day": str(window)}, person=ap_id, side="system")  # fmt: skip
        return status, transfer

    # ---- the run ---------------------------------------------------------------------

    def flush(self) -> None:
        with transaction.atomic():
            for name in SCANNED_IN_ORDER:
                self.t[name].flush()

    def generate(self, n: int, progress: Callable[[int], None] | None) -> None:
        done = 0
        while done < n:
            size = min(self.batch, n - done)
            for _i in range(size):
                self.application()
            self.flush()
            done += size
            if progress is not None:
                progress(size)

    def run(
        self, n: int, progress: Callable[[int], None] | None = None, *, distinct: int = 0
    ) -> SeedReport:
        """Generate n applications. With `distinct`, only that many are generated one by one;
        the rest are copies of them made by the database (new ids, references and public ids;
        the same people, dates and deadlines), so that a million take minutes, not hours."""
        copies = n // distinct - 1 if distinct and n >= 2 * distinct else 0
        base = n // (copies + 1) if copies else n
        first = {name: table.next_id for name, table in self.t.items()}
        self.generate(base, progress)
        if copies:
            spans = {t.table: t.next_id - first[name] for name, t in self.t.items()}
            for name in SCANNED_IN_ORDER:
                table = self.t[name]
                table.replicate(first[name], spans[table.table], copies, spans)
                if progress is not None and name == "Application":
                    progress(base * copies)
            for counter in (
                self.report.application_statuses,
                self.report.person_statuses,
                self.report.scripts,
            ):
                for key in counter:
                    counter[key] *= copies + 1
            self.report.applications *= copies + 1
            self.report.persons *= copies + 1
            self.generate(n - base * (copies + 1), progress)
        models_ = [t.model for t in self.t.values()]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                for statement in connection.ops.sequence_reset_sql(no_style(), models_):
                    cursor.execute(statement)
            # Fresh statistics after a bulk load, so that the planner picks the indexes.
            for model in models_:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        self.report.rows = {name: table.written for name, table in self.t.items()}
        return self.report


def seed(
    n: int,
    *,
    authorities: Iterable[str] = (),
    today: dt.date | None = None,
    seed_value: int = 2026,
    batch: int = 5000,
    distinct: int = 0,
    progress: Callable[[int], None] | None = None,
) -> SeedReport:
    """Add `n` synthetic applications (the demo world must be loaded); see `Seeder.run` for
    `distinct`."""
    world = world_build(today=today or timezone.localdate(), authorities=authorities)
    return Seeder(world, seed=seed_value, batch=batch).run(n, progress, distinct=distinct)
