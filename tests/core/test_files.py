from __future__ import annotations

import io

import pytest

from readmit.core.errors import ValidationFailed
from readmit.core.files import PHOTO_TYPES, check_upload

PDF = b"%PDF-1.7\n" + b"x" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200


def test_a_pdf_is_recognised_by_its_content_and_hashed() -> None:
    checked = check_upload(io.BytesIO(PDF), name="passport-copy.pdf")
    assert checked.content_type == "application/pdf"
    assert checked.size == len(PDF)
    import hashlib

    assert checked.sha256 == hashlib.sha256(PDF).hexdigest()


def test_a_file_that_is_not_what_its_name_says_is_refused() -> None:
    with pytest.raises(ValidationFailed, match=r"name says \.jpg but its content is PDF"):
        check_upload(io.BytesIO(PDF), name="photo.jpg")


def test_an_unknown_type_is_refused_in_plain_words() -> None:
    with pytest.raises(ValidationFailed) as excinfo:
        check_upload(io.BytesIO(b"MZ\x90\x00" + b"\x00" * 100), name="evidence.pdf")
    assert "not one of the accepted types" in excinfo.value.message
    assert excinfo.value.fields["file"]


def test_a_photo_must_be_jpeg_or_png() -> None:
    assert (
        check_upload(io.BytesIO(PNG), name="p.png", allowed=PHOTO_TYPES).content_type == "image/png"
    )
    with pytest.raises(ValidationFailed):
        check_upload(io.BytesIO(PDF), name="p.pdf", allowed=PHOTO_TYPES)


def test_size_limit_and_empty_files() -> None:
    with pytest.raises(ValidationFailed, match="larger than 1 MB"):
        check_upload(
            io.BytesIO(PDF + b"x" * 2 * 1024 * 1024), name="big.pdf", max_bytes=1024 * 1024
        )
    with pytest.raises(ValidationFailed):
        check_upload(io.BytesIO(b""), name="empty.pdf")
