"""Simulated customers of a French retailer, one at a time, from a buy-till-you-die process.

Each customer is acquired at some point of the history (more of them lately: the business grows),
buys at a personal rate λ ~ Gamma(r, α) while alive (exponential gaps, α in days), and after each
repeat purchase leaves for good with a personal probability p ~ Beta(a, b) (BG/NBD). What each
purchase costs follows Gamma-Gamma: a spend ~ Gamma(p_spend, ν) around a personal ν ~ Gamma(q, γ).

What happens around a purchase feeds back into the story, cheaply: a late delivery or a complaint
not solved at first contact adds its own chance of leaving, a bad experience gets bad reviews, and
a happy reviewer halves their dropout probability, so reviewers end up buying more.

Times are whole minutes since local midnight of the first day of the history, in the company's
time zone; the exporter turns them into text. The same seed and the same `today` give the same
customers, and the first N customers of a larger run are the customers of a run of N.
"""

import random
import unicodedata
from collections.abc import Iterator

from ecoute.customers.demo import names
from ecoute.customers.demo.people import (
    DEFAULT_PROCESS,
    MINUTES_PER_DAY,
    Act,
    BuyingProcess,
    Consent,
    Contact,
    Customer,
    Purchase,
)


class _Story:
    """Draws one customer after another from one random stream."""

    def __init__(self, seed: int, process: BuyingProcess) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - simulated data, not secrets
        self.process = process
        self.end = process.history_days * MINUTES_PER_DAY  # today, midnight: nothing happens after
        self.cities = [city[:3] for city in names.CITIES]
        self.city_weights = list(_cumulative(city[3] for city in names.CITIES))
        self.orders = 0
        self.contacts = 0
        self.acts = 0

    def customer(self, number: int) -> Customer:
        rng, process = self.rng, self.process
        female = rng.random() < 0.56
        first = rng.choice(names.FEMALE_FIRST_NAMES if female else names.MALE_FIRST_NAMES)
        last = rng.choice(names.LAST_NAMES)
        city, postcode, region = rng.choices(self.cities, cum_weights=self.city_weights)[0]
        b2b = rng.random() < 0.06
        company = f"{rng.choice(names.COMPANY_FORMS)} {rng.choice(names.COMPANY_WORDS)} {last}" if b2b else ""
        # Growth: more customers were acquired lately than at the start of the history.
        created_day = min(process.history_days - 1, int(process.history_days * rng.random() ** 0.7))
        customer = Customer(
            ref=f"C{number:06d}",
            civility="Mme" if female else "M.",
            first_name=first,
            last_name=last,
            company=company,
            email=self._email(first, last, number),
            phone=self._phone(),
            address=f"{rng.randint(1, 120)} {rng.choice(names.STREET_TYPES)} "
            f"{rng.choice(names.STREET_NAMES)}",
            postcode=postcode,
            city=city,
            region=region,
            created_day=created_day,
        )
        self._consents(customer)
        if rng.random() >= process.never_bought:
            self._purchases(customer, b2b)
        self._tags(customer, b2b)
        return customer

    def _email(self, first: str, last: str, number: int) -> str:
        if self.rng.random() < 0.04:
            return ""
        first, last = _ascii(first), _ascii(last)
        local = self.rng.choice(
            (f"{first}.{last}", f"{first[0]}.{last}", f"{first}{last}", f"{first}.{last[0]}")
        )
        return f"{local}{number}@{self.rng.choice(names.EMAIL_DOMAINS)}"

    def _phone(self) -> str:
        if self.rng.random() < 0.25:
            return ""
        digits = f"{self.rng.randrange(10_000):04d}"
        if self.rng.random() < 0.5:
            return f"+33 6 39 98 {digits[:2]} {digits[2:]}"
        return f"06 39 98 {digits[:2]} {digits[2:]}"

    def _consents(self, customer: Customer) -> None:
        rng = self.rng
        at = customer.created_day * MINUTES_PER_DAY + rng.randrange(9 * 60, 20 * 60)
        asked = []
        if customer.email:
            asked += [
                ("email", "surveys", 0.85, 0.10),
                ("email", "marketing", 0.60, 0.20),
                ("email", "panel", 0.05, 0.15),
            ]
        if customer.phone:
            asked += [
                ("sms", "marketing", 0.25, 0.10),
                ("sms", "surveys", 0.20, 0.05),
                ("phone", "surveys", 0.10, 0.05),
            ]
        for channel, purpose, grant_share, withdraw_share in asked:
            granted = rng.random() < grant_share
            if granted or rng.random() < 0.5:  # a refusal is recorded only when the form asked
                source = rng.choice(names.CONSENT_SOURCES_GRANTED)
                customer.consents.append(Consent(channel, purpose, granted, at, source))
            change = rng.random() < (withdraw_share if granted else 0.08)
            later = at + rng.randrange(
                1, MINUTES_PER_DAY * (self.process.history_days - customer.created_day) + 1
            )
            if change and later < self.end:
                sources = names.CONSENT_SOURCES_WITHDRAWN if granted else names.CONSENT_SOURCES_GRANTED
                customer.consents.append(Consent(channel, purpose, not granted, later, rng.choice(sources)))

    def _purchases(self, customer: Customer, b2b: bool) -> None:
        rng, process = self.rng, self.process
        rate = min(rng.gammavariate(process.r, 1 / process.alpha), process.max_rate)
        dropout = rng.betavariate(process.a, process.b)
        nu = rng.gammavariate(process.spend_q, 1 / process.spend_gamma)
        basket = 5.0 if b2b else 1.0
        home_store = names.STORES_BY_REGION.get(customer.region)
        web_share = 0.3 if home_store else 0.95
        day = customer.created_day + rng.random()
        first = True
        while day < process.history_days:
            at = int(day) * MINUTES_PER_DAY
            web = home_store is None or rng.random() < web_share
            if web:
                at += rng.choice(_WEB_HOURS) * 60 + rng.randrange(60)
                channel, store = "Web", names.WEB_STORE
            else:
                at += rng.randrange(10 * 60, 19 * 60 + 30)
                channel, store = "Magasin", home_store or rng.choice(names.STORES[:-1])
            self.orders += 1
            cents = max(390, round(rng.gammavariate(process.spend_p, 1 / nu) * basket * 100))
            purchase = Purchase(f"CMD{self.orders:08d}", at, cents, channel, store)
            customer.purchases.append(purchase)
            leave, dropout = self._aftermath(customer, purchase, dropout)
            # BG/NBD: no dropout right after the first purchase, only after repeat ones.
            if rng.random() < leave or (not first and rng.random() < dropout):
                return
            first = False
            day += rng.expovariate(rate) if rate > 0 else process.history_days

    def _aftermath(self, customer: Customer, purchase: Purchase, dropout: float) -> tuple[float, float]:
        """Deliveries, complaints and loyalty acts after a purchase: (extra chance to leave, new dropout)."""
        rng = self.rng
        delay = None
        if purchase.channel == "Web":
            roll = rng.random()
            delay = 0 if roll < 0.78 else rng.randint(1, 2) if roll < 0.92 else rng.randint(3, 9)
            at = self._daytime(purchase.at, 2 + delay, 8, 19)
            carrier = rng.choice(names.DELIVERY_CARRIERS)
            self._contact(
                customer,
                "delivery",
                at,
                touchpoint=carrier,
                subject=f"Livraison {purchase.order}",
                delay=delay,
            )
        late = delay is not None and delay >= 3
        unresolved = False
        if rng.random() < (0.45 if late else 0.04):
            kind, touchpoint, median = rng.choice(_SUPPORT_KINDS)
            subject = names.LATE_DELIVERY_SUBJECT if late else rng.choice(names.SUPPORT_SUBJECTS)
            resolved = rng.random() < (0.62 if late else 0.72)
            unresolved = not resolved
            minutes = round(median * rng.lognormvariate(0, 0.5) * (1.0 if resolved else 1.8), 1)
            at = self._daytime(purchase.at, rng.randint(1, 10), 9, 19)
            self._contact(
                customer, kind, at, touchpoint=touchpoint, subject=subject, resolved=resolved, minutes=minutes
            )
        bad = late or unresolved
        self._loyalty(customer, purchase, bad)
        happy = any(act.kind == "review" and (act.rating or 0) >= 4 for act in customer.acts[-1:])
        leave = (0.2 if late else 0.0) + (0.35 if unresolved else 0.0)
        return leave, dropout / 2 if happy else dropout

    def _daytime(self, at: int, days_later: int, from_hour: int, to_hour: int) -> int:
        """A moment during the day, `days_later` days after the day of `at`."""
        day = at // MINUTES_PER_DAY + days_later
        return day * MINUTES_PER_DAY + self.rng.randrange(from_hour * 60, to_hour * 60)

    def _contact(
        self,
        customer: Customer,
        kind: str,
        at: int,
        *,
        touchpoint: str,
        subject: str,
        resolved: bool | None = None,
        delay: int | None = None,
        minutes: float | None = None,
    ) -> None:
        if at >= self.end:
            return
        self.contacts += 1
        customer.contacts.append(
            Contact(f"SAV{self.contacts:08d}", kind, at, touchpoint, subject, resolved, delay, minutes)
        )

    def _loyalty(self, customer: Customer, purchase: Purchase, bad: bool) -> None:
        rng = self.rng
        roll = rng.random()
        later = self._daytime(purchase.at, rng.randint(2, 20), 8, 23)
        if roll < (0.15 if bad else 0.05):
            rating = (
                rng.choices((1, 2, 3), (50, 35, 15))[0]
                if bad
                else rng.choices((5, 4, 3, 2), (55, 30, 12, 3))[0]
            )
            source = rng.choice(names.REVIEW_PLATFORMS)
            self._act(
                customer,
                "review",
                later,
                source=source,
                rating=rating,
                text=rng.choice(names.REVIEW_TEXTS[rating]),
            )
        elif bad:
            return
        elif roll < 0.06:
            self._act(customer, "referral", later, source="Programme de parrainage")
        elif roll < 0.065:
            self._act(
                customer,
                "endorsement",
                later,
                source="Bouche-à-oreille",
                text=rng.choice(names.ENDORSEMENT_TEXTS),
            )
        elif roll < 0.07 and len(customer.purchases) >= 5:
            self._act(
                customer,
                "community_help",
                later,
                source=rng.choice(names.COMMUNITY_PLACES),
                text=rng.choice(names.COMMUNITY_TEXTS),
            )
        elif roll < 0.08:
            self._act(
                customer,
                "social_mention",
                later,
                source=rng.choice(names.SOCIAL_PLATFORMS),
                text=rng.choice(names.SOCIAL_TEXTS),
            )

    def _act(
        self,
        customer: Customer,
        kind: str,
        at: int,
        *,
        source: str,
        rating: int | None = None,
        text: str = "",
    ) -> None:
        if at >= self.end:
            return
        self.acts += 1
        ref = f"FID{self.acts:07d}"
        url = (
            f"https://avis.example.com/maison-lumiere/{ref.lower()}"
            if kind in {"review", "social_mention"}
            else ""
        )
        customer.acts.append(Act(ref, kind, at, source, rating, text, url))

    def _tags(self, customer: Customer, b2b: bool) -> None:
        spent = sum(p.cents for p in customer.purchases)
        if spent >= 300_000:
            customer.tags.append("VIP")
        if b2b:
            customer.tags.append("B2B")
        marketing = [c for c in customer.consents if c.channel == "email" and c.purpose == "marketing"]
        if marketing and max(marketing, key=lambda c: c.at).granted:
            customer.tags.append("newsletter")
        if any(p.channel == "Magasin" for p in customer.purchases) and self.rng.random() < 0.5:
            customer.tags.append("Carte fidélité")
        if sum(a.kind in {"referral", "endorsement", "community_help"} for a in customer.acts) >= 2:
            customer.tags.append("Ambassadeur")


