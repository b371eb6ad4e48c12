"""Files kept for imports are deleted after a while; a user's own file never is."""

import os
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.utils import timezone

from ecoute.accounts.models import Organization
from ecoute.customers.models import ImportJob
from tests.customers.importing import interrupted_import


def _job(org: Organization, upload: Path, rejects: Path | None, days_ago: int) -> ImportJob:
    return ImportJob.objects.create(
        organization=org, kind="customers", original_name=upload.name, stored_path=str(upload),
        rejects_path=str(rejects) if rejects else "", status="succeeded",
        finished_at=timezone.now() - timedelta(days=days_ago),
    )  # fmt: skip


def test_old_uploads_and_rejects_are_deleted_but_not_recent_ones_nor_the_users_own_files(
    tmp_path: Path, org: Organization, settings: Any
) -> None:
    # Given files Écoute keeps under its import folder, for an old import and a recent one
    settings.MEDIA_ROOT = tmp_path / "media"
    folder = tmp_path / "media" / "imports" / str(org.pk)
    folder.mkdir(parents=True)
    old_upload, old_rejects, recent_upload = folder / "a.csv", folder / "rejects-a.csv", folder / "b.csv"
    for path in (old_upload, old_rejects, recent_upload):
        path.write_text("N° client\nC1\n")
    old = _job(org, old_upload, old_rejects, days_ago=40)
    recent = _job(org, recent_upload, None, days_ago=2)
    # And an old import run from the command line on the user's own file
    own_file = tmp_path / "mes_clients.csv"
    own_file.write_text("N° client\nC1\n")
    cli = _job(org, own_file, None, days_ago=40)
    # When the purge runs
    out = StringIO()
    call_command("purge_imports", "--days", "30", stdout=out)
    # Then only the old import's kept files are gone, and the job no longer points at them
    assert not old_upload.exists()
    assert not old_rejects.exists()
    assert recent_upload.exists()
    assert own_file.exists()
    old.refresh_from_db()
    assert (old.stored_path, old.rejects_path) == ("", "")
    recent.refresh_from_db()
    cli.refresh_from_db()
    assert recent.stored_path == str(recent_upload)
    assert cli.stored_path == str(own_file)
    assert "2" in out.getvalue()


def test_an_interrupted_upload_keeps_its_file_for_resuming_until_it_is_abandoned(
    tmp_path: Path, org: Organization, settings: Any
) -> None:
    # Given two uploads interrupted (their process died): one yesterday, one 40 days ago
    settings.MEDIA_ROOT = tmp_path / "media"
    yesterday, abandoned = interrupted_import(org), interrupted_import(org)
    ImportJob.objects.filter(pk=yesterday.pk).update(lease_expires_at=timezone.now() - timedelta(days=1))
    ImportJob.objects.filter(pk=abandoned.pk).update(lease_expires_at=timezone.now() - timedelta(days=40))
    # When the purge runs
    call_command("purge_imports", "--days", "30", stdout=StringIO())
    # Then yesterday's can still be resumed, with its file
    yesterday.refresh_from_db()
    assert yesterday.is_interrupted
    assert Path(yesterday.stored_path).is_file()
    # And the abandoned one is failed, saying why, and its file deleted
    assert not Path(abandoned.stored_path).exists()
    abandoned.refresh_from_db()
    assert (abandoned.status, abandoned.stored_path) == ("failed", "")
    assert abandoned.message
    assert not abandoned.is_interrupted


def test_an_old_file_that_no_import_refers_to_is_deleted(
    tmp_path: Path, org: Organization, settings: Any
) -> None:
    # Given files left in the import folder by uploads cut off before their import was recorded
    settings.MEDIA_ROOT = tmp_path / "media"
    folder = tmp_path / "media" / "imports" / str(org.pk)
    folder.mkdir(parents=True)
    old, recent = folder / "0a1b.csv", folder / "2c3d.csv"
    for path in (old, recent):
        path.write_text("N° client\nC1\n")
    month_ago = (timezone.now() - timedelta(days=31)).timestamp()
    os.utime(old, (month_ago, month_ago))
    # When the purge runs
    call_command("purge_imports", "--days", "30", stdout=StringIO())
    # Then the old one is deleted; the recent one may be an upload under way
    assert not old.exists()
    assert recent.exists()
