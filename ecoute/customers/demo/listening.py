"""The demo's listening programme, run over the history the importer has just stored.

Two of the shipped surveys are imported as a company would: the relationship NPS, sent in waves twice
a year, and the after-purchase satisfaction and effort survey, sent two days after some purchases.
Who is skipped keeps a reason (no consent, no address, contact pressure, the survey's cooldown).

What customers answer follows what happened to them, so that the results tell a true story: late
deliveries and complaints not solved at first contact in the year before a wave pull the score down,
good reviews and frequent purchases pull it up, and customers who stop buying after a wave answered it
less warmly (detractors lapse more often). The written answers come from `verbatims.json` and name
the criterion behind the score (delivery, advice, price, quality, welcome…).

Everything is drawn from one random stream seeded by the demo's seed, and written with bulk inserts.
"""

import json
import random
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ecoute.accounts.models import Organization
from ecoute.analytics.nps import level_of
from ecoute.customers.demo.listening_writes import Planned, write_program
from ecoute.customers.models import Customer, Interaction, LoyaltyAct, Transaction
from ecoute.listening.actions import import_survey
from ecoute.listening.models import Survey, SurveyStatus

TEMPLATES = Path(__file__).resolve().parents[2] / "listening" / "data" / "templates"
VERBATIMS_FILE = Path(__file__).parent / "verbatims.json"
WAVE_DAYS = ((3, 10), (10, 6))  # (month, day): spring and autumn waves
YEAR = timedelta(days=365)
ACTIVE = timedelta(days=548)
TRANSACTIONAL_SHARE = 0.12  # purchases followed by an after-purchase survey
TRANSACTIONAL_SINCE = timedelta(days=540)
NPS_CRITERIA = ("welcome", "advice", "product_quality", "price", "delivery", "after_sales")


@dataclass
class History:
    """What the database knows about each customer, read in a few queries."""

    customers: list[dict[str, Any]]
    purchases: dict[int, list[datetime]] = field(default_factory=lambda: defaultdict(list))
    late: dict[int, list[datetime]] = field(default_factory=lambda: defaultdict(list))
    unresolved: dict[int, list[datetime]] = field(default_factory=lambda: defaultdict(list))
    praised: dict[int, list[datetime]] = field(default_factory=lambda: defaultdict(list))
    late_orders: set[str] = field(default_factory=set)
    sales: list[tuple[int, datetime, str]] = field(default_factory=list)  # in the order they happened


def _history(organization: Organization) -> History:
    rows = (
        Customer.objects.for_org(organization)
        .order_by("external_id")
        .values("id", "email", "email_consent", "created_at", "language")
    )
    customers = [dict(row) for row in rows]
    history = History(customers)
    history.sales = list(
        Transaction.objects.for_org(organization)
        .purchases()
        .order_by("occurred_at", "id")
        .values_list("customer_id", "occurred_at", "external_id")
    )
    for customer_id, at, _order in history.sales:
        history.purchases[customer_id].append(at)
    problems = Interaction.objects.for_org(organization).filter(
        delivery_delay_days__gte=3
    ) | Interaction.objects.for_org(organization).filter(resolved_first_contact=False)
    for customer_id, at, delay, subject in problems.order_by("occurred_at", "id").values_list(
        "customer_id", "occurred_at", "delivery_delay_days", "subject"
    ):
        if delay is not None and delay >= 3:
            history.late[customer_id].append(at)
            history.late_orders.add(subject.rsplit(" ", 1)[-1])
        else:
            history.unresolved[customer_id].append(at)
    for customer_id, at in (
        LoyaltyAct.objects.for_org(organization)
        .loyal()
        .filter(kind="review")
        .order_by("occurred_at", "id")
        .values_list("customer_id", "occurred_at")
    ):
        history.praised[customer_id].append(at)
    return history


def _between(moments: list[datetime], start: datetime, end: datetime) -> int:
    return bisect_left(moments, end) - bisect_left(moments, start)


