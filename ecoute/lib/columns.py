"""Which column of an imported file holds which field, guessed from the headers.

Headers are compared after ``normalize_header``: accents, case, punctuation and spacing do
not matter, camelCase and snake_case split into words, and the French and English ways of
writing "number" (``N°``, ``Nº``, ``No``, ``Num``, ``Numéro``, ``Number``) all read
``numero``. Each import kind gives its own fields and their synonyms (``CRM_SYNONYMS``
holds the usual ones to pick from); ``guess_mapping`` pairs columns and fields, best match
first, each column and each field used at most once. A user corrects the guess with
``COLUMN=field`` overrides (``parse_mapping_overrides``).

Match strength, strongest first: the same normalized text; the same words once little
words (de, la, d', of, the, …) are dropped; the same letters once spaces are dropped
(``Codepostal``, ``Email`` against ``E-mail``); every word of a synonym found in a header
that has at most twice as many (``Montant TTC (€)`` for ``montant ttc``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Final

from ecoute.lib.tabular_errors import TabularError
from ecoute.lib.text import fold

_CAMEL_CASE = re.compile(r"(?<=[a-z])(?=[A-Z])")
_NUMBER_SIGN = re.compile(r"\b[nN]\s*[°º˚]")
_NOT_ALPHANUMERIC = re.compile(r"[^0-9a-z]+")
_NUMBER_WORDS: Final = frozenset({"n", "no", "nr", "nro", "num", "numero", "number"})
_LITTLE_WORDS: Final = frozenset(
    {"a", "au", "aux", "d", "de", "des", "du", "en", "l", "la", "le", "les", "of", "the", "par"}
)


def normalize_header(text: str) -> str:
    """``"N° de Client"`` → ``"numero de client"``; ``"customerId"`` → ``"customer id"``."""
    text = _NUMBER_SIGN.sub(" numero ", _CAMEL_CASE.sub(" ", text))
    words = _NOT_ALPHANUMERIC.sub(" ", fold(text)).split()
    return " ".join("numero" if word in _NUMBER_WORDS else word for word in words)


class _Header:
    __slots__ = ("compact", "normalized", "words")

    def __init__(self, text: str) -> None:
        self.normalized = normalize_header(text)
        self.words = tuple(word for word in self.normalized.split() if word not in _LITTLE_WORDS)
        self.compact = self.normalized.replace(" ", "")


def _strength(header: _Header, synonym: _Header) -> float:
    if not header.normalized or not synonym.normalized:
        return 0.0
    if header.normalized == synonym.normalized:
        return 4.0
    if header.words and header.words == synonym.words:
        return 3.0
    if header.compact == synonym.compact:
        return 2.0
    if synonym.words and set(synonym.words) <= set(header.words):
        share = len(synonym.words) / len(header.words)
        return share if share >= 0.5 else 0.0
    return 0.0


def guess_mapping(
    headers: Sequence[str],
    fields: Mapping[str, Sequence[str]],
    *,
    overrides: Mapping[int, str | None] | None = None,
) -> dict[int, str]:
    """Column index → field name for the columns recognised.

    ``fields`` maps each field to its synonyms, preferred first; the field name itself is
    always a synonym. ``overrides`` (from ``parse_mapping_overrides``) fix a column's field,
    or with ``None`` leave the column out; the rest is guessed around them.
    """
    overrides = overrides or {}
    mapping = {column: field for column, field in overrides.items() if field is not None}
    taken_fields = set(mapping.values())
    parsed_headers = [_Header(text) for text in headers]
    candidates: list[tuple[float, int, int, str]] = []
    for field, synonyms in fields.items():
        if field in taken_fields:
            continue
        for rank, synonym in enumerate((field, *synonyms)):
            parsed_synonym = _Header(synonym)
            for column, header in enumerate(parsed_headers):
                if column in overrides:
                    continue
                strength = _strength(header, parsed_synonym)
                if strength:
                    candidates.append((strength, -rank, -column, field))
    for strength, _, negative_column, field in sorted(candidates, reverse=True):
        column = -negative_column
        if strength and column not in mapping and field not in taken_fields:
            mapping[column] = field
            taken_fields.add(field)
    return dict(sorted(mapping.items()))


def _find_column(name: str, headers: Sequence[str]) -> int | TabularError:
    wanted = normalize_header(name)
    matches = [index for index, header in enumerate(headers) if normalize_header(header) == wanted]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        return TabularError("ambiguous_column", column=name)
    # A position (1 for the first column) when no header has that name.
    if name.strip().isdigit() and 1 <= int(name) <= len(headers):
        return int(name) - 1
    return TabularError("unknown_column", column=name, available=", ".join(headers))


def parse_mapping_overrides(
    specs: Iterable[str], headers: Sequence[str], fields: Iterable[str]
) -> tuple[dict[int, str | None], list[TabularError]]:
    """Read ``COLUMN=field`` corrections: column index → field (``None`` for ``COLUMN=``).

    COLUMN is matched by normalized header (or, if no header matches, a 1-based position);
    field by normalized field name. Problems come back as a list rather than raised, so
    that all of them are shown at once.
    """
    known_fields = {normalize_header(field): field for field in fields}
    mapping: dict[int, str | None] = {}
    errors: list[TabularError] = []
    for spec in specs:
        column_name, equals, field_name = spec.rpartition("=")
        if not equals or not column_name.strip():
            errors.append(TabularError("invalid_override", spec=spec))
            continue
        column = _find_column(column_name, headers)
        field: str | None = None
        if field_name.strip() not in ("", "-"):
            field = known_fields.get(normalize_header(field_name))
            if field is None:
                available = ", ".join(known_fields.values())
                errors.append(TabularError("unknown_field", field=field_name, available=available))
                continue
        if isinstance(column, TabularError):
            errors.append(column)
            continue
        if field is not None and field in mapping.values() and mapping.get(column) != field:
            errors.append(TabularError("duplicate_field", field=field))
            continue
        mapping[column] = field
    return mapping, errors


# Usual CRM and till export headers, preferred spelling first; importers pick the fields they use.
CRM_SYNONYMS: Final[Mapping[str, tuple[str, ...]]] = {
    "customer_id": (
        "N° client",
        "Code client",
        "Numéro client",
        "ID client",
        "Identifiant client",
        "Réf client",
        "Référence client",
        "Customer ID",
        "Customer number",
        "Client ID",
    ),
    "last_name": ("Nom", "Nom de famille", "Nom client", "Last name", "Surname", "Family name"),
    "first_name": ("Prénom", "First name", "Given name"),
    "email": (
        "E-mail",
        "Courriel",
        "Adresse mail",
        "Adresse e-mail",
        "Mail",
        "Email address",
    ),
    "phone": (
        "Téléphone",
        "Tél",
        "Portable",
        "Mobile",
        "N° de téléphone",
        "Phone",
        "Phone number",
        "GSM",
    ),
    "postcode": ("Code postal", "CP", "Postcode", "Postal code", "Zip", "Zip code"),
    "city": ("Ville", "Commune", "Localité", "City", "Town"),
    "region": ("Région", "Region", "State"),
    "country": ("Pays", "Country"),
    "company": (
        "Société",
        "Raison sociale",
        "Entreprise",
        "Nom de la société",
        "Company",
        "Company name",
        "Organisation",
    ),
    "language": ("Langue", "Language", "Lang"),
    "created_at": (
        "Date de création",
        "Créé le",
        "Date d'inscription",
        "Created at",
        "Creation date",
        "Signup date",
    ),
    "order_id": (
        "N° commande",
        "Numéro de commande",
        "Référence commande",
        "Réf commande",
        "N° ticket",
        "Order ID",
        "Order number",
        "Order reference",
    ),
    "ordered_at": (
        "Date de commande",
        "Date d'achat",
        "Date de vente",
        "Date du ticket",
        "Date",
        "Order date",
        "Purchase date",
    ),
    "amount": (
        "Montant TTC",
        "Montant",
        "Total TTC",
        "Prix TTC",
        "CA TTC",
        "Amount",
        "Total amount",
        "Total",
    ),
    "currency": ("Devise", "Monnaie", "Currency"),
    "channel": ("Canal", "Canal de vente", "Channel"),
    "store": ("Magasin", "Point de vente", "Boutique", "Store", "Shop"),
}

_KNOWN_HEADERS: Final = frozenset(
    normalize_header(name) for field, names in CRM_SYNONYMS.items() for name in (field, *names)
)


def is_known_header(text: str) -> bool:
    """Whether ``text`` is the usual name of a CRM or till column (``"Prénom"``, ``"N° client"``)."""
    return normalize_header(text) in _KNOWN_HEADERS
