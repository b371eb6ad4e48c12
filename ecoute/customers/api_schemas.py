"""The records the API takes and gives, field by field, as its OpenAPI schema documents them.

Records name their fields exactly (unknown keys are refused); CRM fields that are not Écoute's go
under `attributes`. The shape of each record is checked here; its values (e-mail addresses, dates,
amounts, known customers) by the importer, which answers like a file import.
"""

from datetime import datetime
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import ConfigDict, StrictFloat, StrictInt, WithJsonSchema

from ecoute.customers.importing.field_spec import MAX_ATTRIBUTE_NAME, MAX_ATTRIBUTE_VALUE, MAX_TAG_LENGTH
from ecoute.customers.models import Channel, Purpose
from ecoute.lib.api_values import TEXT_PATTERN, Name, Offset, Text

MAX_RECORDS = 10_000
MAX_ATTRIBUTES = 100
DATE = (
    "A date, or a date and time: ISO 8601 (2026-01-15, 2026-01-15T10:30:00, with an offset such as +01:00 "
    "or Z if not in the organization's time zone) or as French exports write it (15/01/2026 10:30)."
)
FiniteNumber = Annotated[StrictFloat, Field(allow_inf_nan=False)]
Tag = Annotated[Name, Field(max_length=MAX_TAG_LENGTH)]
Attributes = Annotated[
    dict[
        Annotated[Name, Field(max_length=MAX_ATTRIBUTE_NAME)],
        Annotated[Text, Field(max_length=MAX_ATTRIBUTE_VALUE)],
    ],
    WithJsonSchema(
        {
            "type": "object",
            "maxProperties": MAX_ATTRIBUTES,
            "propertyNames": {"minLength": 1, "maxLength": MAX_ATTRIBUTE_NAME, "pattern": TEXT_PATTERN},
            "additionalProperties": {
                "type": "string",
                "maxLength": MAX_ATTRIBUTE_VALUE,
                "pattern": TEXT_PATTERN,
            },
        }
    ),
]
CLEARED = "An empty string or null clears it; a field left out is left as it is."


class Record(Schema):
    model_config = ConfigDict(extra="forbid")


class CustomerIn(Record):
    external_id: Name = Field(
        ..., max_length=100, description="The customer's id in the CRM: its key.", examples=["C-1042"]
    )
    email: Text | None = Field(None, max_length=254, description=f"E-mail address. {CLEARED}")
    phone: Text | None = Field(
        None, max_length=40, description="Phone number, as written.", examples=["06 12 34 56 78"]
    )
    first_name: Text | None = Field(None, max_length=100, description="First name.", examples=["Hélène"])
    last_name: Text | None = Field(None, max_length=100, description="Last name.", examples=["Lefèvre"])
    company: Text | None = Field(None, max_length=200, description="Company, for a business customer.")
    language: Text | None = Field(None, max_length=8, description="Language code.", examples=["fr"])
    address_line1: Text | None = Field(
        None, max_length=200, description="Street address.", examples=["12 rue de la Roquette"]
    )
    address_line2: Text | None = Field(
        None, max_length=200, description="Address, continued.", examples=["Bâtiment B"]
    )
    postcode: Text | None = Field(None, max_length=20, description="Postcode.", examples=["75011"])
    city: Text | None = Field(None, max_length=100, description="City.", examples=["Paris"])
    region: Text | None = Field(None, max_length=100, description="Region.", examples=["Île-de-France"])
    country: Text | None = Field(
        None,
        max_length=80,
        description="ISO 3166 code, or the country's name in French or English.",
        examples=["FR"],
    )
    created_at: Text | None = Field(None, max_length=40, description=f"Customer since. {DATE}")
    tags: list[Tag] | None = Field(
        None,
        max_length=100,
        description="Tags to add to the customer; those already there stay.",
        examples=[["VIP"]],
    )
    attributes: Attributes | None = Field(
        None,
        max_length=MAX_ATTRIBUTES,
        description=(
            "The CRM's own fields, as text (names of at most 100 characters, values of at most 1,000), "
            "merged into those stored: a name sent replaces its value; an empty value is not stored."
        ),
        examples=[{"loyalty": "gold", "store": "Lyon"}],
    )


class TransactionIn(Record):
    external_id: Text | None = Field(
        None,
        max_length=120,
        description=(
            "The sale's own id: its key. Without one, the sale is keyed by customer, date and amount."
        ),
        examples=["F-2026-00042"],
    )
    customer: Name = Field(..., max_length=100, description="The customer's CRM id.", examples=["C-1042"])
    occurred_at: Name = Field(..., max_length=40, description=f"When the sale happened. {DATE}")
    amount: StrictInt | FiniteNumber | Text = Field(
        ...,
        description='Amount including tax: a number, or text as exports write it ("12,50 €").',
        examples=["19.90"],
    )
    currency: Text | None = Field(None, max_length=3, description="ISO 4217 code; EUR when left out.")
    channel: Text | None = Field(None, max_length=50, description="Sales channel.", examples=["web"])
    store: Text | None = Field(
        None, max_length=100, description="Store or site.", examples=["Lyon Part-Dieu"]
    )


class ConsentIn(Record):
    customer: Name = Field(..., max_length=100, description="The customer's CRM id.", examples=["C-1042"])
    channel: Channel = Field(..., description="Channel the consent is about.")
    purpose: Purpose = Field(..., description="What the customer may be contacted for.")
    granted: bool = Field(..., description="Whether the customer gave (true) or withdrew (false) consent.")
    recorded_at: Name = Field(..., max_length=40, description=f"When the customer said so. {DATE}")
    source: Text | None = Field(
        None, max_length=100, description="Where it was recorded.", examples=["web form"]
    )


class CustomerOut(Schema):
    id: int
    external_id: str
    email: str
    phone: str
    first_name: str
    last_name: str
    company: str
    language: str
    address_line1: str
    address_line2: str
    postcode: str
    city: str
    region: str
    country: str
    attributes: dict[str, Any]
    created_at: datetime
    last_purchase_at: datetime | None
    purchases_count: int
    email_consent: bool


class CustomerPage(Schema):
    count: int
    results: list[CustomerOut]


class CustomerFilters(Schema):
    model_config = ConfigDict(extra="forbid")

    q: Text = Field(
        "",
        max_length=200,
        description=(
            "Search: every word must start a word of the customer's names, company, city, postcode, "
            "e-mail or CRM id (any order, case and accents ignored); a phone in any spacing; a word "
            "with digits also anywhere in a CRM id or phone."
        ),
    )
    region: Text = Field("", max_length=100, description="Only customers of this region.")
    limit: int = Field(100, ge=1, le=1000, description="Customers per page.")
    offset: Offset = Field(0, description="Customers to skip, for the next pages.")


class Problem(Schema):
    row: int | None = Field(..., description="The record's position in the request, from 1.")
    field: str
    value: str
    code: str
    message: str = Field(..., description="The reason, in the organization's language or Accept-Language.")


class WriteResult(Schema):
    received: int = Field(..., description="Records in the request.")
    written: int = Field(..., description="Rows stored: created or updated.")
    duplicates: int = Field(
        ..., description="Records that repeated the key of an earlier record of the request: the last wins."
    )


class Refusal(Schema):
    detail: str
    problems: list[Problem] = Field(default_factory=list)
