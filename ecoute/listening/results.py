"""Read side of what customers said: a survey's figures and verbatims, and one customer's listening.

Every count is made by the database (GROUP BY wave and channel, question and score, question and
choice); Python only turns those few grouped rows into figures through `ecoute/analytics`, so a
survey of a million answers costs the same handful of queries as one of ten. Figures are formatted
here, in the reader's language, so that the page shows exactly what the analytics computed.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import repeat
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ecoute.analytics.means import MeanEstimate, mean_with_interval
from ecoute.analytics.nps import Level, NpsCounts, NpsEstimate, level_of, nps
from ecoute.analytics.proportions import CSAT_TOP_BOXES, ProportionEstimate, wilson
from ecoute.customers.models import Customer
from ecoute.lib.api_values import CONTROL_CHARACTERS
from ecoute.lib.quantities import grouped
from ecoute.lib.text import loose_pattern
from ecoute.listening.models import SCALES, Answer, Invitation, Question, QuestionType, Survey
from ecoute.listening.responses import NpsLevel

VERBATIMS_PER_PAGE = 20
CHOICE_TYPES = (QuestionType.CHOICE, QuestionType.MULTI)


def percent(value: float, decimals: int = 0) -> str:
    return _("%(percent)s%%") % {"percent": grouped(value, decimals)}


def signed(value: float) -> str:
    """An NPS as it is read: "+32", "−5", "0"."""
    rounded = round(value)
    return ("+" if rounded > 0 else "−" if rounded < 0 else "") + grouped(abs(rounded))


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    share: str
    width: float  # 0..100, against the longest bar


@dataclass(frozen=True)
class Figure:
    """One headline figure with its interval and n, greyed under the survey's minimum of answers."""

    name: str
    value: str
    interval: str
    n: int
    enough: bool


