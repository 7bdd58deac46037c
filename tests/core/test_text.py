"""Folding for search: names match whatever their case, diacritics or spacing."""

from __future__ import annotations

import unicodedata

from readmit.core.text import fold


def _fold_in_full(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


def test_names_fold_alike_in_every_script() -> None:
    assert fold("  MAMMADOV\tElchin ") == fold("mammadov elchin") == "mammadov elchin"
    assert fold("Müller") == fold("MULLER") == "muller"
    assert fold("Məmmədov") != fold("Mammadov")  # ə is a letter of its own
    assert fold("Straße") == "strasse"
    assert fold("МАМЕДОВ") == "мамедов"
    assert fold("مُحَمَّد") == "محمد"


def test_plain_ascii_folds_as_the_full_rule_folds_it() -> None:
    every_ascii = "".join(chr(c) for c in range(128))
    samples = [
        every_ascii,
        every_ascii[::-1],
        "O'Brien-SMITH  Jr.",
        "C 0123/4567",
        "",
        " \x1c\x1f ",
    ]
    for text in samples:
        assert fold(text) == _fold_in_full(text)
