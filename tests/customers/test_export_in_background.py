"""A list longer than EXPORT_STREAM_MAX_ROWS is prepared by a worker (the real `ecoute db_worker`) into
private storage, downloaded from the exports page by the person who asked or by the organization's
managers, recorded in the audit log, and deleted once past its date."""

import csv
import io
import subprocess
from datetime import UTC, datetime, timedelta
from email.header import decode_header, make_header
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from ecoute.accounts.models import AuditEvent, Membership, Organization, Role
from ecoute.customers.models import Customer, ExportJob, Tag
from ecoute.customers.tasks import purge_exports_when_due, run_export_task
from ecoute.messaging.models import Message
from tests.conftest import member_client, subprocess_env
from tests.factories import CustomerFactory, MembershipFactory
from tests.processes import ecoute
from tests.retention.slipping_shop import NOW as SLIPPING_NOW
from tests.retention.slipping_shop import slipping_shop
from tests.smtp_sink import SmtpSink

pytestmark = pytest.mark.django_db(transaction=True)

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
CSV_URL = reverse("customers:customer_export_csv")
XLSX_URL = reverse("customers:customer_export_xlsx")
LIST_URL = reverse("customers:export_list")
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
BATCH_WORKER = ecoute(
    "db_worker",
    "--queue-name",
    "default",
    "--batch",
    "--no-startup-delay",
    "--no-reload",
    "--interval",
    "0.2",
)


@pytest.fixture
def background(settings: Any, tmp_path: Path) -> Path:
    """Lists of more than 3 rows go to the background, queued in the database for a worker; files under
    a private folder of this test."""
    settings.EXPORT_STREAM_MAX_ROWS = 3
    settings.TASKS = DATABASE_TASKS
    settings.EXPORT_FILES_DIR = tmp_path / "exports"
    return tmp_path / "exports"


def run_worker(files: Path, **extra: str) -> None:
    """The real worker, in its own process, until no task is left."""
    env = subprocess_env(TASKS_IMMEDIATE="0", EXPORT_FILES_DIR=str(files), **extra)
    subprocess.run(BATCH_WORKER, env=env, check=True, timeout=180, capture_output=True)


def _breton_shop(org: Organization, count: int = 5) -> None:
    for number in range(count):
        CustomerFactory.create(organization=org, external_id=f"BZH-{number}", region="Bretagne")
    CustomerFactory.create(organization=org, external_id="OC-1", region="Occitanie")


def _csv_rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=";"))


def _streamed(client: Client, url: str, settings: Any) -> bytes:
    settings.EXPORT_STREAM_MAX_ROWS = 1_000_000
    response = client.get(url)
    return b"".join(response.streaming_content)  # type: ignore[attr-defined]


@time_machine.travel(NOW, tick=True)
def test_a_long_list_is_prepared_by_the_worker_and_downloaded_as_the_streamed_file_would_be(
    owner: Membership, owner_client: Client, background: Path, settings: Any
) -> None:
    # Given five Breton customers and an export threshold of three rows
    _breton_shop(owner.organization)

    # When the owner exports the Breton list
    response = owner_client.get(CSV_URL + "?region=Bretagne&sort=name", follow=True)

    # Then they land on their exports page, told the file is being prepared
    assert response.redirect_chain == [(LIST_URL, 302)]
    page = response.content.decode()
    assert "est en cours de préparation" in page
    job = ExportJob.objects.get()
    assert (job.status, job.rows_expected, job.requested_by_id) == ("pending", 5, owner.user_id)
    assert 'hx-trigger="every 2s"' in page
    # And the request is in the audit log, with the export's id
    requested = AuditEvent.objects.get()
    assert (requested.action, requested.row_count, requested.parameters["export_id"]) == ("export", 5, job.pk)

    # When a worker runs
    run_worker(background)

    # Then the file is ready, in private storage, and listed with its size and date of expiry
    job.refresh_from_db()
    assert (job.status, job.rows_written, job.attempts) == ("ready", 5, 1)
    assert job.path is not None
    assert job.path.is_file()
    assert job.path.is_relative_to(background)
    assert not job.path.is_relative_to(Path(django_settings.MEDIA_ROOT))
    assert job.expires_at == job.finished_at + timedelta(days=7)  # type: ignore[operator]
    assert list(background.rglob("*.part")) == []
    listed = owner_client.get(LIST_URL).content.decode()
    download_url = reverse("customers:export_download", args=[job.pk])
    assert download_url in listed
    assert "every 2s" not in listed

    # And its download is the file the answer would have streamed, recorded in the audit log
    download = owner_client.get(download_url)
    assert download.status_code == 200
    assert 'filename="clients-maison-2026-11-23.csv"' in download["Content-Disposition"]
    body = b"".join(download.streaming_content)  # type: ignore[attr-defined]
    assert job.file_size == len(body)
    rows = _csv_rows(body)
    assert len(rows) == 6
    assert {row[2] for row in rows[1:]} == {f"BZH-{n}" for n in range(5)}
    downloaded = AuditEvent.objects.filter(action="download").get()
    assert (downloaded.user_id, downloaded.row_count, downloaded.parameters["export_id"]) == (
        owner.user_id,
        5,
        job.pk,
    )
    assert body == _streamed(owner_client, CSV_URL + "?region=Bretagne&sort=name", settings)


