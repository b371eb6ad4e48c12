"""Read side of customers: list filters, overview figures, and the flags derived from the logs."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import CharField, F, Func, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ecoute.accounts.models import Organization
from ecoute.accounts.tenancy import OrgQuerySet
from ecoute.customers import search_index
from ecoute.customers.models import (
    PURCHASE_SQL,
    RATING_SCALE,
    Channel,
    Consent,
    Customer,
    Purpose,
    Sentiment,
    Transaction,
    customer_search_name,
)
from ecoute.lib.quantities import days_late, money

# Beyond this many customers one statement over the organization beats many over lists of ids.
WHOLE_ORGANIZATION_FROM = 20_000


def _update_customers(
    set_clause: str, params: list[Any], organization_id: int, ids: Collection[int] | None
) -> None:
    """UPDATE the organization's customers, or only `ids` when they are few (an API call's handful)."""
    table = Customer._meta.db_table
    with connection.cursor() as cursor:
        if ids is None or len(ids) > WHOLE_ORGANIZATION_FROM:
            sql = f"UPDATE {table} SET {set_clause} WHERE organization_id = %s"  # noqa: S608 - our own names
            cursor.execute(sql, [*params, organization_id])
            return
        wanted = sorted(ids)
        for start in range(0, len(wanted), 1000):
            chunk = wanted[start : start + 1000]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"UPDATE {table} SET {set_clause} WHERE organization_id = %s AND id IN ({marks})",  # noqa: S608
                [*params, organization_id, *chunk],
            )


def refresh_purchase_stats(organization_id: int, customer_ids: Collection[int] | None = None) -> None:
    """Recompute last purchase and purchase count from the purchases, refunds left out (of `customer_ids`,
    or everyone)."""
    customer = Customer._meta.db_table
    tx = Transaction._meta.db_table
    purchase = f"t.customer_id = {customer}.id AND t.{PURCHASE_SQL}"
    _update_customers(
        f"""last_purchase_at = (SELECT MAX(t.occurred_at) FROM {tx} t WHERE {purchase}),
            purchases_count = (SELECT COUNT(*) FROM {tx} t WHERE {purchase})""",  # noqa: S608
        [],
        organization_id,
        customer_ids,
    )


def fill_search_names(customers: QuerySet[Any], model: type[Any] = Customer) -> None:
    """Compute the search name of `customers` in batches (`model` may be a migration's historical one)."""
    batch: list[Any] = []
    for customer in customers.only("last_name", "first_name", "company").iterator(chunk_size=5000):
        customer.search_name = customer_search_name(customer.last_name, customer.first_name, customer.company)
        batch.append(customer)
        if len(batch) == 5000:
            model.objects.bulk_update(batch, ["search_name"])
            batch = []
    model.objects.bulk_update(batch, ["search_name"])


def refresh_search_names(organization_id: int) -> None:
    """Fill the search name of customers written without one (an import that had not every name column)."""
    fill_search_names(
        Customer.objects.filter(organization_id=organization_id, search_name="").exclude(
            last_name="", first_name="", company=""
        )
    )


def refresh_consent_flags(organization_id: int, customer_ids: Collection[int] | None = None) -> None:
    """Mirror the current e-mail consent to surveys on the customer rows (for filtering)."""
    customer = Customer._meta.db_table
    consent = Consent._meta.db_table
    _update_customers(
        f"""email_consent = COALESCE((
            SELECT c.granted FROM {consent} c
            WHERE c.customer_id = {customer}.id AND c.channel = %s AND c.purpose = %s
            ORDER BY c.recorded_at DESC, c.id DESC LIMIT 1), FALSE)""",  # noqa: S608
        [Channel.EMAIL, Purpose.SURVEYS],
        organization_id,
        customer_ids,
    )


def stored_customer_fields(
    organization: Organization, external_ids: Collection[str], fields: Collection[str]
) -> dict[str, dict[str, Any]]:
    """CRM id → the stored values of `fields`, for the customers of `external_ids` that exist."""
    found = Customer.objects.for_org(organization).filter(external_id__in=list(external_ids))
    return {row.pop("external_id"): row for row in found.values("external_id", *fields)}


def regions_of(organization: Organization) -> list[str]:
    return list(
        Customer.objects.for_org(organization)
        .exclude(region="")
        .order_by("region")
        .values_list("region", flat=True)
        .distinct()[:200]
    )


# Up to this many matches, their ids are read first and the page sorts only them; past it, the list walks
# its sort index and keeps the matches, which are then dense enough to fill a page at once.
SEARCH_IDS_LIMIT = 5000
# On PostgreSQL the ids go as one array, so that many more are read first: the planner takes matches to be
# spread evenly along the names and, left to choose, walks the sort index for any search of more than a
# few hundred, while a surname's start is one run of names ("lefeb": 548,000 names crossed before the
# first of 6,326 Lefebvre; "dup": 2.5 s). Past this many, matches are 3 % of a million customers or more,
# and reading every one's row to sort them costs more than walking the index to the page's last.
POSTGRESQL_IDS_LIMIT = 30_000


class _Unindexed(Func):
    """A text column's value, sorted as the column is, which no index gives in its order."""

    template = "(%(expressions)s || '')"
    output_field = CharField()


class _CountedSearch(OrgQuerySet[Customer]):
    """Customers found by a search that has counted them already: `count()` answers that number instead
    of asking the database again (on PostgreSQL, checking each match's customer row: 40 % of a search's
    time). A filter, an order or a slice makes a copy, which counts in the database."""

    known_count: int | None = None

    def count(self) -> int:
        return super().count() if self.known_count is None else self.known_count


@dataclass(frozen=True)
class _Search:
    customers: QuerySet[Customer]
    # How many customers the search found, when it counted them.
    matches: int | None = None
    # The page is sorted from the matches, never read by walking the list's sort index.
    sorted_from_matches: bool = False


def _search(organization: Organization, query: str) -> _Search:
    customers = Customer.objects.for_org(organization)
    words = search_index.query_words(query)
    if not words:
        return _Search(customers.none(), matches=0)
    vendor = connection.vendor
    postgresql = vendor == "postgresql"
    limit = POSTGRESQL_IDS_LIMIT if postgresql else SEARCH_IDS_LIMIT
    ids_sql, params = search_index.matching_ids_sql(vendor, organization.pk, words)
    with connection.cursor() as cursor:
        cursor.execute(f"{ids_sql} LIMIT %s", [*params, limit + 1])
        ids = sorted(row[0] for row in cursor.fetchall())
        if len(ids) <= limit:
            if postgresql:
                among = customers.filter(search_index.AmongIds(ids))
                return _Search(among, matches=len(ids), sorted_from_matches=True)
            return _Search(customers.filter(id__in=ids), matches=len(ids))
        many = customers.filter(search_index.ManyMatches(vendor, organization.pk, words))
        if not postgresql:
            return _Search(many)
        # Counted in the index's table alone, which knows each customer's organization.
        cursor.execute(f"SELECT count(*) FROM ({ids_sql}) AS found", params)  # noqa: S608 - the index's SQL
        (matches,) = cursor.fetchone()
    return _Search(many, matches=matches)


def _counted(customers: QuerySet[Customer], matches: int) -> QuerySet[Customer]:
    counted = _CountedSearch(model=Customer, query=customers.query.chain(), using=customers.db)
    counted.known_count = matches
    return counted


def search_customers(organization: Organization, query: str) -> QuerySet[Customer]:
    """The customers of `organization` that every word of `query` finds: by the start of a word of their
    names, company, city, postcode, e-mail or CRM id, without case or accents, in any order; by their
    phone's digits however they are spaced; a word with digits also anywhere in a CRM id or a phone.
    The search index answers (see search_index); a query without any letter or digit finds nobody."""
    return _search(organization, query).customers


def filter_customers(organization: Organization, filters: dict[str, Any]) -> QuerySet[Customer]:
    """The organization's customers after the list's search, filters and sort; every branch uses an index."""
    now = timezone.now()
    customers: QuerySet[Customer] = Customer.objects.for_org(organization)
    by_name: list[Any] = ["search_name", "id"]
    found = _Search(customers)
    if query := (filters.get("q") or "").strip():
        found = _search(organization, query)
        customers = found.customers
        if found.sorted_from_matches:
            by_name = [_Unindexed("search_name"), "id"]
    narrowed = any(filters.get(name) for name in ("tag", "consent", "region", "last_purchase"))
    if tag := filters.get("tag"):
        customers = customers.filter(tags=tag)
    if consent := filters.get("consent"):
        customers = customers.filter(email_consent=consent == "yes")
    if region := filters.get("region"):
        customers = customers.filter(region=region)
    match filters.get("last_purchase"):
        case "3m":
            customers = customers.filter(last_purchase_at__gte=now - timedelta(days=91))
        case "12m":
            customers = customers.filter(last_purchase_at__gte=now - timedelta(days=365))
        case "lapsed":
            customers = customers.filter(last_purchase_at__lt=now - timedelta(days=365))
        case "never":
            customers = customers.filter(last_purchase_at__isnull=True)
    orders: dict[str, list[Any]] = {
        "-last_purchase": [F("last_purchase_at").desc(nulls_last=True), "-id"],
        "last_purchase": [F("last_purchase_at").asc(nulls_last=True), "id"],
        "-created": ["-created_at", "-id"],
    }
    order = orders.get(filters.get("sort") or "", by_name)
    customers = customers.order_by(*order)
    if found.matches is None or narrowed:
        return customers
    return _counted(customers, found.matches)


def current_consents(customer: Customer) -> list[Consent]:
    """The latest record for each channel and purpose: what the customer agrees to now."""
    latest: dict[tuple[str, str], Consent] = {}
    for consent in customer.consents.order_by("-recorded_at", "-id"):
        latest.setdefault((consent.channel, consent.purpose), consent)
    return sorted(latest.values(), key=lambda c: (c.channel, c.purpose))


SENTIMENT_BADGES = {
    Sentiment.POSITIVE: "badge-ok",
    Sentiment.NEUTRAL: "badge-muted",
    Sentiment.NEGATIVE: "badge-danger",
}


@dataclass(frozen=True)
class TimelineEntry:
    when: datetime
    kind: str
    label: str
    detail: str
    badge: str


def customer_timeline(customer: Customer, limit: int = 200) -> list[TimelineEntry]:
    """Transactions, interactions and loyalty acts of one customer, newest first."""
    entries = [
        TimelineEntry(
            t.occurred_at,
            "transaction",
            str(_("Refund")) if t.amount < 0 else str(_("Purchase")),
            " · ".join(dict.fromkeys(filter(None, [money(t.amount, t.currency), t.store, t.channel]))),
            "badge-info",
        )
        for t in customer.transactions.all()[:limit]
    ]
    for i in customer.interactions.all()[:limit]:
        facts = [i.touchpoint, i.subject]
        if i.resolved_first_contact is not None:
            facts.append(
                str(_("resolved at first contact"))
                if i.resolved_first_contact
                else str(_("not resolved at first contact"))
            )
        if i.delivery_delay_days:
            facts.append(days_late(i.delivery_delay_days))
        badge = (
            "badge-warn"
            if i.resolved_first_contact is False or (i.delivery_delay_days or 0) > 0
            else "badge-muted"
        )
        entries.append(
            TimelineEntry(
                i.occurred_at, "interaction", i.get_kind_display(), " · ".join(filter(None, facts)), badge
            )
        )
    for act in customer.loyalty_acts.all()[:limit]:
        rating = f"{act.rating}/{RATING_SCALE}" if act.rating is not None else ""
        detail = " · ".join(filter(None, [act.source, rating, act.text[:200]]))
        label = _("%(kind)s, %(sentiment)s") % {
            "kind": act.get_kind_display(),
            "sentiment": act.sentiment.label,
        }
        entries.append(
            TimelineEntry(act.occurred_at, "loyalty", label, detail, SENTIMENT_BADGES[act.sentiment])
        )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]
