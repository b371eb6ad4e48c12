"""Every page and endpoint that takes an id answers 404 for another organization's id."""

import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ecoute.accounts.invitation_actions import invite
from ecoute.accounts.models import ApiKey, Membership, Organization, Role
from ecoute.customers.models import ExportJob, ImportJob
from ecoute.customers.queries import refresh_purchase_stats
from ecoute.retention.models import Campaign, CampaignMember, CustomerScore, CustomerStatus
from tests.conftest import member_client
from tests.factories import (
    CriterionFactory,
    CustomerFactory,
    MembershipFactory,
    PublicLinkFactory,
    QuestionFactory,
    SurveyFactory,
    TransactionFactory,
)
from tests.url_patterns import named_patterns

# A valid body for each API operation that only writes, so that only the id can be refused.
API_WRITES = {"api:create_invitations": {"customers": [{"crm_id": "C1"}]}}

# Patterns with an id that are not an organization's data, and why.
NOT_ORG_DATA = {
    "accounts:password_reset_confirm",  # a signed token, not an id
    "accounts:login_link",  # a one-time token, not an id
    "accounts:invitation_accept",  # a one-time token, not an id
    "listening:answer",  # a survey invitation's token, not an id
    "listening:answer_score",  # the same token, with a score
    "listening:public_answer",  # a public link's token, not an id
    "messaging:unsubscribe",  # an unsubscribe link's token, not an id
    "api:openapi-json",
    "api:openapi-view",
}


def _id_patterns() -> list[tuple[str, str, list[str]]]:
    found = []
    for name, route, params in named_patterns():
        if params and name not in NOT_ORG_DATA and not name.startswith("admin:"):
            found.append((name, route, params))
    return found


def _other_org_objects(other: Organization) -> dict[str, Any]:
    """One object of each kind in the other organization, by the URL parameter that names it."""
    customer = CustomerFactory.create(organization=other)
    member = MembershipFactory.create(organization=other, role=Role.ADMIN)
    key, _secret = ApiKey.issue(other, "theirs")
    criterion = CriterionFactory.create(organization=other)
    survey = SurveyFactory.create(organization=other, slug="leur-enquete", status="active")
    link = PublicLinkFactory.create(survey=survey)
    question = QuestionFactory.create(survey=SurveyFactory.create(organization=other))
    invitation, _token = invite(other, "someone@autre.fr", Role.VIEWER, by=member)
    job = ImportJob.objects.create(
        organization=other,
        kind="customers",
        original_name="theirs.csv",
        stored_path="/nonexistent",
        rejects_path="/etc/hostname",
        status="checked",
    )
    export = ExportJob.objects.create(
        organization=other,
        requested_by=member.user,
        list_name="customers",
        title="Clients",
        file_format="csv",
        language="fr",
        time_zone="Europe/Paris",
        fingerprint="theirs",
        file_name="clients",
        status="ready",
        stored_name="theirs.csv",
    )
    campaign = Campaign.objects.create(organization=other, name="Leur campagne", calls_enabled=True)
    campaign_member = CampaignMember.objects.create(
        organization=other, campaign=campaign, customer=customer, group="treatment", status_at_launch="lost"
    )
    return {
        "campaign_id": campaign.pk,
        "member_id": campaign_member.pk,
        "customer_id": customer.pk,
        "membership_id": member.pk,
        "key_id": key.pk,
        "invitation_id": invitation.pk,
        "job_id": job.pk,
        "export_id": export.pk,
        "external_id": customer.external_id,
        "criterion_id": criterion.pk,
        "survey_id": survey.pk,
        "link_id": link.pk,
        "slug": survey.slug,
        "question_id": question.pk,
    }


def test_every_url_with_an_id_is_covered_by_this_test() -> None:
    # Given every URL pattern of the product that takes a parameter
    known = {
        "campaign_id",
        "member_id",
        "customer_id",
        "membership_id",
        "key_id",
        "invitation_id",
        "job_id",
        "export_id",
        "external_id",
        "criterion_id",
        "survey_id",
        "link_id",
        "slug",
        "question_id",
    }
    # Then each parameter is one this test knows how to fill with another organization's object
    for name, route, params in _id_patterns():
        assert set(params) <= known, f"{name} ({route}) takes {params}: add it to the tenancy test"


@pytest.mark.django_db
def test_another_organizations_ids_answer_404_on_every_page(
    owner: Membership, other_org: Organization
) -> None:
    # Given an owner of one organization, and objects of another
    client = member_client(owner)
    theirs = _other_org_objects(other_org)
    checked = 0
    for name, _route, params in _id_patterns():
        if name.startswith("api:"):
            continue
        url = reverse(name, kwargs={p: theirs[p] for p in params})
        # When the owner asks for them, by GET and by POST
        for method in (client.get, client.post):
            response = method(url)
            # Then the answer is 404, never the object, a 403 or a 500
            assert response.status_code in {404, 405}, (
                f"{method.__name__.upper()} {url}: {response.status_code}"
            )
            if response.status_code == 404:
                checked += 1
    assert checked >= 8


@pytest.mark.django_db
def test_another_organizations_ids_answer_404_on_the_api(owner: Membership, other_org: Organization) -> None:
    _key, secret = ApiKey.issue(owner.organization, "ours")
    theirs = _other_org_objects(other_org)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    for name, _route, params in _id_patterns():
        if not name.startswith("api:"):
            continue
        url = reverse(name, kwargs={p: theirs[p] for p in params})
        response = client.get(url)
        if response.status_code == 405:  # an operation that only writes: asked to write
            body = json.dumps(API_WRITES[name])
            response = client.post(url, body, content_type="application/json")
        assert response.status_code == 404, name


# Pages without an id that list customers by name: another organization's never show there.
CUSTOMER_LISTS = [
    "/customers/",
    "/retention/lost/",
    "/retention/lost/?status=lost&by=store",
    "/retention/lost/?by=region&region=Ailleurs",
    "/retention/lost/?by=nps&store=Leur+magasin",
]


@pytest.mark.django_db
def test_another_organizations_customers_never_show_on_the_lists(
    owner: Membership, other_org: Organization
) -> None:
    # Given a lost, scored customer of another organization, in its own store and region
    theirs = CustomerFactory.create(organization=other_org, last_name="Étrangère", region="Ailleurs")
    TransactionFactory.create(customer=theirs, store="Leur magasin", amount=Decimal("777.00"))
    refresh_purchase_stats(other_org.pk)
    now = timezone.now()
    CustomerStatus.objects.create(
        organization=other_org, customer=theirs, status="lost", lost_after_days=180, computed_at=now
    )
    CustomerScore.objects.create(
        organization=other_org, customer=theirs, frequency=0, recency_days=0, age_days=300, monetary=0,
        p_alive=0.1, expected_purchases=0.1, clv=77, clv_low=50, clv_high=90, computed_at=now,
    )  # fmt: skip
    client = member_client(owner)
    for url in CUSTOMER_LISTS:
        # When the owner opens each list
        response = client.get(url)
        # Then it answers without the other organization's customer or their money
        assert response.status_code == 200, url
        assert "Étrangère" not in response.text, url
        assert "777" not in response.text, url
