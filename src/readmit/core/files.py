"""Uploaded files: type sniffed from the content (never from the name), size bounded, SHA-256.

A file whose content does not match an allowed type, or whose name claims another type than its
content, is refused with a plain message; nothing is stored.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO

from django.utils.translation import gettext as _

from readmit.core.errors import ValidationFailed

# Magic numbers of the types Readmit accepts as evidence and photos.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
)
_EXTENSIONS = {
    "application/pdf": {".pdf"},
    "image/jpeg": {".jpg", ".jpeg"},
    "image/png": {".png"},
    "image/tiff": {".tif", ".tiff"},
}
EVIDENCE_TYPES = frozenset(_EXTENSIONS)
PHOTO_TYPES = frozenset({"image/jpeg", "image/png"})
MB = 1024 * 1024


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    size: int
    sha256: str


def sniff(head: bytes) -> str | None:
    for signature, content_type in _SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


def check_upload(
    stream: IO[bytes],
    *,
    name: str,
    allowed: frozenset[str] = EVIDENCE_TYPES,
    max_bytes: int = 20 * MB,
    field: str = "file",
) -> CheckedFile:
    """Read the stream once: sniff, measure and hash it; refuse what is not allowed."""
    stream.seek(0)
    head = stream.read(16)
    content_type = sniff(head)
    kinds = ", ".join(sorted({t.split("/")[1].upper() for t in allowed}))
    if content_type is None or content_type not in allowed:
        raise ValidationFailed(
            _("The file is not one of the accepted types (%(kinds)s).") % {"kinds": kinds},
            fields={field: [_("Upload a %(kinds)s file.") % {"kinds": kinds}]},
        )
    suffix = PurePath(name).suffix.lower()
    if suffix and suffix not in _EXTENSIONS[content_type]:
        raise ValidationFailed(
            _("The file's name says %(suffix)s but its content is %(kind)s.")
            % {"suffix": suffix, "kind": content_type.split("/")[1].upper()},
            fields={field: [_("The file is not what its name says.")]},
        )
    digest = hashlib.sha256(head)
    size = len(head)
    while chunk := stream.read(1024 * 1024):
        size += len(chunk)
        if size > max_bytes:
            raise ValidationFailed(
                _("The file is larger than %(mb)d MB.") % {"mb": max_bytes // MB},
                fields={field: [_("The file is too large.")]},
            )
        digest.update(chunk)
    if size == len(head) and size < 16:
        raise ValidationFailed(
            _("The file is empty or cut short."), fields={field: [_("Empty file.")]}
        )
    stream.seek(0)
    return CheckedFile(content_type=content_type, size=size, sha256=digest.hexdigest())
