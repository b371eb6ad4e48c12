"""The customer search index: what a customer is found by, how the database keeps it, how a query reads.

A customer is found by every word of their names, company, city, postcode, e-mail and CRM id, each
word by its start, without case or accents ("chlo" finds "Chloé", "CHLOE" finds "chloé"), names with an
apostrophe both as two words and as one ("N’Guessan": "n guessan" and "nguessan"). A query word with a
digit (three characters or more) also finds the CRM ids and phone numbers that hold it anywhere ("4521"
finds "CRM-004521"); a phone is held as its digits as written, in E.164 and in the French national
form, so "06 12 34", "0612345678" and "+33 6 12…" find "06 12 34 56 78".

The database keeps the index itself, with triggers on the customers table, so every path that writes
customers keeps it right: the ORM, the importer's raw `executemany`, `COPY` and upserts, deletes.

- SQLite: two FTS5 tables with the view `customer_search_source` as their content: words
  (unicode61 tokenizer: no case, no accents) matched by prefix, codes (trigram tokenizer) by substring.
- PostgreSQL: the table `customer_search` (customer id, organization, words, codes) folded in SQL, with
  pg_trgm GIN indexes: a word is matched by `LIKE '% word%'` (words start after a space), a code by
  `LIKE '%code%'`.

A migration that rebuilds the customers table on SQLite (Django copies it into a new table) drops the
triggers: it must call `install` again.
"""

# The statements are built from our own table and column names; a search's words go as parameters.
# ruff: noqa: S608

import re
from typing import Any

from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

from ecoute.lib.text import fold

CUSTOMERS = "customers_customer"
# The columns a customer is found by: a change to one of them reindexes the customer.
SEARCHED = (
    "first_name",
    "last_name",
    "company",
    "city",
    "postcode",
    "email",
    "external_id",
    "phone",
    "phone_e164",
)
APOSTROPHES = "'’‘ʼ`´"
LIGATURES = (("œ", "oe"), ("Œ", "OE"), ("æ", "ae"), ("Æ", "AE"), ("ß", "ss"), ("ẞ", "SS"))
# Greek and Cyrillic letters that a query, folded, spells otherwise (SQLite's tokenizer removes only Latin
# accents; "ς" is folded to "σ"): written as the query folds them, "Дмитрий" is found typed either way.
_SCRIPTS = (range(0x386, 0x3CF), range(0x400, 0x460))
SCRIPT_LETTERS = tuple(
    (letter, fold(letter))
    for letter in (chr(code) for block in _SCRIPTS for code in block)
    if letter.isalpha() and fold(letter) != letter.lower()
)
PHONE_SEPARATORS = " .-()/+"
# A code word (looked for anywhere in CRM ids and phone digits) has a digit and at least this many
# characters: the trigram index cannot look for less.
CODE_MIN_LENGTH = 3
MAX_WORDS = 16
# 00, a country code and a number: fewer digits after 00 are not a number dialled from abroad.
INTERNATIONAL_DIGITS = 10

# What separates words once text is folded (× and ÷ are not letters), written for PostgreSQL's regular
# expressions; the query is split by the same class, and by what SQLite's tokenizer reads as no letter.
_NOT_WORD_SQL = "[^0-9a-z\\u00c0-\\u00d6\\u00d8-\\u00f6\\u00f8-\\u02af\\u0370-\\u1fff\\u2c00-\\ufaff]+"
_WORD = re.compile("[0-9a-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02af\u0370-\u1fff\u2c00-\ufaff]+")
_LETTERS = re.compile(r"[^\W_]+")
# A phone number typed in groups: "06 12 34 56 78", "+33 (0)6 12…", "0033 6.12" — not the digits of a
# word that has letters too ("B1", "AB123": a CRM id's start).
_DIGIT_GROUPS = re.compile(r"(?<![^\W_])\+?\d+(?:[ .\-/()]+\d+)*\)?(?![^\W_])")


def _phone_digits(match: re.Match[str]) -> str:
    typed = match.group()
    digits = re.sub(r"\D", "", typed)
    # "0033 6 12 34 56 78" dialled from abroad; a shorter "0045…" is a CRM id's zeros, not a prefix.
    if not typed.startswith("+") and digits.startswith("00") and len(digits) >= INTERNATIONAL_DIGITS:
        digits = digits[2:]
    if (typed.startswith("+") or digits != re.sub(r"\D", "", typed)) and digits.startswith("330"):
        digits = "33" + digits[3:]  # "+33 (0)6…": the zero of the national form is not dialled
    return f" {digits} "


