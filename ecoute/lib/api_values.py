"""Values an API request may carry, checked before anything reaches the database.

PostgreSQL refuses a NUL character where SQLite stores it, and neither can store half of a UTF-16
surrogate pair, which JSON can spell (``"\\ud800"``): text with a control character (tab and line
breaks aside) is refused here, so both databases give the same answer. Integers are bounded to what
a database column holds.
"""

import re
from typing import Annotated

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

TEXT_PATTERN = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$"
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# The largest position a list of rows may start at: far beyond any organization, far within 64 bits.
MAX_OFFSET = 2**31 - 1


def refuse_control_characters(value: str) -> str:
    if CONTROL_CHARACTERS.search(value):
        raise PydanticCustomError("control_character", "holds a control character")
    return value


# Text as a person or a CRM writes it; the schema says which characters it may not hold (in the
# syntax of JSON Schema, which has no way to name half of a surrogate pair).
Text = Annotated[
    str,
    AfterValidator(refuse_control_characters),
    Field(json_schema_extra={"pattern": TEXT_PATTERN}),
]
# Text that names one thing on one line: an id, a key.
Name = Annotated[Text, Field(min_length=1)]
Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET)]