def test_an_export_is_downloaded_only_by_who_asked_and_the_managers_of_its_organization(
    owner: Membership, background: Path, other_org: Organization
) -> None:
    # Given an analyst's large export, prepared by the worker
    org = owner.organization
    _breton_shop(org)
    analyst = MembershipFactory.create(organization=org, role=Role.ANALYST)
    analyst_client = member_client(analyst)
    analyst_client.get(XLSX_URL)
    run_worker(background)
    job = ExportJob.objects.get()
    url = reverse("customers:export_download", args=[job.pk])

    # When another analyst, an administrator, and the owner of another organization ask for it
    colleague = member_client(MembershipFactory.create(organization=org, role=Role.ANALYST))
    admin = member_client(MembershipFactory.create(organization=org, role=Role.ADMIN))
    stranger = member_client(MembershipFactory.create(organization=other_org, role=Role.OWNER))

    # Then the colleague and the stranger get 404, and do not see it listed
    assert colleague.get(url).status_code == 404
    assert stranger.get(url).status_code == 404
    assert url not in colleague.get(LIST_URL).content.decode()
    assert url not in stranger.get(LIST_URL).content.decode()
    # And the one who asked and the administrator get the workbook
    for client in (analyst_client, admin):
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content)[:2] == b"PK"  # type: ignore[attr-defined]
    assert AuditEvent.objects.filter(action="download").count() == 2
    # And an id that does not exist answers 404 too
    assert admin.get(reverse("customers:export_download", args=[job.pk + 1000])).status_code == 404


def test_the_same_export_asked_twice_while_under_way_is_prepared_once(
    owner: Membership, owner_client: Client, background: Path
) -> None:
    # Given a large list
    _breton_shop(owner.organization)

    # When its owner asks for the same export twice before a worker takes it, then another format
    first = owner_client.get(CSV_URL + "?region=Bretagne", follow=True)
    second = owner_client.get(CSV_URL + "?region=Bretagne&page=3", follow=True)
    owner_client.get(XLSX_URL + "?region=Bretagne")

    # Then the second request is told it is already under way: two exports, two tasks
    assert "est en cours de préparation" in first.content.decode()
    assert "est déjà en cours de préparation" in second.content.decode()
    assert sorted(ExportJob.objects.values_list("file_format", flat=True)) == ["csv", "xlsx"]
    assert DBTaskResult.objects.filter(task_path=run_export_task.module_path).count() == 2
    # And once the worker has run, asking again prepares a new file
    run_worker(background)
    assert set(ExportJob.objects.values_list("status", flat=True)) == {"ready"}
    owner_client.get(CSV_URL + "?region=Bretagne")
    assert ExportJob.objects.filter(status="pending").count() == 1


def test_the_file_keeps_the_filters_language_and_formats_it_was_asked_with(
    owner: Membership, owner_client: Client, background: Path
) -> None:
    # Given a French organization's large list, exported by an owner who reads the product in English
    org = owner.organization
    _breton_shop(org)
    owner.user.language = "en"
    owner.user.save(update_fields=["language"])
    owner_client.get(CSV_URL + "?region=Bretagne&sort=-created")
    CustomerFactory.create(organization=org, external_id="BZH-NEW", region="Bretagne")

    # When the organization switches to English, and new Breton customers arrive, before the worker runs
    org.language = "en"
    org.save(update_fields=["language"])
    run_worker(background)

    # Then the file is the French list of the Breton customers, as asked (the newcomer among them: the
    # filters are kept, not the rows)
    job = ExportJob.objects.get()
    assert job.path is not None
    rows = _csv_rows(job.path.read_bytes())
    assert rows[0][:3] == ["Nom", "Entreprise", "identifiant CRM"]
    assert [row[4] for row in rows[1:]] == ["Bretagne"] * 6
    assert rows[1][2] == "BZH-NEW"
    assert job.rows_written == 6
    # And the exports page shows the filter it was asked with
    assert "Bretagne" in owner_client.get(LIST_URL).content.decode()