def query_words(query: str) -> list[str]:
    """The words a query asks for, folded as the index folds them; a phone's groups are one word."""
    text = _DIGIT_GROUPS.sub(_phone_digits, query)
    words = (part for word in _WORD.findall(fold(text)) for part in _LETTERS.findall(word))
    return list(dict.fromkeys(words))[:MAX_WORDS]


def is_code(word: str) -> bool:
    return len(word) >= CODE_MIN_LENGTH and any(char.isdigit() for char in word)


# ---------------------------------------------------------------- the indexed text, in SQL


def _replace_each(sql: str, pairs: tuple[tuple[str, str], ...]) -> str:
    for old, new in pairs:
        sql = f"replace({sql}, {_literal(old)}, {_literal(new)})"
    return sql


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _phones(row: str, digits_of: str) -> str:
    """The phone's digits as written, in E.164 without its "+", and in the French national form."""
    national = f"CASE WHEN {row}phone_e164 LIKE '+33%' THEN '0' || substr({row}phone_e164, 4) ELSE '' END"
    return f"{digits_of} || ' ' || substr({row}phone_e164, 2) || ' ' || {national}"


def _raw_words(row: str, *, sqlite: bool) -> str:
    names = f"{row}first_name || ' ' || {row}last_name || ' ' || {row}company"
    if sqlite:
        joined = _replace_each(names, tuple((mark, "") for mark in APOSTROPHES))
    else:
        joined = f"translate({names}, {_literal(APOSTROPHES)}, '')"
    fields = " || ' ' || ".join(f"{row}{name}" for name in ("city", "postcode", "email", "external_id"))
    text = _replace_each(f"{names} || ' ' || {joined} || ' ' || {fields}", LIGATURES)
    if sqlite:
        return _sqlite_script_letters(text)
    plain, folded = ("".join(letters) for letters in zip(*SCRIPT_LETTERS, strict=True))
    return f"translate({text}, {_literal(plain)}, {_literal(folded)})"


# SQLite's parser takes about thirty calls nested in one expression: the letters are replaced a few at a
# time, in nested selects of one value.
_REPLACED_PER_SELECT = 13


def _sqlite_script_letters(text: str) -> str:
    select = f"SELECT {text} AS w"
    for start in range(0, len(SCRIPT_LETTERS), _REPLACED_PER_SELECT):
        letters = SCRIPT_LETTERS[start : start + _REPLACED_PER_SELECT]
        select = f"SELECT {_replace_each('w', letters)} AS w FROM ({select})"
    return f"({select})"


def sqlite_words(row: str = "") -> str:
    # The unicode61 tokenizer folds case and accents and splits words on anything else.
    return _raw_words(row, sqlite=True)


def sqlite_codes(row: str = "") -> str:
    digits = _replace_each(f"{row}phone", tuple((mark, "") for mark in PHONE_SEPARATORS))
    return f"lower({row}external_id) || ' ' || {_phones(row, digits)}"


def postgresql_words(row: str) -> str:
    raw = _raw_words(row, sqlite=False)
    unaccented = f"regexp_replace(normalize({raw}, NFKD), '[\\u0300-\\u036f]', '', 'g')"
    return f"' ' || regexp_replace(lower({unaccented}), '{_NOT_WORD_SQL}', ' ', 'g') || ' '"


def postgresql_codes(row: str) -> str:
    digits = f"regexp_replace({row}phone, '\\D', '', 'g')"
    return f"lower({row}external_id) || ' ' || {_phones(row, digits)}"


# ---------------------------------------------------------------- installing the index


