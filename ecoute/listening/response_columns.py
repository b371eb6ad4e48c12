"""The columns of a file of survey answers: who answered (CRM id or e-mail), when, the other tool's
response id, and one column per question, found by the question's code or by its French or English
text (case, accents and punctuation aside), or named with --map COLUMN=question_code."""

import re
from collections.abc import Sequence

from django.utils.functional import lazystr
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecoute.customers.importing.field_spec import FieldSpec, ValueType
from ecoute.customers.importing.fields import CUSTOMER_REF
from ecoute.customers.importing.mapping import resolve_mapping
from ecoute.customers.importing.problems import ImportFileError
from ecoute.listening.answer_cells import answer_reader, importance_reader
from ecoute.listening.flow import MAX_TEXT_LENGTH
from ecoute.listening.models import Question, QuestionType

CUSTOMER = FieldSpec(
    "customer", CUSTOMER_REF.label, synonyms=(*CUSTOMER_REF.synonyms, "crm id", "id crm"), max_length=100
)
EMAIL = FieldSpec(
    "email",
    gettext_lazy("e-mail"),
    type=ValueType.EMAIL,
    max_length=254,
    synonyms=("email", "e mail", "mail", "courriel", "adresse mail", "adresse e mail", "email address"),
)
ANSWERED_AT = FieldSpec(
    "answered_at",
    gettext_lazy("date answered"),
    type=ValueType.DATETIME,
    required=True,
    synonyms=(
        "answered_at",
        "date de reponse",
        "repondu le",
        "date",
        "date heure",
        "horodateur",
        "horodatage",
        "soumis le",
        "date de soumission",
        "date de fin",
        "timestamp",
        "answered at",
        "date answered",
        "response date",
        "submitted at",
        "submission date",
        "completed at",
        "end date",
    ),
)
RESPONSE_ID = FieldSpec(
    "response_id",
    gettext_lazy("response id"),
    max_length=100,
    synonyms=(
        "response_id",
        "id de reponse",
        "id reponse",
        "numero de reponse",
        "identifiant de reponse",
        "response id",
        "respondent id",
        "submission id",
    ),
)
WHO_WHEN = (CUSTOMER, EMAIL, ANSWERED_AT, RESPONSE_ID)
# The stated importance of an importance × satisfaction question has a column of its own.
IMPORTANCE_SUFFIX = "__importance"
# Placeholders of a question's text ("{first_name|vous}"): an export writes them filled in, or not.
_PLACEHOLDER = re.compile(r"\{[^}]*\}")


def _texts(question: Question) -> tuple[str, ...]:
    found = (_PLACEHOLDER.sub(" ", text).strip() for text in (question.text_fr, question.text_en))
    return tuple(text for text in found if text)


def question_fields(question: Question) -> list[FieldSpec]:
    """The field (two for importance × satisfaction) that a question's column feeds."""
    texts = _texts(question)
    reader = answer_reader(question)
    kind = ValueType.TEXT if reader is None else ValueType.ANSWER
    limit = MAX_TEXT_LENGTH if reader is None else 0
    if question.type != QuestionType.IMPORTANCE_SATISFACTION:
        return [
            FieldSpec(
                question.code, lazystr(question.code), kind, synonyms=texts, max_length=limit, convert=reader
            )
        ]
    code = question.code
    importance = f"{code}{IMPORTANCE_SUFFIX}"
    return [
        FieldSpec(
            code,
            lazystr(code),
            ValueType.ANSWER,
            synonyms=(*texts, f"{code} satisfaction", *(f"{text} satisfaction" for text in texts)),
            convert=reader,
        ),
        FieldSpec(
            importance,
            lazystr(importance),
            ValueType.ANSWER,
            synonyms=(f"{code} importance", *(f"{text} importance" for text in texts)),
            convert=importance_reader(question),
        ),
    ]


def survey_fields(questions: Sequence[Question]) -> tuple[FieldSpec, ...]:
    """Every field a file of answers to these questions may hold: who, when, then the questions."""
    return (*WHO_WHEN, *(spec for question in questions for spec in question_fields(question)))


def map_columns(
    headers: list[str], questions: Sequence[Question], overrides: list[str]
) -> dict[int, FieldSpec]:
    """Column index → field, guessed and corrected by `overrides` ("COLUMN=question_code"); refuses a
    file without a customer column, a date column or any question column."""
    columns = resolve_mapping(headers, survey_fields(questions), overrides)
    names = {spec.name for spec in columns.values()}
    if not names & {"customer", "email"}:
        raise ImportFileError(
            "missing_columns",
            count=1,
            fields=_("customer CRM id or e-mail"),
            found=", ".join(headers),
        )
    if not names - {spec.name for spec in WHO_WHEN}:
        raise ImportFileError(
            "no_question_columns",
            questions=", ".join(question.code for question in questions),
            found=", ".join(headers),
        )
    return columns
