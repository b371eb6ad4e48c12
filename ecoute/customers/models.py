"""What the company already knows about its customers."""

from typing import Any, ClassVar

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ecoute.accounts.tenancy import OrgOwned, OrgQuerySet
from ecoute.customers.export_job import ExportJob, ExportStatus
from ecoute.customers.import_job import (
    FINISHED_STATUSES,
    RUNNING_STATUSES,
    ImportJob,
    ImportKind,
    ImportStatus,
    imported_by_field,
)
from ecoute.lib.countries import country_name
from ecoute.lib.text import fold

__all__ = [
    "FINISHED_STATUSES",
    "RUNNING_STATUSES",
    "ExportJob",
    "ExportStatus",
    "ImportJob",
    "ImportKind",
    "ImportStatus",
]


class Tag(OrgOwned):
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization", "name"], name="tag_unique_name")
        ]
        ordering: ClassVar = ["name"]

    def __str__(self) -> str:
        return self.name


def customer_display_name(first_name: str, last_name: str, company: str, email: str, external_id: str) -> str:
    """How a customer is named on pages and in exported lists: their name, else company, e-mail or CRM id."""
    name = f"{first_name} {last_name}".strip()
    return name or company or email or external_id


def customer_search_name(last_name: str, first_name: str, company: str) -> str:
    return fold(" ".join(filter(None, [last_name, first_name])) or company)[:210]


