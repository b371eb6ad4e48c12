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
    its accents, capitals and ligatures ("oeuvre" finds "Œuvre"); every other character stands for itself."""
    folded, parts, position = fold(text), [], 0
    while position < len(folded):
        pair, char = folded[position : position + 2], folded[position]
        if pair in _LIGATURE_SPELLINGS:
            parts.append(f"(?:{_letter(pair[0])}{_letter(pair[1])}|[{_LIGATURE_SPELLINGS[pair]}])")
            position += 2
            continue
        parts.append(_letter(char))
        position += 1
    return "".join(parts)


_LIGATURE_SPELLINGS = {"oe": "œŒ", "ae": "æÆ"}


def _letter(char: str) -> str:
    if char in _SPELLINGS:
        return f"[{_SPELLINGS[char]}]"
    if char.isalnum():
        return f"[{char}{char.upper()}]" if char.upper() != char and len(char.upper()) == 1 else char
    return f"\\{char}"  # escaped: both engines read a backslash before a symbol as the symbol
