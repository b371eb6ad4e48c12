"""Audiences: the JSON a survey keeps of who it asks, checked with messages naming the bad key, and
compiled to one query on customers."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from ecoute.accounts.models import Organization
from ecoute.customers.models import Customer, Tag
from ecoute.listening.audiences import AudienceError, audience_customers, read_audience
from ecoute.listening.models import Survey
from tests.factories import (
    ConsentFactory,
    CustomerFactory,
    InteractionFactory,
    InvitationFactory,
    ResponseFactory,
    SurveyFactory,
    TransactionFactory,
)

NOW = datetime(2026, 6, 10, 10, 0, tzinfo=UTC)


def matched(survey: Survey) -> set[str]:
    return set(audience_customers(survey, NOW).values_list("external_id", flat=True))


@pytest.mark.parametrize(
    ("audience", "expected"),
    [
        ({"segmnet": {}}, "audience.segmnet: unknown key"),
        ({"segment": {"purchases": {"min": -1}}}, "audience.segment.purchases.min"),
        ({"segment": {"last_purchase": {"from": "31/12/2025"}}}, "audience.segment.last_purchase.from"),
        ({"segment": {"nps_level": ["fan"]}}, "audience.segment.nps_level: “fan”"),
        ({"segment": {"consent": {"purpose": "spam"}}}, "audience.segment.consent.purpose"),
        ({"segment": {"region": []}}, "audience.segment.region"),
        ({"segment": {"attributes": {"a__b": "x"}}}, "audience.segment.attributes.a__b"),
        ({"segment": {}, "trigger": {}}, "not both"),
        ({"trigger": {"event": "transaction"}}, "audience.trigger: only a transactional survey"),
    ],
)
def test_a_bad_audience_is_refused_with_a_message_naming_the_key(audience: object, expected: str) -> None:
    # when a relationship survey's audience is read
    with translation.override("en"), pytest.raises(AudienceError) as refused:
        read_audience(audience, "relationship")
    # then the message names the path of the bad key
    assert expected in str(refused.value)


def test_audience_messages_speak_french() -> None:
    with translation.override("fr"), pytest.raises(AudienceError) as refused:
        read_audience({"segment": {"purchases": {"min": "deux"}}})
    assert "audience.segment.purchases.min\xa0: un nombre entier" in str(refused.value)


@pytest.mark.django_db
def test_a_segment_selects_on_tags_crm_fields_region_and_purchases(org: Organization) -> None:
    # given customers that differ by one criterion each from the wanted one
    vip = Tag.objects.create(organization=org, name="vip")
    wanted = CustomerFactory.create(
        organization=org, external_id="OK", region="Bretagne", attributes={"fidelite": "or"}
    )
    wanted.tags.add(vip)
    variants: list[tuple[str, dict[str, Any]]] = [
        ("NO_TAG", {}),
        ("OTHER_REGION", {"region": "Alsace"}),
        ("SILVER", {"attributes": {"fidelite": "bronze"}}),
    ]
    for external_id, changes in variants:
        fields = {"region": "Bretagne", "attributes": {"fidelite": "or"}, **changes}
        customer = CustomerFactory.create(organization=org, external_id=external_id, **fields)
        if external_id != "NO_TAG":
            customer.tags.add(vip)
    for customer in org_customers(org):
        customer.purchases_count = 1 if customer.external_id == "NO_TAG" else 3
        customer.save()
    survey = SurveyFactory.create(
        organization=org,
        audience={
            "segment": {
                "tags": ["vip"],
                "region": "Bretagne",
                "attributes": {"fidelite": ["or", "argent"]},
                "purchases": {"min": 2},
            }
        },
    )
    # then only the customer meeting every condition is in the audience
    assert matched(survey) == {"OK"}


def org_customers(org: Organization) -> list[Customer]:
    return list(Customer.objects.filter(organization=org))


@pytest.mark.django_db
def test_a_segment_selects_on_the_store_and_date_of_the_last_purchase(org: Organization) -> None:
    # given one customer whose last purchase was in Rennes, one who went from Rennes to Brest
    rennes = CustomerFactory.create(
        organization=org, external_id="RENNES", last_purchase_at=NOW - timedelta(days=40)
    )
    TransactionFactory.create(customer=rennes, store="Rennes", occurred_at=NOW - timedelta(days=40))
    moved = CustomerFactory.create(
        organization=org, external_id="MOVED", last_purchase_at=NOW - timedelta(days=5)
    )
    TransactionFactory.create(customer=moved, store="Rennes", occurred_at=NOW - timedelta(days=90))
    TransactionFactory.create(customer=moved, store="Brest", occurred_at=NOW - timedelta(days=5))
    by_store = SurveyFactory.create(organization=org, audience={"segment": {"store": ["Rennes"]}})
    lapsed = SurveyFactory.create(
        organization=org, audience={"segment": {"last_purchase": {"min_days_ago": 30}}}
    )
    recent = SurveyFactory.create(
        organization=org, audience={"segment": {"last_purchase": {"from": "2026-06-01", "to": "2026-06-10"}}}
    )
    # then the store is the last one's, and the dates are the last purchase's
    assert matched(by_store) == {"RENNES"}
    assert matched(lapsed) == {"RENNES"}
    assert matched(recent) == {"MOVED"}


@pytest.mark.django_db
def test_a_segment_selects_on_the_latest_nps_level_and_a_current_consent(org: Organization) -> None:
    # given a former detractor now promoter, a detractor, and a customer who never answered
    changed = CustomerFactory.create(organization=org, external_id="CHANGED")
    ResponseFactory.create(
        organization=org, customer=changed, nps_level="detractor", started_at=NOW - timedelta(days=300)
    )
    ResponseFactory.create(
        organization=org, customer=changed, nps_level="promoter", started_at=NOW - timedelta(days=10)
    )
    detractor = CustomerFactory.create(organization=org, external_id="DETRACTOR")
    ResponseFactory.create(organization=org, customer=detractor, nps_level="detractor")
    CustomerFactory.create(organization=org, external_id="SILENT")
    # and panel consents: granted then withdrawn for one, granted for another
    ConsentFactory.create(
        customer=changed, purpose="panel", granted=True, recorded_at=NOW - timedelta(days=9)
    )
    ConsentFactory.create(
        customer=changed, purpose="panel", granted=False, recorded_at=NOW - timedelta(days=1)
    )
    ConsentFactory.create(customer=detractor, purpose="panel", granted=True)
    unhappy = SurveyFactory.create(
        organization=org, audience={"segment": {"nps_level": ["detractor", "none"]}}
    )
    panel = SurveyFactory.create(organization=org, audience={"segment": {"consent": {"purpose": "panel"}}})
    # then the latest level and the latest consent count
    assert matched(unhappy) == {"DETRACTOR", "SILENT"}
    assert matched(panel) == {"DETRACTOR"}


@pytest.mark.django_db
def test_a_trigger_follows_each_due_event_once(org: Organization) -> None:
    # given support tickets 1, 3 and 20 days old, and a delivery 3 days old
    customers = {name: CustomerFactory.create(organization=org, external_id=name) for name in "ABCD"}
    for name, days, kind in [
        ("A", 1, "support_ticket"),
        ("B", 3, "support_ticket"),
        ("C", 20, "support_ticket"),
        ("D", 3, "delivery"),
    ]:
        InteractionFactory.create(
            customer=customers[name],
            kind=kind,
            external_id=f"I-{name}",
            occurred_at=NOW - timedelta(days=days),
        )
    survey = SurveyFactory.create(
        organization=org,
        kind="transactional",
        audience={
            "trigger": {"event": "interaction", "kind": "support_ticket", "after_days": 2, "within_days": 7}
        },
    )
    # then only B's ticket is due, with its reference
    due = list(audience_customers(survey, NOW).values_list("external_id", "trigger_ref"))
    assert due == [("B", "interaction:I-B")]
    # and once it has an invitation, it is no longer due
    InvitationFactory.create(survey=survey, customer=customers["B"], trigger_ref="interaction:I-B")
    assert matched(survey) == set()


@pytest.mark.django_db
def test_an_audience_is_one_query_whatever_the_number_of_customers(org: Organization) -> None:
    # given forty customers with tags and responses
    for _ in range(40):
        ResponseFactory.create(
            organization=org, customer=CustomerFactory.create(organization=org), nps_level="passive"
        )
    survey = SurveyFactory.create(organization=org, audience={"segment": {"nps_level": ["passive"]}})
    # when the audience is read
    with CaptureQueriesContext(connection) as queries:
        list(audience_customers(survey, NOW))
    # then the database answered in one statement
    assert len(queries) == 1


@pytest.mark.django_db
def test_a_survey_with_a_bad_audience_does_not_validate(org: Organization) -> None:
    # given a transactional survey whose trigger names an unknown event
    survey = SurveyFactory.build(
        organization=org, kind="transactional", audience={"trigger": {"event": "visit"}}
    )
    # when it is checked before saving, then the audience field carries the message
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        survey.full_clean()
    assert (
        "audience.trigger.event: one of: transaction, interaction." in refused.value.message_dict["audience"]
    )
