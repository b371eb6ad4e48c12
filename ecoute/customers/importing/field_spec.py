"""What an import field is: its name, label, type, the spellings a file may give it, its bounds."""

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.utils.functional import Promise

# A customer's tags and CRM fields (attributes), whether they come in a file or through the API.
MAX_TAG_LENGTH = 100
MAX_ATTRIBUTE_NAME = 100
MAX_ATTRIBUTE_VALUE = 1000


class ValueType(StrEnum):
    TEXT = "text"
    EMAIL = "email"
    DECIMAL = "decimal"
    MONEY = "money"  # a decimal that may carry its currency: "12,50 $", "12.50 USD"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    DATETIME = "datetime"
    CHOICE = "choice"
    COUNTRY = "country"  # a name or an ISO code, stored as its ISO 3166-1 alpha-2 code
    TAGS = "tags"
    URL = "url"
    ANSWER = "answer"  # an answer to a survey question, read by the spec's own `convert`


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: Promise
    type: ValueType = ValueType.TEXT
    required: bool = False
    max_length: int = 0
    synonyms: tuple[str, ...] = ()
    # For CHOICE: accepted spellings (normalized) → stored value.
    choices: dict[str, str] = field(default_factory=dict)
    # What the column holds: DECIMAL digits before the point, INTEGER bounds; None is no limit.
    integer_digits: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    # For ANSWER: cell → value, raising CellError with a code of problems.REASONS.
    convert: Callable[[Any], Any] | None = None
