"""The checked rows of a file of survey answers, made responses: each row's customer found by CRM id or
e-mail, its date made a moment, its cells made answers, and the key that tells it again on a rerun."""

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db.models.functions import Lower

from ecoute.customers.importing.cells import as_text
from ecoute.customers.importing.first_pass import FirstPass
from ecoute.customers.importing.problems import RowProblem
from ecoute.customers.importing.request import ImportOutcome
from ecoute.customers.importing.writers import customer_ids_for
from ecoute.customers.models import Customer
from ecoute.lib.tabular_errors import InvalidValueError
from ecoute.listening.flow import AnswerValue
from ecoute.listening.models import Question, QuestionType, Survey
from ecoute.listening.response_columns import IMPORTANCE_SUFFIX

MAX_KEY_LENGTH = 120  # Response.import_key


@dataclass(frozen=True)
class ImportedResponse:
    """One row of the file, ready to be stored: whose, when, what, and its key."""

    line: int
    key: str
    customer_id: int
    answered_at: datetime
    answers: list[tuple[Question, AnswerValue]]


@dataclass(frozen=True)
class _Customers:
    by_ref: dict[str, int]
    by_email: dict[str, int]
    shared_emails: set[str]  # held by several customers: the CRM id is needed


def _find_customers(organization_id: int, refs: set[str], emails: set[str]) -> _Customers:
    by_ref = customer_ids_for(organization_id, refs) if refs else {}
    by_email: dict[str, int] = {}
    shared: set[str] = set()
    wanted = sorted(emails)
    for start in range(0, len(wanted), 5000):
        found = (
            Customer.objects.filter(organization_id=organization_id)
            .annotate(address=Lower("email"))
            .filter(address__in=wanted[start : start + 5000])
            .values_list("address", "id")
        )
        for address, customer_id in found:
            if address in by_email and by_email[address] != customer_id:
                shared.add(address)
            by_email[address] = customer_id
    return _Customers(by_ref, by_email, shared)


def import_key(response_id: str, customer_id: int, answered_at: datetime, answers: Iterable[Any]) -> str:
    """The other tool's response id when the file gives it; else a digest of the customer, the moment
    and the answers, so that the same row read again (from the same file, or its xlsx twin) is found."""
    if response_id:
        key = f"id:{response_id}"
        if len(key) <= MAX_KEY_LENGTH:
            return key
        return "id~" + hashlib.sha256(response_id.encode()).hexdigest()
    content = json.dumps(
        [customer_id, answered_at.astimezone(UTC).isoformat(), list(answers)], ensure_ascii=False
    )
    return "sum:" + hashlib.sha256(content.encode()).hexdigest()


def _as_moment(value: Any) -> datetime:
    """A date column's database value (aware, or naive UTC text on SQLite) as an aware datetime."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class ResponseRows:
    """Turns checked rows into responses, adding a problem for each row that cannot be one."""

    def __init__(
        self,
        survey: Survey,
        first: FirstPass,
        answered_at: Callable[[Any], Any],
        outcome: ImportOutcome,
    ) -> None:
        self.survey = survey
        self.outcome = outcome
        self.answered_at = answered_at
        self.at = {name: index for index, name in enumerate(first.order)}
        self.header = {spec.name: first.headers[i] for i, spec in first.columns.items()}
        by_code = {question.code: question for question in survey.questions.all()}
        # The questions the file answers, in the survey's order; one of importance × satisfaction may
        # have only its importance column, which each row then says is incomplete.
        given = {name.removesuffix(IMPORTANCE_SUFFIX) for name in first.order}
        self.questions = [question for code, question in by_code.items() if code in given]
        self.customers = _Customers({}, {}, set())

    def _value(self, values: tuple[Any, ...], name: str) -> Any:
        at = self.at.get(name)
        return None if at is None else values[at]

    def find_customers(self, rows: list[tuple[int, tuple[Any, ...]]]) -> None:
        refs = {ref for _line, values in rows if (ref := self._value(values, "customer"))}
        emails = {email for _line, values in rows if (email := self._value(values, "email"))}
        self.customers = _find_customers(self.survey.organization_id, refs, emails)

    def response(self, line: int, values: tuple[Any, ...]) -> ImportedResponse | None:
        problems: list[RowProblem] = []
        customer_id = self._customer(line, values, problems)
        raw_date = self._value(values, "answered_at")
        moment = None
        try:
            moment = _as_moment(self.answered_at(raw_date))
        except (InvalidValueError, ValueError):
            problems.append(RowProblem(line, self.header["answered_at"], as_text(raw_date), "invalid_date"))
        answers = self._answers(line, values, problems)
        if not answers and not problems:
            problems.append(RowProblem(line, "", "", "no_answers"))
        for problem in problems:
            self.outcome.add(problem)
        if problems or customer_id is None or moment is None:
            return None
        response_id = self._value(values, "response_id") or ""
        digest = [
            (question.code, value.number, value.importance, value.choices, value.text)
            for question, value in answers
        ]
        key = import_key(response_id, customer_id, moment, digest)
        return ImportedResponse(line, key, customer_id, moment, answers)

    def _customer(self, line: int, values: tuple[Any, ...], problems: list[RowProblem]) -> int | None:
        ref, email = self._value(values, "customer"), self._value(values, "email")
        customers = self.customers
        if ref:
            found = customers.by_ref.get(ref)
            if found is None:
                problems.append(RowProblem(line, self.header["customer"], ref, "unknown_customer"))
            return found
        if email:
            if email in customers.shared_emails:
                problems.append(RowProblem(line, self.header["email"], email, "shared_customer_email"))
                return None
            found = customers.by_email.get(email)
            if found is None:
                problems.append(RowProblem(line, self.header["email"], email, "unknown_customer_email"))
            return found
        column = self.header.get("customer") or self.header["email"]
        problems.append(RowProblem(line, column, "", "customer_key_required"))
        return None

    def _answers(
        self, line: int, values: tuple[Any, ...], problems: list[RowProblem]
    ) -> list[tuple[Question, AnswerValue]]:
        answers = []
        for question in self.questions:
            given = self._value(values, question.code)
            value = AnswerValue()
            if question.type in (QuestionType.CHOICE, QuestionType.MULTI):
                value.choices = None if given is None else ([given] if isinstance(given, str) else given)
            elif question.type == QuestionType.TEXT:
                value.text = given or ""
            else:
                value.number = given
            if question.type == QuestionType.IMPORTANCE_SATISFACTION:
                importance_name = f"{question.code}{IMPORTANCE_SUFFIX}"
                value.importance = self._value(values, importance_name)
                # Without an importance column, the file gives the satisfaction alone.
                if importance_name in self.at and (value.number is None) != (value.importance is None):
                    missing = question.code if value.number is None else importance_name
                    column = self.header.get(missing) or self.header[importance_name]
                    problems.append(RowProblem(line, column, "", "importance_with_satisfaction"))
                    continue
            if not value.is_empty:
                answers.append((question, value))
        return answers
