"""Text folded for comparison: no case, no accents, ligatures spelled out."""

import unicodedata

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE"})


def fold(text: str) -> str:
    """``"Lefèvre Œuvre"`` → ``"lefevre oeuvre"``."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES)).casefold()
    return "".join(char for char in decomposed if not unicodedata.combining(char))
