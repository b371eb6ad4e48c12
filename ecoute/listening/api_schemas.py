"""What the listening API takes and gives: surveys with their questions, responses with their answers."""

from datetime import datetime
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import ConfigDict, StrictInt

from ecoute.lib.api_values import Text

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