@dataclass
class QuestionResult:
    question: Question
    n: int
    bars: list[Bar] = field(default_factory=list)
    figure: Figure | None = None
    nps: NpsEstimate | None = None
    csat: ProportionEstimate | None = None
    mean: MeanEstimate | None = None
    split: list[tuple[str, str, int, str]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return (
            self.question.text_en if _language() == "en" and self.question.text_en else self.question.text_fr
        )


def _language() -> str:
    return (get_language() or "fr")[:2]


def _bars(counts: list[tuple[str, int]], n: int) -> list[Bar]:
    longest = max((count for _label, count in counts), default=0)
    return [
        Bar(label, count, percent(100 * count / n) if n else "—", 100 * count / longest if longest else 0)
        for label, count in counts
    ]


def _interval(low: float | None, high: float | None, shown: Any) -> str:
    if low is None or high is None:
        return _("interval unknown")
    return _("95%% interval: %(low)s to %(high)s") % {"low": shown(low), "high": shown(high)}


def _numeric_result(result: QuestionResult, scores: dict[int, int], minimum: int) -> None:
    question = result.question
    n = sum(scores.values())
    low, high = SCALES.get(question.type, (min(scores, default=0), max(scores, default=0)))
    result.bars = _bars([(grouped(score), scores.get(score, 0)) for score in range(low, high + 1)], n)
    enough = n >= minimum
    if question.type == QuestionType.NPS:
        by_level = dict.fromkeys(Level, 0)
        for score, count in scores.items():
            by_level[level_of(score)] += count
        estimate = nps(
            NpsCounts(by_level[Level.PROMOTER], by_level[Level.PASSIVE], by_level[Level.DETRACTOR])
        )
        result.nps = estimate
        value = "—" if estimate.estimate is None else signed(estimate.estimate)
        interval = _interval(estimate.low, estimate.high, signed) if n else _("interval unknown")
        result.figure = Figure("NPS", value, interval, n, enough)
        result.split = [
            (
                level,
                str(NpsLevel(level).label),
                by_level[Level(level)],
                percent(100 * by_level[Level(level)] / n) if n else "—",
            )
            for level in (NpsLevel.PROMOTER, NpsLevel.PASSIVE, NpsLevel.DETRACTOR)
        ]
    elif question.type == QuestionType.CSAT:
        top = sum(count for score, count in scores.items() if score in CSAT_TOP_BOXES)
        share = wilson(top, n)
        result.csat = share
        value = "—" if share.estimate is None else percent(share.estimate, 1)
        interval = _interval(share.low, share.high, lambda v: percent(v, 1)) if n else _("interval unknown")
        result.figure = Figure(_("CSAT (top 2 boxes)"), value, interval, n, enough)
    elif question.type in (QuestionType.CES, QuestionType.RATING, QuestionType.IMPORTANCE_SATISFACTION):
        # The mean of the grouped scores: each score repeated as often as it was given.
        mean = mean_with_interval(
            value for score, count in sorted(scores.items()) for value in repeat(float(score), count)
        )
        result.mean = mean
        name = _("CES (mean effort)") if question.type == QuestionType.CES else _("Mean")
        value = "—" if mean.estimate is None else grouped(mean.estimate, 2)
        result.figure = Figure(
            name, value, _interval(mean.low, mean.high, lambda v: grouped(v, 2)), n, enough
        )
    elif question.type == QuestionType.YES_NO:
        result.bars = _bars([(_("Yes"), scores.get(1, 0)), (_("No"), scores.get(0, 0))], n)
    result.n = n


def _choice_counts(survey: Survey) -> dict[int, dict[str, int]]:
    """Question id → option value → how many answers picked it, counted by the database."""
    answer, question = Answer._meta.db_table, Question._meta.db_table
    if connection.vendor == "postgresql":
        values = (
            "jsonb_array_elements_text(CASE WHEN jsonb_typeof(a.choices) = 'array' THEN a.choices "
            "ELSE jsonb_build_array(a.choices) END) AS e(value)"
        )
        source = f"{answer} a JOIN {question} q ON q.id = a.question_id CROSS JOIN LATERAL {values}"
        picked = "e.value"
    else:
        source = f"{answer} a JOIN {question} q ON q.id = a.question_id, json_each(a.choices) AS e"
        picked = "e.value"
    sql = (
        f"SELECT a.question_id, {picked}, COUNT(*) FROM {source} "  # noqa: S608 - our own table names
        "WHERE q.survey_id = %s AND q.type IN (%s, %s) AND a.choices IS NOT NULL "
        f"GROUP BY a.question_id, {picked}"
    )
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    with connection.cursor() as cursor:
        cursor.execute(sql, [survey.pk, *CHOICE_TYPES])
        for question_id, value, count in cursor.fetchall():
            counts[question_id][str(value)] = count
    return counts


def _choice_result(result: QuestionResult, picked: dict[str, int], answered: int) -> None:
    language = _language()
    labels = [
        (str(option.get(language) or option.get("fr") or option.get("value")), str(option.get("value")))
        for option in result.question.options
        if isinstance(option, dict)
    ]
    known = {value for _label, value in labels}
    rows = [(label, picked.get(value, 0)) for label, value in labels]
    rows += [(value, count) for value, count in sorted(picked.items()) if value not in known]
    result.n = answered
    result.bars = _bars(rows, answered)


def question_results(survey: Survey) -> list[QuestionResult]:
    """Each question's distribution, and the figure of its type (NPS, CSAT, CES, mean) with n."""
    questions = list(survey.questions.order_by("position", "id"))
    scores: dict[int, dict[int, int]] = defaultdict(dict)
    grouped_scores = (
        Answer.objects.filter(question__survey=survey, number__isnull=False)
        .values("question_id", "number")
        .annotate(count=Count("id"))
        .order_by()
    )
    for row in grouped_scores:
        scores[row["question_id"]][int(row["number"] or 0)] = row["count"]
    answered = dict(
        Answer.objects.filter(question__survey=survey, choices__isnull=False)
        .values("question_id")
        .annotate(count=Count("id"))
        .order_by()
        .values_list("question_id", "count")
    )
    texts = dict(
        Answer.objects.filter(question__survey=survey, question__type=QuestionType.TEXT)
        .exclude(text="")
        .values("question_id")
        .annotate(count=Count("id"))
        .order_by()
        .values_list("question_id", "count")
    )
    choices = _choice_counts(survey) if any(q.type in CHOICE_TYPES for q in questions) else {}
    results = []
    for question in questions:
        result = QuestionResult(question, 0)
        if question.type in CHOICE_TYPES:
            _choice_result(result, choices.get(question.pk, {}), answered.get(question.pk, 0))
        elif question.type == QuestionType.TEXT:
            result.n = texts.get(question.pk, 0)
        else:
            _numeric_result(result, scores.get(question.pk, {}), survey.min_answers)
        results.append(result)
    return results


def verbatims(
    survey: Survey, *, level: str = "", query: str = "", page: str | int | None = 1
) -> Page[Answer]:
    """The survey's written answers, newest first, of one NPS level and holding `query` when given."""
    answers: QuerySet[Answer] = (
        Answer.objects.filter(question__survey=survey, question__type=QuestionType.TEXT)
        .exclude(text="")
        .select_related("question", "response__customer")
        .order_by("-answered_at", "-id")
    )
    if level in NpsLevel.values:
        answers = answers.filter(response__nps_level=level)
    if query := " ".join(CONTROL_CHARACTERS.sub("", query).split())[:200]:
        # The same answers on SQLite and PostgreSQL, whatever the accents and capitals of either side.
        answers = answers.filter(text__regex=loose_pattern(query))
    return Paginator(answers, VERBATIMS_PER_PAGE).get_page(page)


@dataclass(frozen=True)
class AnswerLine:
    answered_at: Any
    survey: str
    question: str
    shown: str
    is_text: bool


def _shown(answer: Answer) -> str:
    if answer.text:
        return answer.text
    if answer.number is not None:
        return grouped(answer.number)
    picked = answer.choices if isinstance(answer.choices, list) else [answer.choices]
    return ", ".join(str(value) for value in picked if value is not None)


@dataclass(frozen=True)
class CustomerListening:
    invitations: list[Invitation]
    answers: list[AnswerLine]
    level: str
    level_label: str


def customer_listening(customer: Customer, limit: int = 50) -> CustomerListening:
    """A customer's invitations and answers, and their level from their latest NPS answer."""
    invitations = Invitation.objects.filter(customer=customer).select_related("survey")
    answers = (
        Answer.objects.filter(response__customer=customer)
        .select_related("question", "response__survey")
        .order_by("-answered_at", "-id")[:limit]
    )
    latest = (
        Answer.objects.filter(
            response__customer=customer, question__type=QuestionType.NPS, number__isnull=False
        )
        .order_by("-answered_at", "-id")
        .values_list("number", flat=True)
        .first()
    )
    level = "" if latest is None or not 0 <= latest <= 10 else str(level_of(latest))
    return CustomerListening(
        list(invitations.order_by("-created_at", "-id")[:limit]),
        [
            AnswerLine(a.answered_at, a.response.survey.name, a.question.code, _shown(a), bool(a.text))
            for a in answers
        ],
        level,
        str(NpsLevel(level).label) if level else "",
    )
