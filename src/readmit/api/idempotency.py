"""`Idempotency-Key` for every POST: a retry gets the first answer, never a second application.

The first request with a key claims it by inserting (user, key) and runs the operation in the
same transaction; its response (status, body) is stored there too. A concurrent request with
the same key blocks on the unique index until the first commits (PostgreSQL), or cannot begin
its transaction before (SQLite, `BEGIN IMMEDIATE`), then finds the stored response and replays
it. A different body under the same key answers 422. A server error rolls everything back,
the claim included, so the client can retry.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from readmit.accounts.services import token_authenticate
from readmit.api.models import IdempotencyRecord
from readmit.audit.services import access_log_record, access_reads_collected

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


def _fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.path}\n".encode())
    content_type = request.content_type or ""
    if content_type.startswith("multipart/"):
        # The boundary changes on every send: hash the parsed fields and files instead.
        for key in sorted(request.POST):
            for value in request.POST.getlist(key):
                digest.update(f"{key}={value}\n".encode())
        for key in sorted(request.FILES):
            for upload in request.FILES.getlist(key):
                digest.update(f"{key}:".encode())
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
    else:
        digest.update(content_type.encode() + b"\n" + request.body)
    return digest.hexdigest()


def _bearer_user(request: HttpRequest) -> Any:
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    user = token_authenticate(token)
    # Authenticated once per request: the API's bearer check reuses it.
    request._bearer_user = user  # type: ignore[attr-defined]
    return user


def _replay(record: IdempotencyRecord, user: Any) -> HttpResponse:
    if record.reads:  # the answer shows the records again: logged as reads, as the first was
        access_log_record(
            actor=user,
            records=[(kind, pk, owner) for kind, pk, owner in record.reads],
            purpose="api answer replayed (Idempotency-Key)",
        )
    response = HttpResponse(
        bytes(record.body), status=record.status_code, content_type=record.content_type
    )
    response["Idempotent-Replayed"] = "true"
    return response


def idempotent(
    view: Callable[..., HttpResponse],
    error: Callable[[HttpRequest, int, str, str, dict[str, list[str]]], HttpResponse],
) -> Callable[..., HttpResponse]:
    """Wrap an API view: POSTs with an `Idempotency-Key` run at most once per user and key."""

    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        key = request.headers.get(HEADER)
        if request.method != "POST" or key is None:
            return view(request, *args, **kwargs)
        if not key or len(key) > MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
            return error(
                request,
                422,
                "validation_failed",
                _("The Idempotency-Key header must be 1 to 255 printable ASCII characters."),
                {HEADER: [_("Not a valid key.")]},
            )
        user = _bearer_user(request)
        if user is None:
            return view(request, *args, **kwargs)  # answers 401
        fingerprint = _fingerprint(request)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    record = IdempotencyRecord.objects.create(
                        user=user,
                        key=key,
                        fingerprint=fingerprint,
                        status_code=0,
                        content_type="",
                        body=b"",
                    )
            except IntegrityError:
                first = IdempotencyRecord.objects.get(user=user, key=key)
                if first.fingerprint != fingerprint:
                    return error(
                        request,
                        422,
                        "idempotency_key_reused",
                        _(
                            "This Idempotency-Key was used with a different request. "
                            "Use a new key for a new request."
                        ),
                        {HEADER: [_("Already used with another body.")]},
                    )
                return _replay(first, user)
            with access_reads_collected() as reads:
                response = view(request, *args, **kwargs)
            if response.status_code >= 500 or getattr(response, "streaming", False):
                transaction.set_rollback(True)
                return response
            record.status_code = response.status_code
            record.content_type = response.get("Content-Type", "application/json")
            record.body = response.content
            record.reads = [list(read) for read in reads]
            record.save(update_fields=["status_code", "content_type", "body", "reads"])
        return response

    return wrapped
