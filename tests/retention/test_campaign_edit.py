"""A draft is changed on its own page; a launched campaign is what it was launched as: its page and its
form refuse a change, even one sent while it was being launched. Another organization's is not found."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from ecoute.accounts.models import Organization, Role
from ecoute.retention.actions import launch_campaign
from ecoute.retention.models import Campaign
from tests.conftest import member_client
from tests.factories import MembershipFactory
from tests.retention.campaigns import campaign_of, slipping_customer
from tests.retention.test_campaign_pages import FORM, LAUNCH


@pytest.fixture(autouse=True)
def waiting_tasks(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


def _analyst(org: Organization) -> Client:
    return member_client(MembershipFactory.create(organization=org, role=Role.ANALYST))


def test_an_analyst_changes_a_draft(org: Organization) -> None:
    # Given a draft targeting lost and at-risk customers
    campaign = campaign_of(org, audience={"status": "both", "nps": "detractor"})
    client = _analyst(org)
    url = reverse("retention:campaign_edit", args=[campaign.pk])
    # When its form is opened, it shows what the draft is
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"]["name"].value() == "Revenez nous voir"
    # And when it is sent with another window and the lost customers only
    response = client.post(
        url, {**FORM, "name": "Revenez nous voir", "window_days": "30", "narrowing": "nps=detractor"}
    )
    # Then the draft holds them
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.window_days, campaign.audience, campaign.status) == (
        30,
        {"status": "lost", "nps": "detractor"},
        "draft",
    )


def test_a_launched_campaign_cannot_be_changed(org: Organization) -> None:
    # Given a launched campaign
    slipping_customer(org)
    campaign = campaign_of(org)
    launch_campaign(campaign, now=LAUNCH)
    client = _analyst(org)
    url = reverse("retention:campaign_edit", args=[campaign.pk])
    # When its form is asked for, or a change is sent
    shown = client.get(url, follow=True)
    sent = client.post(url, {**FORM, "window_days": "7"}, follow=True)
    # Then both lead back to its page saying why, and nothing changed
    for response in (shown, sent):
        assert response.redirect_chain[-1][0] == reverse("retention:campaign_detail", args=[campaign.pk])
        assert "Cette campagne est lancée" in response.content.decode()
    campaign.refresh_from_db()
    assert (campaign.window_days, campaign.status, campaign.launched_at) == (60, "launched", LAUNCH)


def test_a_change_sent_while_the_campaign_was_launched_is_refused(org: Organization) -> None:
    # Given a draft whose form was opened, then launched by someone else before the form was sent
    from ecoute.retention.actions import save_campaign_draft
    from ecoute.retention.campaign_forms import CampaignForm
    from ecoute.retention.campaign_launch import CampaignLaunchError

    slipping_customer(org)
    campaign = campaign_of(org)
    form = CampaignForm({**FORM, "window_days": "7"}, instance=campaign, organization=org)
    assert form.is_valid()
    launch_campaign(Campaign.objects.get(pk=campaign.pk), now=LAUNCH)
    # When the form is saved
    with pytest.raises(CampaignLaunchError):
        save_campaign_draft(form)
    # Then the launched campaign is untouched (its status and launch were not written back)
    campaign = Campaign.objects.get(pk=campaign.pk)
    assert (campaign.window_days, campaign.status, campaign.launched_at) == (60, "launched", LAUNCH)


def test_another_organizations_draft_and_a_viewer_are_refused(
    org: Organization, other_org: Organization
) -> None:
    theirs = campaign_of(other_org)
    ours = campaign_of(org, name="La nôtre")
    assert _analyst(org).get(reverse("retention:campaign_edit", args=[theirs.pk])).status_code == 404
    assert _analyst(org).post(reverse("retention:campaign_edit", args=[theirs.pk]), FORM).status_code == 404
    viewer = member_client(MembershipFactory.create(organization=org, role=Role.VIEWER))
    assert viewer.post(reverse("retention:campaign_edit", args=[ours.pk]), FORM).status_code == 403
    assert Campaign.objects.get(pk=ours.pk).name == "La nôtre"


def test_renaming_a_draft_to_another_campaigns_name_is_refused(org: Organization) -> None:
    campaign_of(org, name="Printemps")
    draft = campaign_of(org, name="Automne")
    response = _analyst(org).post(reverse("retention:campaign_edit", args=[draft.pk]), FORM)
    assert response.status_code == 400
    assert Campaign.objects.get(pk=draft.pk).name == "Automne"