def _sqlite_statements() -> list[str]:
    changed = " OR ".join(f"old.{column} IS NOT new.{column}" for column in SEARCHED)
    add = f"""
        INSERT INTO customer_search_words(rowid, words) VALUES (new.id, {sqlite_words("new.")});
        INSERT INTO customer_search_codes(rowid, codes) VALUES (new.id, {sqlite_codes("new.")});"""
    remove = f"""
        INSERT INTO customer_search_words(customer_search_words, rowid, words)
            VALUES ('delete', old.id, {sqlite_words("old.")});
        INSERT INTO customer_search_codes(customer_search_codes, rowid, codes)
            VALUES ('delete', old.id, {sqlite_codes("old.")});"""
    return [
        f"""CREATE VIEW customer_search_source AS
            SELECT id, {sqlite_words()} AS words, {sqlite_codes()} AS codes FROM {CUSTOMERS}""",
        """CREATE VIRTUAL TABLE customer_search_words USING fts5(words, content='customer_search_source',
            content_rowid='id', tokenize='unicode61 remove_diacritics 2', detail='none')""",
        """CREATE VIRTUAL TABLE customer_search_codes USING fts5(codes, content='customer_search_source',
            content_rowid='id', tokenize='trigram')""",
        "INSERT INTO customer_search_words(customer_search_words) VALUES ('rebuild')",
        "INSERT INTO customer_search_codes(customer_search_codes) VALUES ('rebuild')",
        f"CREATE TRIGGER customer_search_insert AFTER INSERT ON {CUSTOMERS} BEGIN {add} END",
        f"""CREATE TRIGGER customer_search_update AFTER UPDATE OF {", ".join(SEARCHED)} ON {CUSTOMERS}
            WHEN {changed} BEGIN {remove} {add} END""",
        f"CREATE TRIGGER customer_search_delete AFTER DELETE ON {CUSTOMERS} BEGIN {remove} END",
    ]


def _postgresql_statements() -> list[str]:
    changed = " OR ".join(f"OLD.{column} IS DISTINCT FROM NEW.{column}" for column in SEARCHED)
    upsert = "ON CONFLICT (customer_id) DO UPDATE SET words = EXCLUDED.words, codes = EXCLUDED.codes"
    return [
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        """CREATE TABLE customer_search (customer_id bigint PRIMARY KEY, organization_id bigint NOT NULL,
            words text NOT NULL, codes text NOT NULL)""",
        # Rows added by a statement (COPY, INSERT … SELECT, an upsert's inserts): indexed in one go.
        f"""CREATE FUNCTION customer_search_added() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
            INSERT INTO customer_search SELECT n.id, n.organization_id, {postgresql_words("n.")},
                {postgresql_codes("n.")} FROM added n {upsert};
            RETURN NULL; END $$""",
        # A row changed: one at a time, and only when a searched column changed (an update of purchase
        # figures over a million customers does not fire it).
        f"""CREATE FUNCTION customer_search_changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
            INSERT INTO customer_search VALUES (NEW.id, NEW.organization_id, {postgresql_words("NEW.")},
                {postgresql_codes("NEW.")}) {upsert};
            RETURN NULL; END $$""",
        """CREATE FUNCTION customer_search_removed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
            DELETE FROM customer_search s USING removed r WHERE s.customer_id = r.id;
            RETURN NULL; END $$""",
        """CREATE FUNCTION customer_search_emptied() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
            TRUNCATE customer_search; RETURN NULL; END $$""",
        f"""INSERT INTO customer_search SELECT n.id, n.organization_id, {postgresql_words("n.")},
            {postgresql_codes("n.")} FROM {CUSTOMERS} n""",
        "SET LOCAL maintenance_work_mem = '256MB'",
        "CREATE INDEX customer_search_words_idx ON customer_search USING gin (words gin_trgm_ops)",
        "CREATE INDEX customer_search_codes_idx ON customer_search USING gin (codes gin_trgm_ops)",
        f"""CREATE TRIGGER customer_search_insert AFTER INSERT ON {CUSTOMERS} REFERENCING NEW TABLE AS added
            FOR EACH STATEMENT EXECUTE FUNCTION customer_search_added()""",
        f"""CREATE TRIGGER customer_search_update AFTER UPDATE OF {", ".join(SEARCHED)} ON {CUSTOMERS}
            FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION customer_search_changed()""",
        f"""CREATE TRIGGER customer_search_delete AFTER DELETE ON {CUSTOMERS} REFERENCING OLD TABLE AS removed
            FOR EACH STATEMENT EXECUTE FUNCTION customer_search_removed()""",
        f"""CREATE TRIGGER customer_search_truncate AFTER TRUNCATE ON {CUSTOMERS}
            FOR EACH STATEMENT EXECUTE FUNCTION customer_search_emptied()""",
        "ANALYZE customer_search",
    ]


def install(schema_editor: Any) -> None:
    """Create the index of the customers as they are, and the triggers that keep it."""
    vendor = schema_editor.connection.vendor
    statements = _sqlite_statements() if vendor == "sqlite" else _postgresql_statements()
    for statement in statements:
        schema_editor.execute(statement, params=None)


