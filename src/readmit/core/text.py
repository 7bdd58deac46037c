"""Text folding for search: the same on SQLite and PostgreSQL, in every script."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Case-folded, without diacritics or vowel marks, whitespace collapsed.

    "Məmmədov", "MAMMADOV" and "mammadov" fold alike only where the letters are the same
    (ə is a letter of its own, not an a with a mark); "Müller" and "MULLER" fold alike;
    Arabic harakat and other combining marks are dropped, so a name typed without them
    still matches.
    """
    if text.isascii():
        # The same, faster: ASCII has nothing to decompose and no marks, and its case
        # folding is lower().
        return " ".join(text.lower().split())
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())
