"""Helpers for importer tests: write export-like files and run `ecoute import` as a user would."""

import uuid
from datetime import timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from ecoute.accounts.models import Organization
from ecoute.customers.actions import create_import_job, import_dir
from ecoute.customers.models import ImportJob, ImportStatus, Transaction


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """Write `text` with Windows line ends, as CRMs export, in `encoding` (cp1252, utf-8-sig, …)."""
    path.write_bytes(text.replace("\n", "\r\n").encode(encoding))
    return path


def run_import(*args: str) -> tuple[str, str]:
    """Run `ecoute import …`; returns (stdout, stderr)."""
    out, err = StringIO(), StringIO()
    call_command("import", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def failing_import(*args: str) -> tuple[str, str]:
    """Run an import that must fail; returns (error message, stderr with the row problems)."""
    err = StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import", *args, stdout=StringIO(), stderr=err)
    return str(failure.value), err.getvalue()


def write_sales(path: Path, count: int, customers: int = 100) -> Path:
    """A till export of `count` sales (V0…) of customers C0…C{customers - 1}, in March 2024."""
    rows = "".join(
        f"V{i};C{i % customers};{1 + i % 28:02d}/03/2024;{i % 90},{i % 100:02d}\n" for i in range(count)
    )
    return write_csv(path, "N° commande;Code client;Date;Montant\n" + rows)


def sales_in_file(path: Path) -> set[tuple[str, str, str, Decimal]]:
    """Each sale of a file written by write_sales: (id, customer, day, amount)."""
    sales = set()
    for line in path.read_text().splitlines()[1:]:
        sale, customer, day, amount = line.split(";")
        sales.add((sale, customer, "-".join(reversed(day.split("/"))), Decimal(amount.replace(",", "."))))
    return sales


def sales_in_database(organization: Organization) -> set[tuple[str, str, str, Decimal]]:
    """Every sale of `organization` in the database, as sales_in_file reads them from a file."""
    zone = ZoneInfo(organization.time_zone)
    rows = Transaction.objects.filter(organization=organization).values_list(
        "external_id", "customer__external_id", "occurred_at", "amount"
    )
    return {(sale, customer, str(at.astimezone(zone).date()), amount) for sale, customer, at, amount in rows}


def write_customers(path: Path, count: int) -> Path:
    rows = "".join(f"C{i};Nom{i};c{i}@exemple.fr\n" for i in range(count))
    return write_csv(path, "Code client;Nom;E-mail\n" + rows)


def interrupted_import(
    organization: Organization, *, attempts: int = 1, users_folder: Path | None = None
) -> ImportJob:
    """An import of three customers whose process died while writing: uploaded (its file kept under the
    import folder, so settings.MEDIA_ROOT should be a temporary folder), or run from the command line on
    a file in `users_folder`."""
    folder = users_folder or import_dir(organization)
    path = write_customers(folder / f"{uuid.uuid4().hex}.csv", 3)
    job = create_import_job(organization, "customers", path, original_name="clients.csv")
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.WRITING,
        runner="another-machine|1|123|0a0a0a",
        lease_expires_at=timezone.now() - timedelta(seconds=1),
        attempts=attempts,
        rows_total=3,
        rows_done=2,
    )
    job.refresh_from_db()
    return job
