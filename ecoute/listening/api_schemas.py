"""What the listening API takes and gives: surveys with their questions, invitations of named customers,
responses with their answers."""

from datetime import datetime
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict, JsonValue, StrictBool, StrictInt

from ecoute.lib.api_values import Name, Text

MAX_ANSWERS = 200


class QuestionOut(Schema):
    code: str
    position: int
    type: str
    text_fr: str
    text_en: str
    options: list[dict[str, Any]]
    required: bool
    known_from: str
    show_if: dict[str, Any] | None


class SurveyOut(Schema):
    id: int
    slug: str
    name: str
    kind: str
    status: str
    languages: list[str]
    questions: list[QuestionOut]


class AnswerIn(Schema):
    model_config = ConfigDict(extra="forbid")

    question: Annotated[str, Field(min_length=1, max_length=50, description="The question's code.")]
    score: StrictInt | None = Field(None, description="nps, csat, ces, rating; the satisfaction of "
                                    "importance_satisfaction; 1 or 0 for yes_no.")  # fmt: skip
    importance: StrictInt | None = Field(None, description="importance_satisfaction only.")
    choices: list[Annotated[str, Field(max_length=100)]] | None = Field(None, max_length=100)
    text: Annotated[Text, Field(max_length=5000)] | None = None


class ResponseIn(Schema):
    model_config = ConfigDict(extra="forbid")

    invitation: StrictInt | None = Field(None, description="The invitation answered: one response each.")
    public_link: StrictInt | None = Field(None, description="Or the public link it was given through.")
    language: Annotated[str, Field(pattern="^(fr|en)$")] | None = None
    answers: list[AnswerIn] = Field(..., min_length=1, max_length=MAX_ANSWERS)


class ResponseOut(Schema):
    id: int
    survey: str
    invitation: int | None
    public_link: int | None
    channel: str
    language: str
    completed_at: datetime | None
    nps_level: str


MAX_NAMED_CUSTOMERS = 1000
INVITATIONS_EXAMPLE: dict[str, JsonValue] = {
    "customers": [{"crm_id": "C-1042"}, {"email": "helene.lefevre@example.fr"}],
    "channel": "email",
    "dry_run": False,
}


INVITATIONS_ANSWER_EXAMPLE: dict[str, JsonValue] = {
    "survey": "relation-2026",
    "dry_run": False,
    "wave": 12,
    "send_at": "2026-06-10T10:00:00+02:00",
    "deferred": False,
    "counts": {"planned": 1, "skipped": {"consent": 1}},
    "invited": [{"row": 1, "crm_id": "C-1042", "email": "", "invitation": 5310}],
    "skipped": [
        {"row": 2, "crm_id": "C-2077", "email": "helene.lefevre@example.fr", "invitation": 5311,
         "reason": "consent", "message": "no consent"}
    ],
}  # fmt: skip
DRY_RUN_ANSWER_EXAMPLE: dict[str, JsonValue] = {
    **INVITATIONS_ANSWER_EXAMPLE,
    "dry_run": True,
    "wave": None,
    "invited": [{"row": 1, "crm_id": "C-1042", "email": "", "invitation": None}],
    "skipped": [
        {"row": 2, "crm_id": "C-2077", "email": "helene.lefevre@example.fr", "invitation": None,
         "reason": "pressure", "message": "contact pressure"}
    ],
    "counts": {"planned": 1, "skipped": {"pressure": 1}},
}  # fmt: skip
# The operation's examples, as the documentation page shows them.
INVITATIONS_EXAMPLES: dict[str, Any] = {
    "requestBody": {
        "content": {
            "application/json": {
                "examples": {
                    "invite": {"summary": "Invite two customers", "value": INVITATIONS_EXAMPLE},
                    "dry_run": {
                        "summary": "Say who would be invited, write nothing",
                        "value": {"customers": [{"crm_id": "C-1042"}], "dry_run": True},
                    },
                }
            }
        }
    },
    "responses": {
        200: {"content": {"application/json": {"example": DRY_RUN_ANSWER_EXAMPLE}}},
        201: {"content": {"application/json": {"example": INVITATIONS_ANSWER_EXAMPLE}}},
    },
}


class CustomerNameIn(Schema):
    model_config = ConfigDict(extra="forbid")

    crm_id: Annotated[Name, Field(max_length=100)] | None = Field(
        None, description="The customer's CRM id.", examples=["C-1042"]
    )
    email: Annotated[Name, Field(max_length=254)] | None = Field(
        None, description="Or their e-mail address (compared in lower case).", examples=["client@example.fr"]
    )


class InvitationsIn(Schema):
    model_config = ConfigDict(extra="forbid")

    customers: list[CustomerNameIn] = Field(
        ...,
        min_length=1,
        description=f"The customers to invite, each by CRM id or e-mail; at most {MAX_NAMED_CUSTOMERS:,}.",
        json_schema_extra={"maxItems": MAX_NAMED_CUSTOMERS},
    )
    channel: Literal["email"] = Field("email", description="How they are invited: by e-mail.")
    dry_run: StrictBool = Field(False, description="Say who would be invited and who not; write nothing.")


class NamedCustomerOut(Schema):
    row: int = Field(..., description="The customer's place in the request, from 1.")
    crm_id: str = Field(..., description="The customer's CRM id (as named, when no customer was found).")
    email: str = Field(..., description="The e-mail address named, if the customer was named by it.")
    invitation: int | None = Field(
        ...,
        description="The invitation: made by this request, or already in today's wave; none in a dry run.",
    )


class SkippedOut(NamedCustomerOut):
    reason: str = Field(
        ...,
        description="Why the customer is not invited: as planning says it, kept on the skipped invitation "
        "(no_address, do_not_contact, bounced, consent, pressure, gap, cooldown), or for a name that "
        "gets no invitation (unknown_customer, ambiguous_email, not_in_audience, already_invited, "
        "named_twice).",
    )
    message: str = Field(..., description="The reason, in words.")


class InvitationCounts(Schema):
    planned: int
    skipped: dict[str, int]


class InvitationsOut(Schema):
    survey: str
    dry_run: bool
    wave: int | None = Field(..., description="Today's wave of the survey; none for a transactional survey.")
    send_at: datetime = Field(..., description="When the e-mails leave: now, or after the quiet hours.")
    deferred: bool = Field(..., description="Whether quiet hours or days put the sending off.")
    counts: InvitationCounts
    invited: list[NamedCustomerOut]
    skipped: list[SkippedOut]
