"""A readmission case through the Readmit API, from both sides, with nothing but httpx.

    READMIT_URL=http://127.0.0.1:8000 \
    READMIT_TOKEN=$(readmit token create --user de-officer) \
    READMIT_PARTNER_TOKEN=$(readmit token create --user az-integration) \
    python docs/examples/walkthrough.py

As Germany's return authority (de-officer): register a person, open a return case, draft an
application to Azerbaijan, attach a passport copy and submit. As the Azerbaijani central
authority's system integration: find the application in the work queue, acknowledge receipt
and accept the person. See docs/api.md for tokens, pagination, idempotency and errors.
"""

from __future__ import annotations

import os
import sys
import uuid
from typing import Any

import httpx

TIMEOUT = 60.0  # seconds; a retry with the same Idempotency-Key is always safe


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def call(client: httpx.Client, method: str, path: str, **kwargs: Any) -> Any:
    """One call; every POST carries an Idempotency-Key, so a retry never does the work twice."""
    headers = {"Idempotency-Key": str(uuid.uuid4())} if method == "POST" else {}
    response = client.request(method, path, headers=headers, **kwargs)
    if response.is_error:
        error = response.json()["error"]
        sys.exit(f"{method} {path}: {response.status_code} {error['code']}: {error['message']} "
                 f"{error['fields'] or ''}")  # fmt: skip
    return response.json()


def main(base_url: str, token: str, partner_token: str) -> dict[str, Any]:
    api = f"{base_url.rstrip('/')}/api/v1"
    with httpx.Client(base_url=api, headers=_auth(token), timeout=TIMEOUT) as de:
        me = call(de, "GET", "/me")
        print(f"Signed in as {me['username']} of {me['authority']['name']}")

        person = call(de, "POST", "/persons", json={
            "surname_latin": "Mammadov", "given_names_latin": "Elchin", "sex": "M",
            "birth_year": 1988, "birth_month": 4, "birth_day": 12, "place_of_birth": "Ganja",
            "birth_country": "AZ",
        })  # fmt: skip
        call(de, "POST", f"/persons/{person['id']}/nationalities",
             json={"state": "AZ", "status": "claimed", "current": True})  # fmt: skip
        call(de, "POST", f"/persons/{person['id']}/identifiers",
             json={"kind": "passport", "number": "C01234567", "issuing_state": "AZ",
                   "expiry_date": "2024-01-31"})  # fmt: skip
        case = call(de, "POST", "/return-cases", json={"person_id": person["id"]})
        print(f"Return case {case['reference']} opened for person #{person['id']}")

        draft = call(de, "POST", f"/return-cases/{case['id']}/applications",
                     json={"kind": "own_nationals", "requested_state": "AZ",
                           "procedure": "normal"})  # fmt: skip
        application = draft["application"]
        print(f"Draft {application['reference']} under {application['agreement']['code']}")
        applicant = application["persons"][0]["id"]
        # The (expired) passport: the EU-AZ catalogue accepts it as proof.
        pdf = b"%PDF-1.4\n% passport scan\n" + bytes(64)
        call(de, "POST", f"/applications/{application['id']}/evidence",
             data={"person": applicant, "evidence_code": "passport",
                   "document_number": "C01234567"},
             files={"file": ("passport.pdf", pdf, "application/pdf")})  # fmt: skip
        submitted = call(de, "POST", f"/applications/{application['id']}/submit")["application"]
        print(f"Submitted; reply due {submitted['reply_due']} ({submitted['reply_due_source']})")

    with httpx.Client(base_url=api, headers=_auth(partner_token), timeout=TIMEOUT) as az:
        queue = call(az, "GET", "/applications", params={"queue": "action_needed", "limit": 50})
        assert application["id"] in [a["id"] for a in queue["items"]], "not in the work queue"
        seen = call(az, "GET", f"/applications/{application['id']}")
        print(f"{seen['side'].capitalize()} side sees {sorted(seen['application'])[:5]}…")
        call(az, "POST", f"/applications/{application['id']}/acknowledge")
        reply = call(az, "POST", f"/applications/{application['id']}/replies",
                     json={"person": applicant, "decision": "accept"})  # fmt: skip
        status = reply["application"]["persons"][0]["status"]
        print(f"Azerbaijan replied: {status}")

    # --- Webhook reception ---------------------------------------------------------------
    # WEBHOOKS: the Azerbaijani and German endpoints registered in Readmit receive the
    # signed events of this case here (added with the webhooks, src/readmit/webhooks).
    # -------------------------------------------------------------------------------------
    return {"application_id": application["id"], "status": status}


if __name__ == "__main__":
    result = main(
        os.environ.get("READMIT_URL", "http://127.0.0.1:8000"),
        os.environ["READMIT_TOKEN"],
        os.environ["READMIT_PARTNER_TOKEN"],
    )
    print(result)
