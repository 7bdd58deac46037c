"""A readmission case through the Readmit API, from both sides, with nothing but httpx.

    READMIT_URL=http://127.0.0.1:8000 \
    READMIT_TOKEN=$(readmit token create --user de-officer) \
    READMIT_PARTNER_TOKEN=$(readmit token create --user az-integration) \
    READMIT_PARTNER_ADMIN_TOKEN=$(readmit token create --user az-admin) \
    python docs/examples/walkthrough.py

(`az-integration` is made once with `readmit createuser az-integration --authority az-sms
--role officer --system`, see docs/api.md.)

As Azerbaijan's authority administrator: register a webhook endpoint (a small receiver this
script runs on 127.0.0.1) for the submitted and accepted events. As Germany's return
authority (de-officer): register a person, open a return case, draft an application to
Azerbaijan, attach a passport copy and submit. As the Azerbaijani central authority's system
integration: find the application in the work queue, acknowledge receipt and accept the
person. Then wait for the two signed webhooks (the worker, `readmit worker`, sends them) and
check their signatures. See docs/api.md and docs/webhooks.md.
"""

from __future__ import annotations

import hashlib
import hmac
import http.server
import json
import os
import sys
import threading
import time
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


def verify(secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    """The signature check of docs/webhooks.md, over the raw bytes of the body."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        t = int(parts["t"])
    except (ValueError, KeyError):
        return False
    if abs(time.time() - t) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts.get("v1", ""))


class Receiver(http.server.ThreadingHTTPServer):
    """A webhook receiver on 127.0.0.1 (a free port): it keeps every request it is sent."""

    def __init__(self) -> None:
        self.received: list[tuple[str, bytes]] = []  # (Readmit-Signature, raw body)
        super().__init__(("127.0.0.1", 0), _Hook)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/readmit-hook"


class _Hook(http.server.BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:  # the name http.server calls
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.received.append((self.headers.get("Readmit-Signature", ""), body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def wait_for_webhooks(
    receiver: Receiver, secret: str, application_id: int, wanted: set[str], seconds: float = 90
) -> list[str]:
    """The event types received for the application, once every one `wanted` has come with a
    valid signature (a delivery that does not verify is ignored, as a receiver must)."""
    deadline = time.monotonic() + seconds
    while True:
        types = [
            event["type"]
            for header, body in list(receiver.received)
            if verify(secret, header, body)
            and (event := json.loads(body))["data"]["application"]["id"] == application_id
        ]
        if wanted <= set(types) or time.monotonic() > deadline:
            return types
        time.sleep(0.5)


def main(
    base_url: str, token: str, partner_token: str, partner_admin_token: str
) -> dict[str, Any]:
    api = f"{base_url.rstrip('/')}/api/v1"
    receiver = Receiver()
    wanted = {"application.submitted", "application.accepted"}
    with httpx.Client(base_url=api, headers=_auth(partner_admin_token), timeout=TIMEOUT) as admin:
        endpoint = call(admin, "POST", "/webhooks", json={
            "url": receiver.url, "event_types": sorted(wanted),
            "description": "walkthrough receiver",
        })  # fmt: skip
        print(f"Webhook endpoint #{endpoint['id']} registered for {receiver.url}")
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

    # The worker delivers the events after their transactions commit, signed with the secret.
    received = wait_for_webhooks(receiver, endpoint["secret"], application["id"], wanted)
    print(f"Webhooks received, signatures checked: {', '.join(received) or 'none'}")
    with httpx.Client(base_url=api, headers=_auth(partner_admin_token), timeout=TIMEOUT) as admin:
        call(admin, "PATCH", f"/webhooks/{endpoint['id']}", json={"enabled": False})
    receiver.shutdown()
    if not wanted <= set(received):
        sys.exit("The signed webhooks did not all come within 90 s: is `readmit worker` running?")
    return {"application_id": application["id"], "status": status, "webhooks": received}


if __name__ == "__main__":
    result = main(
        os.environ.get("READMIT_URL", "http://127.0.0.1:8000"),
        os.environ["READMIT_TOKEN"],
        os.environ["READMIT_PARTNER_TOKEN"],
        os.environ["READMIT_PARTNER_ADMIN_TOKEN"],
    )
    print(result)
