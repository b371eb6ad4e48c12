"""Text folded for comparison: no case, no accents, ligatures spelled out."""

import unicodedata

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE"})


def fold(text: str) -> str:
    """``"Lefèvre Œuvre"`` → ``"lefevre oeuvre"``."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES)).casefold()
    return "".join(char for char in decomposed if not unicodedata.combining(char))


# Each letter's spellings with accents, lower and upper case: a search for "eleve" finds "ÉLEVÉ".
_SPELLINGS = {
    "a": "aàâäáãåAÀÂÄÁÃÅ",
    "c": "cçCÇ",
    "e": "eéèêëEÉÈÊË",
    "i": "iîïíìIÎÏÍÌ",
    "n": "nñNÑ",
    "o": "oôöóòõOÔÖÓÒÕ",
    "u": "uùûüúUÙÛÜÚ",
    "y": "yÿýYŸÝ",
}


def loose_pattern(text: str) -> str:
    """A regular expression, read alike by Python (SQLite) and PostgreSQL, that finds `text` whatever
    its accents and capitals; every other character stands for itself."""
    parts = []
    for char in fold(text):
        if char in _SPELLINGS:
            parts.append(f"[{_SPELLINGS[char]}]")
        elif char.isalnum():
            parts.append(
                f"[{char}{char.upper()}]" if char.upper() != char and len(char.upper()) == 1 else char
            )
        else:
            parts.append(f"\\{char}")  # escaped: both engines read a backslash before a symbol as the symbol
    return "".join(parts)