# Web orders come in all day, more in the evening; none at night between 1 and 7.
_WEB_HOURS = tuple(
    hour
    for hour, weight in (
        (7, 1),
        (8, 2),
        (9, 3),
        (10, 3),
        (11, 3),
        (12, 4),
        (13, 4),
        (14, 3),
        (15, 3),
        (16, 3),
        (17, 3),
        (18, 4),
        (19, 5),
        (20, 6),
        (21, 6),
        (22, 4),
        (23, 2),
        (0, 1),
    )
    for _ in range(weight)
)
# (kind, touchpoint, median handling minutes)
_SUPPORT_KINDS = (
    ("support_ticket", "Formulaire web", 18.0),
    ("call", "Service client téléphone", 7.0),
    ("call", "Service client téléphone", 7.0),
    ("email", "E-mail", 12.0),
    ("chat", "Chat en ligne", 9.0),
)


def _cumulative(weights: Iterator[int] | tuple[int, ...]) -> Iterator[int]:
    total = 0
    for weight in weights:
        total += weight
        yield total


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(char for char in plain.lower() if char.isalnum())


def simulate_customers(
    count: int, *, seed: int, process: BuyingProcess = DEFAULT_PROCESS
) -> Iterator[Customer]:
    """`count` customers, drawn one after the other; memory holds one customer at a time."""
    story = _Story(seed, process)
    for number in range(1, count + 1):
        yield story.customer(number)
