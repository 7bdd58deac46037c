"""OpenAPI links: which answer gives the value that another operation needs.

A link reads: when `POST /persons` answers 201, `GET /persons/{person_id}` can be called with
`person_id` taken from that answer (`$response.body#/id`). Clients and Swagger UI show the links
under each response; schemathesis follows them to chain operations (`tests/api/test_live.py`).

The table names operations as the docs write them, `METHOD /path` under `/api/v1`;
`add_links` turns each row into a link object in the generated document and fails at once if a
row names an operation, a status or a parameter that the document does not have.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Link:
    source: str  # "POST /persons"
    status: int  # the source's answer the values come from
    target: str  # "GET /persons/{person_id}"
    # target parameter ← runtime expression ($response.body#/…, $request.path.…)
    parameters: Mapping[str, str] = field(default_factory=dict)
    # target body fields ← runtime expression (merged into the body the client writes)
    body: Mapping[str, str] | None = None


def _each(
    source: str,
    status: int,
    targets: Iterable[str],
    parameters: Mapping[str, str],
    body: Mapping[str, str] | None = None,
) -> list[Link]:
    return [Link(source, status, target, parameters, body) for target in targets]


PERSON = "/persons/{person_id}"
CASE = "/return-cases/{case_id}"
DRAFT = f"POST {CASE}/applications"
APPLICATION = "/applications/{application_id}"
ENDPOINT = "/webhooks/{endpoint_id}"

CREATED_PERSON = {"person_id": "$response.body#/id"}
CREATED_CASE = {"case_id": "$response.body#/id"}
DRAFTED = {"application_id": "$response.body#/application/id"}
SAME_APPLICATION = {"application_id": "$request.path.application_id"}

# The workflow's spine: each object created, then read and taken to its next step. Every other
# operation on an object takes the same id in its path as the object's read does; leaving those
# out keeps a bounded stateful run going deep along the workflow rather than wide.
LINKS: list[Link] = [
    # A person: read and correct their particulars, open a return case for them.
    *_each("POST /persons", 201, [f"GET {PERSON}", f"PATCH {PERSON}"], CREATED_PERSON),
    Link("POST /persons", 201, "POST /return-cases", body={"person_id": "$response.body#/id"}),
    # A return case: read it, draft an application from it; its person.
    *_each("POST /return-cases", 201, [f"GET {CASE}", DRAFT], CREATED_CASE),
    Link("POST /return-cases", 201, f"GET {PERSON}", {"person_id": "$response.body#/person_id"}),
    # A draft: read it and its timeline, add evidence for its first person, submit or withdraw
    # it; its return case.
    *_each(
        DRAFT,
        201,
        [
            f"GET {APPLICATION}",
            f"GET {APPLICATION}/events",
            f"POST {APPLICATION}/submit",
            f"POST {APPLICATION}/withdrawal",
        ],
        DRAFTED,
    ),
    Link(
        DRAFT,
        201,
        f"POST {APPLICATION}/evidence",
        DRAFTED,
        body={"person": "$response.body#/application/persons/0/id"},
    ),
    Link(DRAFT, 201, f"GET {CASE}", {"case_id": "$response.body#/return_case_id"}),
    # Submitted: the application and its timeline as they now stand, or its withdrawal.
    *_each(
        f"POST {APPLICATION}/submit",
        200,
        [f"GET {APPLICATION}", f"GET {APPLICATION}/events", f"POST {APPLICATION}/withdrawal"],
        SAME_APPLICATION,
    ),
    # An evidence item's file.
    Link(
        f"POST {APPLICATION}/evidence",
        201,
        f"GET {APPLICATION}/evidence/{{evidence_id}}/file",
        {**SAME_APPLICATION, "evidence_id": "$response.body#/application/evidence/0/id"},
    ),
    # A webhook endpoint, an import job.
    *_each(
        "POST /webhooks",
        201,
        [f"GET {ENDPOINT}", f"PATCH {ENDPOINT}", f"GET {ENDPOINT}/deliveries"],
        {"endpoint_id": "$response.body#/id"},
    ),
    Link("POST /imports", 202, "GET /imports/{job_id}", {"job_id": "$response.body#/id"}),
    # Ids that no operation creates: from their list (its first item).
    Link("GET /users", 200, "GET /users/{user_id}", {"user_id": "$response.body#/0/id"}),
    Link("GET /agreements", 200, "GET /agreements/{code}", {"code": "$response.body#/0/code"}),
    Link(
        "GET /notifications",
        200,
        "POST /notifications/{notification_id}/read",
        {"notification_id": "$response.body#/items/0/id"},
    ),
]


def _name(operation_id: str) -> str:
    # readmit_persons_api_person_detail → person_detail (the operation's URL name)
    return operation_id.rpartition("_api_")[2]


def _body_fields(document: dict[str, Any], operation: dict[str, Any]) -> set[str]:
    fields: set[str] = set()
    for content in operation.get("requestBody", {}).get("content", {}).values():
        schema = content["schema"]
        if "$ref" in schema:
            schema = document["components"]["schemas"][schema["$ref"].rpartition("/")[2]]
        fields |= set(schema.get("properties", {}))
    return fields


def add_links(document: dict[str, Any], root: str, links: Iterable[Link] = LINKS) -> None:
    """Write `links` into the responses of `document`, whose paths start with `root`."""
    prefix = root.rstrip("/")
    operations: dict[str, dict[str, Any]] = {}
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            operations[f"{method.upper()} {path.removeprefix(prefix)}"] = operation

    def find(name: str) -> dict[str, Any]:
        if name not in operations:
            raise ValueError(f"API link: no operation {name!r} in the document")
        return operations[name]

    for link in links:
        source, target = find(link.source), find(link.target)
        # Ninja keys the responses by number; the JSON document by text.
        responses = source["responses"]
        response = responses.get(link.status) or responses.get(str(link.status))
        if response is None:
            raise ValueError(f"API link: {link.source} does not answer {link.status}")
        names = {p["name"] for p in target.get("parameters", [])}
        unknown = set(link.parameters) - names
        if unknown:
            raise ValueError(f"API link: {link.target} has no parameter {sorted(unknown)}")
        if link.body is not None:
            fields = set(link.body) - _body_fields(document, target)
            if fields:
                raise ValueError(f"API link: {link.target} has no body field {sorted(fields)}")
        definition: dict[str, Any] = {"operationId": target["operationId"]}
        if link.parameters:
            definition["parameters"] = dict(link.parameters)
        if link.body is not None:
            definition["requestBody"] = dict(link.body)
        named = response.setdefault("links", {})
        name = _name(target["operationId"])
        if name in named:
            raise ValueError(f"API link: {link.source} {link.status} links {name} twice")
        named[name] = definition
