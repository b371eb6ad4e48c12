"""The cells of a file of survey answers, read after their question's type.

Each reader takes a cell as an export gives it (text, or a number from a spreadsheet) and returns what
an Answer stores, None for a blank cell (the question was not answered), or raises CellError with a
code the importer turns into a sentence (customers/importing/problems.py).
"""

import re
from collections.abc import Callable
from typing import Any

from django.utils.translation import get_language

from ecoute.customers.importing.cells import Cell, CellError, as_text
from ecoute.lib.columns import normalize_header
from ecoute.lib.tabular_errors import InvalidValueError
from ecoute.lib.values import parse_bool, parse_int
from ecoute.listening.flow import option_label
from ecoute.listening.models import SCALES, Question, QuestionType

type AnswerReader = Callable[[Cell], Any]

# The words other survey tools export for a satisfaction from 1 to 5: French, then English; the first
# of each language is the one a message lists.
SATISFACTION_WORDS = {
    1: (
        ("Très insatisfait", "Très mécontent", "Pas du tout satisfait"),
        ("Very dissatisfied", "Very unsatisfied"),
    ),
    2: (("Insatisfait", "Mécontent", "Peu satisfait", "Plutôt insatisfait"), ("Dissatisfied", "Unsatisfied")),
    3: (("Ni satisfait ni insatisfait", "Neutre", "Moyennement satisfait"), ("Neutral", "Neither")),
    4: (("Satisfait", "Plutôt satisfait", "Assez satisfait"), ("Satisfied",)),
    5: (("Très satisfait", "Tout à fait satisfait", "Extrêmement satisfait"), ("Very satisfied",)),
}
_SATISFACTION = {
    normalize_header(word): score
    for score, languages in SATISFACTION_WORDS.items()
    for words in languages
    for word in words
}
# Several choices in one cell: "Prix ; Accueil" or "price|welcome".
_CHOICE_SEPARATORS = re.compile(r"[;|]")


def _blank(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _score_reader(low: int, high: int, *, words: dict[str, int] | None = None) -> AnswerReader:
    """A whole number from `low` to `high` ("8", "8,0", 8.0); for satisfaction, its words too."""

    def read(value: Cell) -> int | None:
        if _blank(value):
            return None
        if words is not None and (found := words.get(normalize_header(as_text(value)))) is not None:
            return found
        try:
            number = parse_int(value)
        except InvalidValueError:
            if words is not None:
                labels = ", ".join(words_for_scale())
                raise CellError("invalid_satisfaction", minimum=low, maximum=high, labels=labels) from None
            raise CellError("invalid_score", minimum=low, maximum=high) from None
        if not low <= number <= high:
            raise CellError("out_of_range_between", minimum=low, maximum=high)
        return number

    return read


def words_for_scale() -> list[str]:
    """The word of each level of satisfaction, in the active language, as a message lists them."""
    english = (get_language() or "fr")[:2] == "en"
    return [languages[1 if english else 0][0] for languages in SATISFACTION_WORDS.values()]


def _yes_no(value: Cell) -> int | None:
    if _blank(value):
        return None
    try:
        return 1 if parse_bool(value) else 0
    except InvalidValueError as error:
        raise CellError(error.code, **error.params) from None


def _options(question: Question) -> tuple[dict[str, str], str]:
    """Each way a file may write an option (its code, its French or English label) → its code; and
    the options as a message lists them, in the active language."""
    language = (get_language() or "fr")[:2]
    spellings: dict[str, str] = {}
    for option in question.options or []:
        code = str(option.get("value", ""))
        for spelling in (code, option.get("fr"), option.get("en")):
            if spelling:
                spellings.setdefault(normalize_header(str(spelling)), code)
    listed = ", ".join(option_label(option, language) for option in question.options or [])
    return spellings, listed


def _choice(question: Question) -> AnswerReader:
    spellings, listed = _options(question)

    def read(value: Cell) -> str | None:
        if _blank(value):
            return None
        found = spellings.get(normalize_header(as_text(value)))
        if found is None:
            raise CellError("invalid_choice", choices=listed)
        return found

    return read


def _choices(question: Question) -> AnswerReader:
    spellings, listed = _options(question)

    def read(value: Cell) -> list[str] | None:
        if _blank(value):
            return None
        picked: list[str] = []
        for item in _CHOICE_SEPARATORS.split(as_text(value)):
            if not item.strip():
                continue
            found = spellings.get(normalize_header(item))
            if found is None:
                raise CellError("invalid_choice_item", item=item.strip()[:80], choices=listed)
            if found not in picked:
                picked.append(found)
        return picked or None

    return read


def answer_reader(question: Question) -> AnswerReader | None:
    """How the cells of `question`'s column are read; None for free text, which the importer reads as
    any text column (trimmed, at most flow.MAX_TEXT_LENGTH characters, no control characters)."""
    kind = question.type
    if kind in (QuestionType.CSAT, QuestionType.IMPORTANCE_SATISFACTION):
        return _score_reader(*SCALES[kind], words=_SATISFACTION)
    if kind in SCALES:
        return _score_reader(*SCALES[kind])
    if kind == QuestionType.YES_NO:
        return _yes_no
    if kind == QuestionType.CHOICE:
        return _choice(question)
    if kind == QuestionType.MULTI:
        return _choices(question)
    return None


def importance_reader(question: Question) -> AnswerReader:
    """The stated importance of an importance × satisfaction question: a score on its scale."""
    return _score_reader(*SCALES[question.type])