class Customer(OrgOwned):
    external_id = models.CharField(_("CRM id"), max_length=100)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    # The phone in E.164 (+33612345678) when it can be told, to match customers whatever its spelling.
    phone_e164 = models.CharField(max_length=16, blank=True, editable=False)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    company = models.CharField(_("company"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    address_line1 = models.CharField(_("address"), max_length=200, blank=True)
    address_line2 = models.CharField(_("address (continued)"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    attributes = models.JSONField(_("CRM fields"), default=dict, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="customers")
    created_at = models.DateTimeField(_("customer since"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # Kept up to date by the actions that write transactions and consents, so that the
    # customer list filters and sorts on indexed columns even at a million customers.
    last_purchase_at = models.DateTimeField(_("last purchase"), null=True, blank=True)
    purchases_count = models.PositiveIntegerField(_("purchases"), default=0)
    email_consent = models.BooleanField(_("e-mail consent"), default=False)
    # "last first" without case or accents: the list sorts on it. Search has its own index, kept by the
    # database (see search_index).
    search_name = models.CharField(max_length=210, blank=True, editable=False)
    imported_by = imported_by_field()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["organization", "external_id"], name="customer_unique_external_id"
            )
        ]
        indexes: ClassVar = [
            models.Index(fields=["organization", "email"], name="customer_email_idx"),
            models.Index(fields=["organization", "phone_e164"], name="customer_phone_idx"),
            models.Index(fields=["organization", "search_name", "id"], name="customer_search_name_idx"),
            models.Index(
                fields=["organization", "last_purchase_at", "id"], name="customer_last_purchase_idx"
            ),
            models.Index(fields=["organization", "region", "id"], name="customer_region_idx"),
            models.Index(fields=["organization", "created_at", "id"], name="customer_created_idx"),
        ]
        ordering: ClassVar = ["search_name", "id"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_name = customer_search_name(self.last_name, self.first_name, self.company)
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return customer_display_name(
            self.first_name, self.last_name, self.company, self.email, self.external_id
        )

    @property
    def address_lines(self) -> list[str]:
        """The postal address as it is written on an envelope, the country by its name in the reader's
        language."""
        town = " ".join(filter(None, [self.postcode, self.city]))
        lines = [self.address_line1, self.address_line2, town, self.region, country_name(self.country)]
        return [line for line in lines if line]


class Channel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    SMS = "sms", _("SMS")
    PHONE = "phone", _("phone")


class Purpose(models.TextChoices):
    SURVEYS = "surveys", _("surveys")
    MARKETING = "marketing", _("marketing")
    PANEL = "panel", _("panel")


class Consent(OrgOwned):
    """Append-only log: the current state for a channel and purpose is the latest row."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="consents")
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    granted = models.BooleanField(_("granted"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    source = models.CharField(_("source"), max_length=100, blank=True)
    imported_by = imported_by_field()

    class Meta:
        indexes: ClassVar = [
            models.Index(
                fields=["customer", "channel", "purpose", "-recorded_at", "-id"], name="consent_latest_idx"
            )
        ]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["customer", "channel", "purpose", "recorded_at", "granted"],
                name="consent_no_duplicate",
            )
        ]
        ordering: ClassVar = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        state = _("granted") if self.granted else _("withdrawn")
        return f"{self.channel}/{self.purpose}: {state}"


class TransactionQuerySet(OrgQuerySet["Transaction"]):
    def purchases(self) -> "TransactionQuerySet":
        """Sales, refunds left out: a negative amount gives money back, it is not a purchase (a zero
        amount is one, with nothing paid). Counts, last purchases and triggers read purchases only;
        revenue nets refunds."""
        return self.filter(PURCHASE)


TransactionManager = models.Manager.from_queryset(TransactionQuerySet)

# The condition on a transaction (or on `transactions__` with a prefix) that makes it a purchase.
PURCHASE = Q(amount__gte=0)
# The same condition in statements written in SQL (after the table's alias and a dot, if it has one).
PURCHASE_SQL = "amount >= 0"


class Transaction(OrgOwned):
    """A sale: its total, and how many item lines of the file it gathers (see TransactionLine). A
    negative total is a refund (see TransactionQuerySet.purchases)."""

    # Not indexed alone: (organization, occurred_at) and the unique key start with it.
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # Not indexed alone: (customer, occurred_at) starts with it.
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="transactions", db_index=False
    )
    # The file's own id, or a key derived from the sale's values when the file has none.
    external_id = models.CharField(_("transaction id"), max_length=120)
    occurred_at = models.DateTimeField(_("date"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    channel = models.CharField(_("channel"), max_length=50, blank=True)
    store = models.CharField(_("store"), max_length=100, blank=True)
    lines_count = models.PositiveIntegerField(_("lines"), db_default=1)
    imported_by = imported_by_field()

    objects: ClassVar[TransactionManager["Transaction"]] = TransactionManager()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["organization", "external_id"], name="transaction_unique_external_id"
            )
        ]
        indexes: ClassVar = [
            models.Index(fields=["customer", "occurred_at"], name="transaction_customer_idx"),
            models.Index(fields=["organization", "occurred_at"], name="transaction_org_date_idx"),
        ]
        ordering: ClassVar = ["-occurred_at"]

    def __str__(self) -> str:
        return f"{self.external_id} {self.amount} {self.currency}"


class TransactionLine(models.Model):
    """One item line of a sale, as the till or invoice export gave it."""

    transaction = models.ForeignKey(Transaction, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(_("line"))
    product = models.CharField(_("product"), max_length=200, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3, null=True, blank=True)
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["transaction", "position"], name="transaction_line_position")
        ]
        ordering: ClassVar = ["transaction", "position"]
        verbose_name = _("sale line")
        verbose_name_plural = _("sale lines")

    def __str__(self) -> str:
        return f"{self.product} × {self.quantity}"


class InteractionKind(models.TextChoices):
    SUPPORT_TICKET = "support_ticket", _("support ticket")
    CALL = "call", _("call")
    VISIT = "visit", _("visit")
    DELIVERY = "delivery", _("delivery")
    EMAIL = "email", _("e-mail")
    CHAT = "chat", _("chat")


class Interaction(OrgOwned):
    """A contact at a touchpoint, with the company's own measures of how it went."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="interactions")
    external_id = models.CharField(_("interaction id"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=InteractionKind.choices)
    touchpoint = models.CharField(_("touchpoint"), max_length=100, blank=True)
    occurred_at = models.DateTimeField(_("date"))
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    resolved_first_contact = models.BooleanField(_("resolved at first contact"), null=True, blank=True)
    delivery_delay_days = models.IntegerField(_("delivery delay (days)"), null=True, blank=True)
    handling_time_minutes = models.DecimalField(
        _("handling time (minutes)"), max_digits=8, decimal_places=1, null=True, blank=True
    )
    imported_by = imported_by_field()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["organization", "external_id"], name="interaction_unique_external_id"
            )
        ]
        indexes: ClassVar = [
            models.Index(fields=["customer", "occurred_at"], name="interaction_customer_idx")
        ]
        ordering: ClassVar = ["-occurred_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d}"


class LoyaltyActKind(models.TextChoices):
    REVIEW = "review", _("review")
    ENDORSEMENT = "endorsement", _("endorsement")
    REFERRAL = "referral", _("referral")
    COMMUNITY_HELP = "community_help", _("community help")
    SOCIAL_MENTION = "social_mention", _("social mention")


class Sentiment(models.TextChoices):
    POSITIVE = "positive", _("positive")
    NEUTRAL = "neutral", _("neutral")
    NEGATIVE = "negative", _("negative")


# Ratings are out of RATING_SCALE stars. A rated act reads from its rating (4–5 positive, 3 neutral,
# 0–2 negative: a bad review is a complaint, not loyalty); an unrated referral, endorsement or help to
# the community is positive by nature; an unrated review or mention says nothing either way.
RATING_SCALE = 5
POSITIVE_FROM, NEGATIVE_UP_TO = 4, 2
POSITIVE_BY_NATURE = ("referral", "endorsement", "community_help")
# The same rule as LoyaltyAct.sentiment, for counting in SQL.
LOYAL = Q(rating__gte=POSITIVE_FROM) | Q(rating=None, kind__in=POSITIVE_BY_NATURE)


class LoyaltyActQuerySet(OrgQuerySet["LoyaltyAct"]):
    def loyal(self) -> "LoyaltyActQuerySet":
        """The acts that are loyalty: the positive ones."""
        return self.filter(LOYAL)


LoyaltyActManager = models.Manager.from_queryset(LoyaltyActQuerySet)


class LoyaltyAct(OrgOwned):
    """What a customer did for the company of their own will (a review, a referral, a mention…), with
    its sentiment: only positive acts count as loyalty."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="loyalty_acts")
    external_id = models.CharField(_("act id"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=LoyaltyActKind.choices)
    source = models.CharField(_("source"), max_length=100, blank=True)
    occurred_at = models.DateTimeField(_("date"))
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    text = models.TextField(_("text"), blank=True)
    url = models.URLField(_("link"), blank=True, max_length=500)
    thanked_at = models.DateTimeField(_("thanked at"), null=True, blank=True)
    imported_by = imported_by_field()

    objects: ClassVar[LoyaltyActManager["LoyaltyAct"]] = LoyaltyActManager()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["organization", "external_id"], name="loyalty_act_unique_external_id"
            )
        ]
        indexes: ClassVar = [
            models.Index(fields=["customer", "occurred_at"], name="loyalty_act_customer_idx")
        ]
        ordering: ClassVar = ["-occurred_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d}"

    @property
    def sentiment(self) -> Sentiment:
        if self.rating is not None:
            if self.rating >= POSITIVE_FROM:
                return Sentiment.POSITIVE
            return Sentiment.NEGATIVE if self.rating <= NEGATIVE_UP_TO else Sentiment.NEUTRAL
        return Sentiment.POSITIVE if self.kind in POSITIVE_BY_NATURE else Sentiment.NEUTRAL

    @property
    def is_thanked(self) -> bool:
        return self.thanked_at is not None
