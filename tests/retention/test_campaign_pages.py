"""The campaign pages: analysts build and launch, agents work call lists, viewers read; bad input answers
400 with the field named; the draft shows the power before launch."""

from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from ecoute.accounts.models import Membership, Organization, Role
from ecoute.customers.models import Consent
from ecoute.retention.actions import launch_campaign
from ecoute.retention.models import Campaign, CampaignMember
from tests.conftest import member_client
from tests.factories import MembershipFactory
from tests.retention.campaigns import campaign_of, slipping_customer

LAUNCH = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
FORM: dict[str, Any] = {
    "name": "Printemps",
    "statuses": ["lost"],
    "region": "",
    "store": "",
    "control_share": "0,15",
    "window_days": "60",
    "email_enabled": "on",
    "email_subject_fr": "{first_name|Bonjour}, vous nous manquez",
    "email_body_fr": "Bonjour {first_name|},\n\nÀ bientôt.",
}


@pytest.fixture(autouse=True)
def waiting_tasks(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


def _client(org: Organization, role: str) -> Client:
    return member_client(MembershipFactory.create(organization=org, role=role))


def test_an_analyst_saves_a_campaign_as_a_draft(org: Organization) -> None:
    client = _client(org, Role.ANALYST)
    response = client.post(reverse("retention:campaign_create"), FORM)
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("retention:campaign_detail", args=[campaign.pk])
    assert (campaign.status, campaign.audience["status"], str(campaign.control_share)) == (
        "draft",
        "lost",
        "0.15",
    )


def test_an_unknown_crm_field_is_refused_when_the_campaign_is_saved(org: Organization) -> None:
    client = _client(org, Role.ANALYST)
    response = client.post(
        reverse("retention:campaign_create"), {**FORM, "email_body_fr": "Bonjour {prenom}"}
    )
    assert response.status_code == 400
    assert "{prenom}" in response.content.decode()
    assert not Campaign.objects.exists()


def test_a_campaign_needs_an_action(org: Organization) -> None:
    client = _client(org, Role.ANALYST)
    response = client.post(reverse("retention:campaign_create"), {**FORM, "email_enabled": ""})
    assert response.status_code == 400
    assert "au moins une action" in response.content.decode()


@pytest.mark.parametrize("role", [Role.AGENT, Role.VIEWER])
def test_agents_and_viewers_cannot_build_or_launch(org: Organization, role: str) -> None:
    campaign = campaign_of(org)
    client = _client(org, role)
    assert client.post(reverse("retention:campaign_create"), FORM).status_code == 403
    assert client.post(reverse("retention:campaign_launch", args=[campaign.pk])).status_code == 403
    assert Campaign.objects.get().status == "draft"


def test_the_draft_shows_its_size_and_warns_when_too_small(org: Organization) -> None:
    # Given a draft whose audience is 20 lost customers
    for _n in range(20):
        slipping_customer(org)
    campaign = campaign_of(org)
    # When an analyst opens it
    page = (
        _client(org, Role.ANALYST)
        .get(reverse("retention:campaign_detail", args=[campaign.pk]))
        .content.decode()
    )
    # Then its size, its split and the warning show
    assert "Trop petite pour conclure" in page
    assert 'data-testid="too-small"' in page


def test_the_live_size_follows_the_filters(org: Organization) -> None:
    slipping_customer(org, "lost", region="Bretagne")
    slipping_customer(org, "at_risk", region="Bretagne")
    slipping_customer(org, "lost", region="Alsace")
    client = _client(org, Role.ANALYST)
    url = reverse("retention:campaign_size")
    response = client.get(url, {"statuses": ["lost"], "region": "bretagne", "control_share": "0,15"})
    assert response.status_code == 200
    assert '<span class="stat-value">1</span>' in response.content.decode()
    assert client.get(url, {"statuses": ["active"]}).status_code == 400


def test_an_analyst_launches_and_reads_the_report(org: Organization) -> None:
    for _n in range(10):
        slipping_customer(org)
    campaign = campaign_of(org)
    client = _client(org, Role.ANALYST)
    with time_machine.travel(LAUNCH, tick=False):
        response = client.post(reverse("retention:campaign_launch", args=[campaign.pk]))
        assert response.status_code == 302
        page = client.get(reverse("retention:campaign_detail", args=[campaign.pk])).content.decode()
    assert CampaignMember.objects.count() == 10
    assert "Pas assez de clients pour conclure" in page


def test_an_agent_records_the_outcome_of_a_call(org: Organization) -> None:
    # Given a launched campaign with a call list, whose treated customer has a phone
    customer = slipping_customer(org, phone="06 12 34 56 78")
    campaign = campaign_of(
        org, email_enabled=False, calls_enabled=True, call_script="Bonjour…", control_share="0.05"
    )
    launch_campaign(campaign, now=LAUNCH)
    member = CampaignMember.objects.get()
    client = _client(org, Role.AGENT)
    calls = reverse("retention:campaign_calls", args=[campaign.pk])
    if member.group == "control":  # held out: not on the list
        assert customer.phone not in client.get(calls).content.decode()
        return
    assert customer.phone in client.get(calls).content.decode()
    # When the agent records that the customer asked not to be called again
    url = reverse("retention:campaign_call_outcome", args=[campaign.pk, member.pk])
    assert client.post(url, {"outcome": "do_not_call", "note": "déménage"}).status_code == 302
    # Then the outcome is kept and the phone consent to marketing withdrawn
    member.refresh_from_db()
    assert (member.outcome, member.outcome_note, member.contacted_at is not None) == (
        "do_not_call",
        "déménage",
        True,
    )
    assert not Consent.objects.filter(customer=customer, channel="phone", purpose="marketing").get().granted
    # And a made-up outcome is refused without a change
    assert client.post(url, {"outcome": "bribed"}).status_code == 302
    member.refresh_from_db()
    assert member.outcome == "do_not_call"


def test_a_viewer_does_not_work_call_lists(org: Organization) -> None:
    campaign = campaign_of(org, calls_enabled=True)
    client = _client(org, Role.VIEWER)
    assert client.get(reverse("retention:campaign_calls", args=[campaign.pk])).status_code == 403


def test_the_list_shows_the_organizations_campaigns_only(
    org: Organization, other_org: Organization, owner: Membership
) -> None:
    campaign_of(org, name="La nôtre")
    campaign_of(other_org, name="La leur")
    page = member_client(owner).get(reverse("retention:campaign_list")).content.decode()
    assert "La nôtre" in page
    assert "La leur" not in page


def test_a_second_campaign_of_the_same_name_is_refused_with_the_field_named(org: Organization) -> None:
    # Given a campaign called "Printemps"
    client = _client(org, Role.ANALYST)
    assert client.post(reverse("retention:campaign_create"), FORM).status_code == 302
    # When another is saved under the same name, whatever its case
    response = client.post(reverse("retention:campaign_create"), {**FORM, "name": "printemps"})
    # Then the form answers 400 naming the name, and nothing more is written
    assert response.status_code == 400
    assert "Une campagne de ce nom existe déjà" in response.content.decode()
    assert Campaign.objects.count() == 1


def test_the_same_name_in_another_organization_is_free(org: Organization, other_org: Organization) -> None:
    campaign_of(other_org, name="Printemps")
    response = _client(org, Role.ANALYST).post(reverse("retention:campaign_create"), FORM)
    assert response.status_code == 302
    assert Campaign.objects.filter(name="Printemps").count() == 2


def test_the_narrowing_is_read_once_and_becomes_the_audience(
    org: Organization, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a form carrying the lost customers page's filters (a key repeated: the last one counts)
    from urllib.parse import parse_qsl as real

    from ecoute.retention import campaign_forms

    reads: list[str] = []

    def counting(query: str) -> list[tuple[str, str]]:
        reads.append(query)
        return real(query)

    monkeypatch.setattr(campaign_forms, "parse_qsl", counting)
    narrowing = "nps=detractor&recency=2y%2B&recency=1-2y"
    # When it is saved
    response = _client(org, Role.ANALYST).post(
        reverse("retention:campaign_create"), {**FORM, "narrowing": narrowing}
    )
    # Then the query string was read once, and the campaign targets those filters
    assert response.status_code == 302
    assert reads == [narrowing]
    assert Campaign.objects.get().audience == {"status": "lost", "nps": "detractor", "recency": "1-2y"}


@pytest.mark.parametrize("narrowing", ["nps=angry", "value=1e309", "recency=%00", "clv=" + "x" * 400])
def test_a_bad_narrowing_is_refused_naming_the_filter(org: Organization, narrowing: str) -> None:
    response = _client(org, Role.ANALYST).post(
        reverse("retention:campaign_create"), {**FORM, "narrowing": narrowing}
    )
    assert response.status_code == 400
    assert narrowing.split("=", maxsplit=1)[0] in response.content.decode()
    assert not Campaign.objects.exists()


@pytest.mark.parametrize(
    ("given", "missing"), [("email_subject_en", "email_body_en"), ("email_body_en", "email_subject_en")]
)
def test_an_english_email_needs_its_subject_and_its_text(org: Organization, given: str, missing: str) -> None:
    response = _client(org, Role.ANALYST).post(reverse("retention:campaign_create"), {**FORM, given: "Hello"})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [missing]
    assert not Campaign.objects.exists()


def test_the_call_list_gives_no_number_of_a_customer_who_refused_calls(org: Organization) -> None:
    # Given a launched call campaign: one customer withdrew phone marketing consent, one asked not
    # to be contacted at all, one never said anything
    from ecoute.messaging.models import Suppression
    from tests.factories import ConsentFactory
    from tests.retention.campaigns import treating

    refused = slipping_customer(org, phone="+33611111111")
    ConsentFactory.create(customer=refused, channel="phone", purpose="marketing", granted=False)
    quiet = slipping_customer(org, phone="+33622222222")
    Suppression.objects.create(organization=org, customer=quiet, reason="do_not_contact")
    callable_ = slipping_customer(org, phone="+33633333333")
    campaign = treating(campaign_of(org, email_enabled=False, calls_enabled=True), refused, quiet, callable_)
    launch_campaign(campaign, now=LAUNCH)
    # When an agent opens the call list
    page = _client(org, Role.AGENT).get(reverse("retention:campaign_calls", args=[campaign.pk]))
    html = page.content.decode()
    # Then only the customer who may be called has a number to dial; the others are marked
    assert "+33633333333" in html
    assert "+33611111111" not in html
    assert "+33622222222" not in html
    assert html.count('data-testid="do-not-call"') == 2


def test_a_campaign_started_from_a_segment_with_a_bad_filter_says_so(org: Organization) -> None:
    # Given the lost customers page's link with a filter that does not read
    client = _client(org, Role.ANALYST)
    # When the campaign form is opened from it
    response = client.get(reverse("retention:campaign_create"), {"status": "lost", "nps": "angry"})
    # Then the form answers 400 naming the filter left out, instead of silently targeting everyone
    assert response.status_code == 400
    assert "Le filtre dernier niveau NPS «\u00a0angry\u00a0» est ignoré" in response.content.decode()


def test_a_campaign_with_an_empty_audience_is_not_launched(org: Organization) -> None:
    # Given a draft whose audience has nobody now (only an active customer in the shop)
    slipping_customer(org, "active")
    campaign = campaign_of(org)
    # When an analyst launches it
    client = _client(org, Role.ANALYST)
    response = client.post(reverse("retention:campaign_launch", args=[campaign.pk]), follow=True)
    # Then it stays a draft, without members, and the page says why
    assert "Aucun client n’est dans l’audience de cette campagne pour l’instant." in response.content.decode()
    campaign.refresh_from_db()
    assert (campaign.status, campaign.launched_at) == ("draft", None)
    assert not CampaignMember.objects.exists()


def test_the_form_shows_no_label_of_its_hidden_filters(org: Organization) -> None:
    # The lost customers page's filters ride in a hidden field: no stray "Narrowing" label, untranslated
    page = _client(org, Role.ANALYST).get(reverse("retention:campaign_create"), {"nps": "detractor"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Narrowing" not in html
    assert 'type="hidden" name="narrowing" value="nps=detractor"' in html
