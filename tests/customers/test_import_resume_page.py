"""The page of an interrupted import: it stops following the import, says so, and lets members who may
import resume it, within their organization, with a CSRF token, once."""

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from ecoute.accounts.models import Membership, Organization, Role
from ecoute.customers.import_lease import claim_import_run
from ecoute.customers.models import Customer, ImportJob
from tests.conftest import member_client
from tests.customers.importing import interrupted_import
from tests.factories import PASSWORD, MembershipFactory


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _resume(client: Client, job: ImportJob) -> Any:
    return client.post(reverse("customers:import_resume", args=[job.pk]))


def test_an_interrupted_import_is_shown_as_such_and_no_longer_followed(
    owner_client: Client, org: Organization
) -> None:
    job = interrupted_import(org)
    detail = owner_client.get(reverse("customers:import_detail", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="en")
    html = detail.content.decode()
    assert "This import was interrupted" in html
    assert "It had reached row 2 of 3." in html
    assert "hx-trigger" not in html
    assert reverse("customers:import_resume", args=[job.pk]) in html
    listing = owner_client.get(reverse("customers:import_list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<span class="badge badge-danger">interrupted</span>' in listing


def test_resuming_an_interrupted_upload_runs_it_to_the_end(
    owner_client: Client, org: Organization, django_capture_on_commit_callbacks: Any
) -> None:
    job = interrupted_import(org)
    with django_capture_on_commit_callbacks(execute=True):
        response = _resume(owner_client, job)
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.rows_written, job.attempts) == ("succeeded", 3, 2)
    assert Customer.objects.filter(organization=org).count() == 3


def test_another_organizations_import_answers_404(org: Organization, other_org: Organization) -> None:
    job = interrupted_import(other_org)
    client = member_client(MembershipFactory.create(organization=org, role=Role.ANALYST))
    assert _resume(client, job).status_code == 404
    assert ImportJob.objects.get(pk=job.pk).status == "writing"


@pytest.mark.parametrize("role", [Role.AGENT, Role.VIEWER])
def test_members_who_may_not_import_cannot_resume(org: Organization, role: str) -> None:
    job = interrupted_import(org)
    client = member_client(MembershipFactory.create(organization=org, role=role))
    assert _resume(client, job).status_code == 403
    assert ImportJob.objects.get(pk=job.pk).is_interrupted


def test_resuming_without_the_csrf_token_is_refused(org: Organization, owner: Membership) -> None:
    job = interrupted_import(org)
    client = Client(enforce_csrf_checks=True)
    assert client.login(email=owner.user.email, password=PASSWORD)
    assert _resume(client, job).status_code == 403
    assert ImportJob.objects.get(pk=job.pk).is_interrupted


def test_an_import_that_runs_again_is_not_resumed_a_second_time(
    owner_client: Client, org: Organization, django_capture_on_commit_callbacks: Any
) -> None:
    # Given an interrupted import that a worker has just taken over
    job = interrupted_import(org)
    assert claim_import_run(job.pk) is not None
    # When a second click on the button arrives
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = _resume(owner_client, job)
    # Then nothing is queued, and the page follows the run under way
    assert response.status_code == 302
    assert callbacks == []
    page = owner_client.get(reverse("customers:import_detail", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in page


def test_an_import_run_from_the_command_line_is_resumed_by_the_command_not_the_page(
    owner_client: Client, org: Organization, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    job = interrupted_import(org, users_folder=tmp_path)
    page = owner_client.get(reverse("customers:import_detail", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "Run the same command again to resume it" in page.content.decode()
    assert reverse("customers:import_resume", args=[job.pk]) not in page.content.decode()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _resume(owner_client, job)
    assert callbacks == []
    assert ImportJob.objects.get(pk=job.pk).is_interrupted
