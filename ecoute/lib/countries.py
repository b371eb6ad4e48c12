"""Countries as exports write them ("FR", "FRA", "France", "Belgique", "belgium") → their ISO 3166-1
alpha-2 code, which is what is stored; and a code → its name in the reader's language ("France",
"Allemagne" / "Germany"), which is what is shown. The names are django-countries', in French and in
English."""

from functools import cache

from django.utils import translation
from django_countries import countries

from ecoute.lib.columns import normalize_header

# Spellings the names do not give: common short forms in French and English exports.
_ALIASES = {
    "uk": "GB",
    "angleterre": "GB",
    "england": "GB",
    "grande bretagne": "GB",
    "great britain": "GB",
    "usa": "US",
    "us": "US",
    "etats unis": "US",
    "etats unis d amerique": "US",
    "united states": "US",
    "pays bas": "NL",
    "hollande": "NL",
    "holland": "NL",
}


@cache
def _codes_by_spelling() -> dict[str, str]:
    spellings: dict[str, str] = {}
    for language in ("en", "fr"):
        with translation.override(language):
            for code, name in countries:
                spellings.setdefault(normalize_header(str(name)), code)
    for code, _name in countries:
        spellings[code.lower()] = code
        if alpha3 := countries.alpha3(code):
            spellings[alpha3.lower()] = code
    return {**spellings, **_ALIASES}


def country_code(text: str) -> str | None:
    """The ISO code of the country `text` names or codes, or None when it is no country known."""
    return _codes_by_spelling().get(normalize_header(text))


def country_name(code: str) -> str:
    """The name of the country of `code` in the active language; the code itself if it is unknown."""
    if not code:
        return ""
    return str(countries.name(code)) or code
