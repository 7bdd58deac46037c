"""The translation catalogues are complete, faithful to their placeholders, compiled, and in step
with the code: a string added to a template or a module without a translation fails here."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

from readmit.core.translations import LOCALE_DIR, catalogues, compile_stale

LANGUAGES = {"fr": 2, "ru": 4, "ar": 6}  # language → number of plural forms (Plural-Forms)
PACKAGE_DIR = LOCALE_DIR.parent

# %(name)s, %s, %d, %%, {name} and {}: what Python substitutes; HTML tags: what a template keeps.
PLACEHOLDER = re.compile(r"%\([A-Za-z_0-9]+\)[sdifrx]|%[sdifr%]|\{[A-Za-z_0-9]*\}")
TAG = re.compile(r"</?(a|abbr|b|bdi|br|code|em|i|kbd|li|ol|p|small|span|strong|time|ul)\b[^>]*>")
ENGLISH_WORD = re.compile(r"\b[a-z]{3,}\b")
NATIVE_SCRIPT = {"ru": re.compile(r"[\u0400-\u04FF]"), "ar": re.compile(r"[\u0600-\u06FF]")}


def _key(entry: polib.POEntry) -> tuple[str, str, str]:
    return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")


def _catalogue(language: str) -> polib.POFile:
    path = LOCALE_DIR / language / "LC_MESSAGES" / "django.po"
    assert path.exists(), f"{path} is missing"
    return polib.pofile(str(path))


def _entries(language: str) -> list[polib.POEntry]:
    return [e for e in _catalogue(language) if not e.obsolete]


def _forms(entry: polib.POEntry) -> list[str]:
    if entry.msgid_plural:
        return [entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_every_string_is_translated_and_none_is_fuzzy(language: str) -> None:
    catalogue = _catalogue(language)
    assert not catalogue.metadata_is_fuzzy, f"{language}: the header is marked fuzzy"
    assert catalogue.metadata.get("Language") == language
    problems = []
    for entry in _entries(language):
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry.msgid!r}")
        elif any(not form.strip() for form in _forms(entry)):
            problems.append(f"untranslated: {entry.msgid!r}")
    assert not problems, f"{language}: {len(problems)} problem(s):\n" + "\n".join(problems[:30])


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_plural_forms_match_the_language(language: str) -> None:
    catalogue = _catalogue(language)
    header = catalogue.metadata.get("Plural-Forms", "")
    assert f"nplurals={LANGUAGES[language]};" in header.replace(" ", "")
    for entry in _entries(language):
        if entry.msgid_plural:
            assert len(entry.msgstr_plural) == LANGUAGES[language], entry.msgid


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_placeholders_and_markup_are_the_same_in_the_translation(language: str) -> None:
    problems = []
    for entry in _entries(language):
        if entry.msgid_plural:
            allowed = set(_placeholders(entry.msgid)) | set(_placeholders(entry.msgid_plural))
            # A form for one specific number may spell the number out; none may invent one.
            for form in _forms(entry):
                if not set(_placeholders(form)) <= allowed:
                    problems.append(f"{entry.msgid!r}: {form!r}")
            if _placeholders(_forms(entry)[-1]) != _placeholders(entry.msgid_plural):
                problems.append(f"{entry.msgid_plural!r}: last form {_forms(entry)[-1]!r}")
            continue
        if _placeholders(entry.msgstr) != _placeholders(entry.msgid):
            problems.append(f"{entry.msgid!r} → {entry.msgstr!r}")
        if sorted(TAG.findall(entry.msgstr)) != sorted(TAG.findall(entry.msgid)):
            problems.append(f"markup differs: {entry.msgid!r} → {entry.msgstr!r}")
    assert not problems, f"{language}:\n" + "\n".join(problems[:30])


@pytest.mark.parametrize("language", sorted(NATIVE_SCRIPT))
def test_no_english_is_copied_into_a_catalogue_of_another_script(language: str) -> None:
    """English copied into msgstr passes a "not empty" check: in Russian and Arabic, a string
    with English words must come out with at least some Cyrillic or Arabic letters."""
    copied = []
    for entry in _entries(language):
        words = ENGLISH_WORD.findall(PLACEHOLDER.sub("", entry.msgid))
        if not words:
            continue  # codes, references and punctuation only
        for form in _forms(entry):
            if not NATIVE_SCRIPT[language].search(form):
                copied.append(f"{entry.msgid!r} → {form!r}")
    assert not copied, f"{language}:\n" + "\n".join(copied[:30])


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_the_compiled_catalogue_holds_every_translation(language: str) -> None:
    po_path = LOCALE_DIR / language / "LC_MESSAGES" / "django.po"
    compile_stale()
    mo = polib.mofile(str(po_path.with_suffix(".mo")))
    compiled = {_key(e): _forms(e) for e in mo}
    for entry in _entries(language):
        assert compiled.get(_key(entry)) == _forms(entry), entry.msgid


def test_the_interface_speaks_the_compiled_languages() -> None:
    with translation.override("fr"):
        assert translation.gettext("Sign in") == "Se connecter"
    with translation.override("ru"):
        assert translation.gettext("Requested state") == "Запрашиваемое государство"
        assert translation.ngettext("%(n)s day left", "%(n)s days left", 3) % {"n": 3} == (
            "осталось 3 дня"
        )
        assert translation.ngettext("%(n)s day left", "%(n)s days left", 11) % {"n": 11} == (
            "осталось 11 дней"
        )
    with translation.override("ar"):
        assert translation.gettext("Requesting state") == "الدولة الطالبة"


def _extract(tmp_path: Path, domain: str) -> set[tuple[str, str, str]]:
    """Run makemessages (xgettext) over a copy of the code and return what it finds."""
    copy = tmp_path / "readmit"
    shutil.copytree(
        PACKAGE_DIR,
        copy,
        ignore=shutil.ignore_patterns(
            "locale", "__pycache__", "*.pyc", "vendor", "swagger-ui", "node_modules"
        ),
    )
    (copy / "locale").mkdir()
    with override_settings(LOCALE_PATHS=[str(copy / "locale")]):
        import os

        cwd = os.getcwd()
        os.chdir(copy)
        try:
            call_command(
                "makemessages",
                locale=["fr"],
                domain=domain,
                keep_pot=True,
                no_location=True,
                ignore_patterns=["static/vendor/*", "*.min.js"],
                verbosity=0,
            )
        finally:
            os.chdir(cwd)
    pot = copy / "locale" / f"{domain}.pot"
    if not pot.exists():
        return set()  # nothing to translate in this domain
    return {_key(e) for e in polib.pofile(str(pot)) if e.msgid}


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_the_catalogues_hold_every_string_of_the_code(domain: str, tmp_path: Path) -> None:
    """Needs GNU gettext's xgettext (Debian package `gettext`; .ci/run installs it)."""
    in_code = _extract(tmp_path, domain)
    for language in LANGUAGES:
        path = LOCALE_DIR / language / "LC_MESSAGES" / f"{domain}.po"
        if not in_code:
            continue
        assert path.exists(), f"{path} is missing: run `make catalogues`"
        in_catalogue = {_key(e) for e in polib.pofile(str(path)) if not e.obsolete}
        missing = sorted(in_code - in_catalogue)
        assert not missing, (
            f"{language}/{domain}.po lacks {len(missing)} string(s) of the code; run "
            f"`make catalogues` and translate them:\n" + "\n".join(repr(m[1]) for m in missing[:30])
        )


def test_every_catalogue_has_a_language_of_the_settings() -> None:
    from django.conf import settings

    found = {path.parent.parent.name for path in catalogues()}
    assert found == {code for code, _ in settings.LANGUAGES} - {"en"}