def test_an_export_whose_filter_no_longer_exists_fails_instead_of_exporting_everyone(
    owner: Membership, owner_client: Client, background: Path
) -> None:
    # Given a large export of the customers tagged "VIP"
    org = owner.organization
    _breton_shop(org)
    vip = Tag.objects.create(organization=org, name="VIP")
    for customer in Customer.objects.filter(organization=org):
        customer.tags.add(vip)
    owner_client.get(CSV_URL + f"?tag={vip.pk}")

    # When the tag is removed before the worker runs
    vip.delete()
    run_worker(background)

    # Then the export failed, saying why, and no file was kept
    job = ExportJob.objects.get()
    assert (job.status, job.stored_name) == ("failed", "")
    page = owner_client.get(LIST_URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "filters no longer select what they did" in page
    assert list(background.rglob("*.*")) == []


def test_files_past_their_date_cannot_be_downloaded_and_are_removed_by_the_scheduled_purge(
    owner: Membership, owner_client: Client, background: Path, settings: Any
) -> None:
    # Given an export made ready on 23 November
    _breton_shop(owner.organization)
    with time_machine.travel(NOW, tick=True):
        owner_client.get(CSV_URL)
        run_worker(background)
    job = ExportJob.objects.get()
    assert job.path is not None
    path = job.path
    url = reverse("customers:export_download", args=[job.pk])
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}

    # When the workers' housekeeping runs a minute before the seventh day is over
    with time_machine.travel(job.expires_at - timedelta(minutes=1), tick=False):  # type: ignore[operator]
        started = purge_exports_when_due()
        # Then nothing is purged and the file downloads
        assert not started
        assert owner_client.get(url).status_code == 200

    # When it runs a minute after
    with time_machine.travel(job.expires_at + timedelta(minutes=1), tick=False):  # type: ignore[operator]
        # Then the file no longer downloads, even before the purge
        assert owner_client.get(url).status_code == 404
        started = purge_exports_when_due()

    # And the purge has deleted it; the export stays listed as expired
    assert started
    job.refresh_from_db()
    assert (job.status, job.stored_name) == ("expired", "")
    assert not path.exists()
    assert "expiré" in owner_client.get(LIST_URL).content.decode()


def test_the_person_who_asked_is_emailed_in_their_language_when_the_file_is_ready(
    owner: Membership, owner_client: Client, background: Path
) -> None:
    # Given a large export asked for by an owner who reads the product in English
    _breton_shop(owner.organization)
    owner.user.language = "en"
    owner.user.save(update_fields=["language"])
    owner_client.get(XLSX_URL + "?region=Bretagne")

    # When the worker prepares it, with a real mail server to send through
    with SmtpSink() as sink:
        run_worker(
            background, EMAIL_URL=f"smtp://{sink.host}:{sink.port}", SITE_URL="https://ecoute.example.fr"
        )

    # Then one e-mail, in English, tells them where to download it and until when, and holds no customer
    [message] = sink.messages
    assert message["To"] == owner.user.email
    assert str(make_header(decode_header(message["Subject"]))) == "Your export “Clients” is ready"
    body = message.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert "(5 rows, XLSX)" in body
    assert "https://ecoute.example.fr/exports/" in body
    job = ExportJob.objects.get()
    assert job.expires_at is not None
    assert str(job.expires_at.astimezone(ZoneInfo("Europe/Paris")).year) in body
    assert "BZH" not in body
    # And it went through the outbox, once
    assert Message.objects.filter(purpose="notice", status="sent").count() == 1


def test_the_lost_customers_segment_is_prepared_in_the_background_like_the_customer_list(
    owner: Membership, owner_client: Client, background: Path, settings: Any
) -> None:
    # Given the slipping shop, whose lost and at-risk customers are past the threshold of three rows
    slipping_shop(owner.organization)
    url = reverse("retention:lost_export_csv") + "?status=both"
    with time_machine.travel(SLIPPING_NOW, tick=False):
        streamed = _csv_rows(_streamed(owner_client, url, settings))
        settings.EXPORT_STREAM_MAX_ROWS = 3

        # When the owner exports the segment, and the worker runs
        assert owner_client.get(url).status_code == 302
    run_worker(background)

    # Then the file holds the segment's customers, with their statuses, as the streamed file does
    job = ExportJob.objects.get()
    assert (job.list_name, job.status, job.rows_written) == ("lost_customers", "ready", len(streamed) - 1)
    assert job.path is not None
    prepared = _csv_rows(job.path.read_bytes())
    assert prepared[0] == streamed[0]
    status = streamed[0].index("Statut")
    assert sorted((row[2], row[status]) for row in prepared[1:]) == sorted(
        (row[2], row[status]) for row in streamed[1:]
    )
    assert len(prepared) > 4