class _Program:
    def __init__(self, organization: Organization, seed: int, today: date) -> None:
        self.rng = random.Random(seed * 7919 + 17)  # noqa: S311 - simulated data, not secrets
        self.zone = ZoneInfo(organization.time_zone)
        self.today = datetime.combine(today, time(0), self.zone)
        self.texts: dict[str, dict[str, list[str]]] = json.loads(VERBATIMS_FILE.read_text(encoding="utf-8"))
        self.history = _history(organization)
        self.planned = Planned()
        # customer id → when they were asked for an after-purchase answer, in order
        self.asked: dict[int, list[datetime]] = defaultdict(list)

    def waves(self) -> list[datetime]:
        start = self.today - timedelta(days=3 * 365 - 120)
        moments = [
            datetime(year, month, day, 10, 0, tzinfo=self.zone)
            for year in range(start.year, self.today.year + 1)
            for month, day in WAVE_DAYS
        ]
        return [moment for moment in moments if start <= moment <= self.today - timedelta(days=21)]

    def level_score(self, customer_id: int, at: datetime) -> int:
        """The 0–10 answer of a customer asked at `at`, from their year before it and what follows."""
        h, rng = self.history, self.rng
        year_before = at - YEAR
        bought = h.purchases[customer_id]
        mood = rng.gauss(0.4, 1.6)
        mood -= 2.6 * min(2, _between(h.late[customer_id], year_before, at))
        mood -= 3.2 * min(2, _between(h.unresolved[customer_id], year_before, at))
        mood += 1.2 * min(2, _between(h.praised[customer_id], year_before, at + YEAR))
        mood += 0.25 * min(6, _between(bought, year_before, at))
        if at + timedelta(days=180) < self.today and not _between(bought, at, at + YEAR):
            mood -= 1.4  # they stop buying after this wave: their answer already said so
        return max(0, min(10, round(8 + mood)))

    def nps_cause(self, customer_id: int, at: datetime, score: int) -> str:
        h, year_before = self.history, at - YEAR
        if score <= 6 and _between(h.late[customer_id], year_before, at):
            return "delivery"
        if score <= 6 and _between(h.unresolved[customer_id], year_before, at):
            return "after_sales"
        return self.rng.choice(sorted(self.texts[str(level_of(score))]))

    def relationship(self, survey: Survey) -> None:
        for wave_at in self.waves():
            wave = self.planned.wave(survey, wave_at)
            for customer in self.history.customers:
                bought = self.history.purchases[customer["id"]]
                # The audience: customers who bought in the 18 months before the wave
                if customer["created_at"] > wave_at or not _between(bought, wave_at - ACTIVE, wave_at):
                    continue
                reason = self._skip_reason(customer, wave_at)
                if reason:
                    self.planned.skip(survey, wave, customer["id"], wave_at, reason=reason)
                    continue
                self._ask(survey, wave, customer, wave_at)

    def _skip_reason(self, customer: dict[str, Any], at: datetime) -> str:
        if not customer["email"]:
            return "no_address"
        if not customer["email_consent"]:
            return "consent"
        if _between(self.asked[customer["id"]], at - timedelta(days=14), at + timedelta(seconds=1)):
            return "pressure"
        return ""

    def _ask(self, survey: Survey, wave: Any, customer: dict[str, Any], at: datetime) -> None:
        rng = self.rng
        score = self.level_score(customer["id"], at)
        answers_share = 0.22 + 0.02 * abs(score - 6)  # the very happy and the very unhappy answer more
        roll = rng.random()
        if roll < 0.015:
            self.planned.invite(survey, wave, customer, at, status="bounced")
            return
        if roll > 0.015 + answers_share:
            status = "opened" if rng.random() < 0.3 else "expired"
            self.planned.invite(survey, wave, customer, at, status=status)
            return
        level = str(level_of(score))
        answered = at + timedelta(hours=rng.randint(1, 96))
        response = self.planned.respond(survey, wave, customer, at, answered=answered, level=level)
        self.planned.answer(response, "recommend", answered, number=score)
        cause = self.nps_cause(customer["id"], at, score)
        if rng.random() < 0.6:
            follow_up = {"detractor": "went_wrong", "passive": "to_get_a_ten", "promoter": "liked_most"}[
                level
            ]
            texts = self.texts[level].get(cause) or self.texts[level]["price"]
            self.planned.answer(response, follow_up, answered, text=rng.choice(texts))
        if cause in NPS_CRITERIA and rng.random() < 0.8:
            self.planned.answer(response, "main_criterion", answered, choices=[cause])

    def after_purchase(self, survey: Survey) -> None:
        rng, h = self.rng, self.history
        since = self.today - TRANSACTIONAL_SINCE
        consent = {c["id"]: c for c in h.customers}
        for customer_id, bought_at, order in h.sales:
            if bought_at < since or rng.random() >= TRANSACTIONAL_SHARE:
                continue
            customer = consent[customer_id]
            at = bought_at + timedelta(days=2)
            if at >= self.today:
                continue
            trigger = f"transaction:{order}"
            reason = self._skip_reason(customer, at)
            asked = self.asked[customer_id]
            if not reason and asked and at - asked[-1] < timedelta(days=survey.cooldown_days):
                reason = "cooldown"
            if reason:
                self.planned.skip(survey, None, customer_id, at, reason=reason, trigger=trigger)
                continue
            asked.append(at)
            self._rate_purchase(survey, customer, at, trigger, late=order in h.late_orders)

    def _rate_purchase(
        self, survey: Survey, customer: dict[str, Any], at: datetime, trigger: str, *, late: bool
    ) -> None:
        rng = self.rng
        if rng.random() >= 0.3:
            self.planned.invite(survey, None, customer, at, status="expired", trigger=trigger)
            return
        answered = at + timedelta(hours=rng.randint(1, 72))
        response = self.planned.respond(
            survey, None, customer, at, answered=answered, level="", trigger=trigger
        )
        satisfaction = rng.choices((1, 2, 3, 4, 5), (20, 30, 30, 15, 5) if late else (2, 4, 12, 42, 40))[0]
        effort = max(1, min(7, satisfaction + 2 + rng.choice((-1, 0, 0, 1))))
        self.planned.answer(response, "satisfaction", answered, number=satisfaction)
        self.planned.answer(response, "effort", answered, number=effort)
        if satisfaction <= 3 and rng.random() < 0.6:
            cause = "delivery" if late else rng.choice(("product_quality", "price", "availability"))
            self.planned.answer(
                response, "disappointed", answered, text=rng.choice(self.texts["disappointed"][cause])
            )
        if rng.random() < 0.7:
            quality = max(1, min(5, satisfaction + rng.choice((-1, 0, 0, 0, 1))))
            self.planned.answer(response, "product_quality", answered, number=quality)


def _survey(organization: Organization, template: str) -> Survey:
    document = json.loads((TEMPLATES / template).read_text(encoding="utf-8"))
    survey, _created = import_survey(organization, document)
    survey.status = SurveyStatus.ACTIVE
    survey.save(update_fields=["status"])
    return survey


def run_listening_program(organization: Organization, *, seed: int, today: date) -> dict[str, int]:
    """Import the two surveys, invite, answer; returns how many invitations, responses and answers."""
    program = _Program(organization, seed, today)
    after_purchase = _survey(organization, "after-purchase-csat.json")
    relationship = _survey(organization, "relationship-nps.json")
    # After-purchase invitations first: a wave skips those asked just before (contact pressure).
    program.after_purchase(after_purchase)
    program.relationship(relationship)
    return write_program(program.planned)
