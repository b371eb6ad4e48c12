"""What the demo's simulation produces: customers with their consents, purchases, contacts and acts.

Times are whole minutes since local midnight of the first day of the history, in the company's
time zone.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

MINUTES_PER_DAY = 1440


@dataclass(frozen=True)
class BuyingProcess:
    """The known parameters of the simulated process (rates per day, amounts in euros)."""

    r: float = 0.75
    alpha: float = 12.0
    a: float = 1.0
    b: float = 7.0
    spend_p: float = 6.0
    spend_q: float = 3.5
    spend_gamma: float = 30.0
    history_days: int = 3 * 365
    max_rate: float = 0.15  # a purchase every week at most, on average
    never_bought: float = 0.05  # accounts created without a purchase (prospects)


@dataclass(slots=True)
class Consent:
    channel: str  # email, sms, phone
    purpose: str  # surveys, marketing, panel
    granted: bool
    at: int
    source: str


@dataclass(slots=True)
class Purchase:
    order: str
    at: int
    cents: int
    channel: str
    store: str


@dataclass(slots=True)
class Contact:
    ref: str
    kind: str  # support_ticket, call, email, chat, delivery
    at: int
    touchpoint: str
    subject: str
    resolved_first_contact: bool | None
    delivery_delay_days: int | None
    handling_minutes: float | None


@dataclass(slots=True)
class Act:
    ref: str
    kind: str  # review, endorsement, referral, community_help, social_mention
    at: int
    source: str
    rating: int | None
    text: str
    url: str


@dataclass(slots=True)
class Customer:
    ref: str
    civility: str
    first_name: str
    last_name: str
    company: str
    email: str
    phone: str
    address: str
    postcode: str
    city: str
    region: str
    created_day: int
    tags: list[str] = field(default_factory=list)
    consents: list[Consent] = field(default_factory=list)
    purchases: list[Purchase] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    acts: list[Act] = field(default_factory=list)


# The process the demo runs unless told otherwise.
DEFAULT_PROCESS = BuyingProcess()


def history_start(today: date, process: BuyingProcess = DEFAULT_PROCESS) -> date:
    return today - timedelta(days=process.history_days)
