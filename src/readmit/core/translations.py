"""The translation catalogues: where they are and how they become .mo files.

The .po files under ``src/readmit/locale/`` are the source, kept in git; the .mo files Django
reads are built from them with polib (``readmit compilemessages``, run by ``make install`` and
before the test suite), so a fresh clone needs no system gettext. This module imports no
Django, so the test runner can compile before Django starts.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import polib  # type: ignore[import-untyped]

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAINS = ("django", "djangojs")


def catalogues(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """Every .po file of every language, in a stable order."""
    return sorted(
        path for domain in DOMAINS for path in locale_dir.glob(f"*/LC_MESSAGES/{domain}.po")
    )


def is_stale(po_path: Path) -> bool:
    mo_path = po_path.with_suffix(".mo")
    return not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime


def compile_catalogue(po_path: Path) -> Path:
    """Write the .mo next to the .po (translated entries only: fuzzy and empty ones are left
    out, so they fall back to English rather than show a guess). Written to a temporary file
    and renamed, so a reader never sees half a catalogue."""
    mo_path = po_path.with_suffix(".mo")
    catalogue = polib.pofile(str(po_path))
    fd, tmp = tempfile.mkstemp(dir=po_path.parent, suffix=".mo.tmp")
    os.close(fd)
    try:
        catalogue.save_as_mofile(tmp)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the server may run as another user
        os.replace(tmp, mo_path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return mo_path


def compile_stale(locale_dir: Path = LOCALE_DIR, *, force: bool = False) -> list[Path]:
    """Compile the catalogues whose .mo is missing or older than the .po; return them."""
    return [compile_catalogue(po) for po in catalogues(locale_dir) if force or is_stale(po)]