def uninstall(schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "sqlite":
        statements = [
            *(f"DROP TRIGGER IF EXISTS customer_search_{event}" for event in ("insert", "update", "delete")),
            "DROP TABLE IF EXISTS customer_search_words",
            "DROP TABLE IF EXISTS customer_search_codes",
            "DROP VIEW IF EXISTS customer_search_source",
        ]
    else:
        statements = [
            "DROP TABLE IF EXISTS customer_search",
            *(
                f"DROP FUNCTION IF EXISTS customer_search_{name}() CASCADE"
                for name in ("added", "changed", "removed", "emptied")
            ),
        ]
    for statement in statements:
        schema_editor.execute(statement, params=None)


# ---------------------------------------------------------------- asking the index


def matching_ids_sql(vendor: str, organization_id: int, words: list[str]) -> tuple[str, list[Any]]:
    """A SELECT of the ids of the organization's customers that every word finds (on PostgreSQL, from the
    index's table alone, which knows each customer's organization: no customer row is read)."""
    if vendor != "sqlite":
        found, params = _postgresql_found(organization_id, words)
        return f"SELECT s.customer_id FROM customer_search s WHERE {found}", params
    found, params = matching_sql(vendor, organization_id, words, "c.id")
    return f"SELECT c.id FROM {CUSTOMERS} c WHERE c.organization_id = %s AND {found}", [
        organization_id,
        *params,
    ]


def matching_sql(
    vendor: str, organization_id: int, words: list[str], id_column: str
) -> tuple[str, list[Any]]:
    """A condition on `id_column`: a customer that every word finds, by its start or, for a word with
    digits, anywhere in a code (SQLite's index knows no organization: the caller scopes it)."""
    if vendor == "sqlite":
        return _sqlite_matching(words, id_column)
    return _postgresql_matching(organization_id, words, id_column)


def _sqlite_matching(words: list[str], id_column: str) -> tuple[str, list[Any]]:
    by_words = (
        f"{id_column} IN (SELECT rowid FROM customer_search_words WHERE customer_search_words MATCH %s)"
    )
    by_code = f"{id_column} IN (SELECT rowid FROM customer_search_codes WHERE customer_search_codes MATCH %s)"
    conditions, params = [], []
    if plain := [word for word in words if not is_code(word)]:
        conditions.append(by_words)
        params.append(" ".join(f'"{word}"*' for word in plain))
    for word in filter(is_code, words):
        conditions.append(f"({by_words} OR {by_code})")
        params += [f'"{word}"*', f'"{word}"']
    return " AND ".join(conditions), params


def _postgresql_word(word: str) -> tuple[str, list[Any]]:
    """A word at the start of a word of the text. Its trigrams find the candidates; the space that
    starts a word is checked apart, as the index would otherwise also read the trigrams of any word
    starting with its first letter ("  c" for "chloe"), which almost every customer has."""
    if len(word) < CODE_MIN_LENGTH:
        return "s.words LIKE %s", [f"% {word}%"]
    return "(s.words LIKE %s AND strpos(s.words, %s) > 0)", [f"%{word}%", f" {word}"]


def _postgresql_found(organization_id: int, words: list[str]) -> tuple[str, list[Any]]:
    """The condition on the index's rows `s`: the organization's, and found by every word."""
    # Folded words hold neither "%" nor "_" nor "\\": nothing to escape in the patterns.
    conditions, params = ["s.organization_id = %s"], list[Any]([organization_id])
    for word in words:
        by_word, word_params = _postgresql_word(word)
        if is_code(word):
            conditions.append(f"({by_word} OR s.codes LIKE %s)")
            params += [*word_params, f"%{word}%"]
        else:
            conditions.append(by_word)
            params += word_params
    return " AND ".join(conditions), params


def _postgresql_matching(organization_id: int, words: list[str], id_column: str) -> tuple[str, list[Any]]:
    found, params = _postgresql_found(organization_id, words)
    return f"{id_column} IN (SELECT s.customer_id FROM customer_search s WHERE {found})", params


class ManyMatches(RawSQL):
    """The condition "every word finds the customer", for a search with too many matches to list their ids:
    dense enough that the list may walk its sort index and keep them (see customers/queries.py)."""

    def __init__(self, vendor: str, organization_id: int, words: list[str]) -> None:
        sql, params = matching_sql(vendor, organization_id, words, f'"{CUSTOMERS}"."id"')
        super().__init__(sql, params, output_field=BooleanField())


class AmongIds(RawSQL):
    """The condition "the customer's id is one of `ids`" as one array parameter (PostgreSQL): thousands of
    ids cost one parameter, not thousands."""

    def __init__(self, ids: list[int]) -> None:
        super().__init__(f'"{CUSTOMERS}"."id" = ANY(%s)', [ids], output_field=BooleanField())
