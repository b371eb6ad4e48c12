"""The purge deletes what no export points at any more (half files of attempts that died), once it is an
hour old, and keeps the files of exports ready or under way."""

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ecoute.accounts.models import Membership
from ecoute.customers.export_purge import purge_expired_exports
from ecoute.customers.models import ExportJob

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _export(owner: Membership, status: str, **fields: Any) -> ExportJob:
    return ExportJob.objects.create(
        organization=owner.organization, requested_by=owner.user, list_name="customers", title="Clients",
        file_format="csv", language="fr", time_zone="Europe/Paris", fingerprint=status,
        file_name="clients", status=status, **fields,
    )  # fmt: skip


def _file(folder: Path, name: str, age: timedelta) -> Path:
    path = folder / name
    path.write_bytes(b"\xef\xbb\xbfNom;Entreprise\r\n")
    stamp = (NOW - age).timestamp()
    os.utime(path, (stamp, stamp))
    return path


def test_the_purge_deletes_only_old_files_no_export_points_at(
    owner: Membership, settings: Any, tmp_path: Path
) -> None:
    # Given a ready export, one being written, and the half file of a failed one, in private storage
    settings.EXPORT_FILES_DIR = tmp_path
    folder = tmp_path / str(owner.organization_id)
    folder.mkdir()
    ready = _export(
        owner, "ready", stored_name=f"{owner.organization_id}/1-1.csv", expires_at=NOW + timedelta(days=1)
    )
    running = _export(owner, "running")
    failed = _export(owner, "failed")
    kept = _file(folder, "1-1.csv", timedelta(days=3))
    writing = _file(folder, f"{running.pk}-1.csv.part", timedelta(hours=3))
    recent_orphan = _file(folder, f"{failed.pk}-2.csv", timedelta(minutes=5))
    old_orphan = _file(folder, f"{failed.pk}-1.csv.part", timedelta(hours=2))

    # When the purge runs
    expired = purge_expired_exports(NOW)

    # Then only the old file of the failed export is gone
    assert expired == 0
    assert (kept.exists(), writing.exists(), recent_orphan.exists()) == (True, True, True)
    assert not old_orphan.exists()
    ready.refresh_from_db()
    assert ready.status == "ready"
