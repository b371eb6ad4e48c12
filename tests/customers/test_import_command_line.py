"""What `ecoute import` checks before reading, and what it tells: mapping, rejects file, JSON report."""

import json
from pathlib import Path

from ecoute.accounts.models import Organization
from ecoute.customers.models import ImportJob, Transaction
from tests.customers.importing import failing_import, run_import, write_csv
from tests.factories import CustomerFactory

SALES = "N° commande;Code client;Date;Montant;Remarque\nV1;C1;15/03/2024;10,00;ok\nV2;C9;15/03/2024;11,00;?\n"


def test_a_rejects_file_naming_the_input_is_refused_before_anything_is_read(
    tmp_path: Path, org: Organization
) -> None:
    # Given a sales file, and --rejects pointing at it
    path = write_csv(tmp_path / "ventes.csv", SALES)
    original = path.read_bytes()
    # When it is imported
    message, _err = failing_import(
        "transactions",
        str(path),
        "--org",
        org.slug,
        "--skip-invalid",
        "--rejects",
        str(path),
        "--language",
        "en",
    )
    # Then it is refused at once, the input untouched, nothing recorded
    assert "--rejects names the file being imported" in message
    assert path.read_bytes() == original
    assert not ImportJob.objects.exists()


def test_a_rejects_file_that_cannot_be_written_is_refused_before_anything_is_read(
    tmp_path: Path, org: Organization
) -> None:
    CustomerFactory.create(organization=org, external_id="C1")
    path = write_csv(tmp_path / "ventes.csv", SALES)
    rejects = tmp_path / "no-such-folder" / "rejets.csv"
    message, _err = failing_import(
        "transactions",
        str(path),
        "--org",
        org.slug,
        "--skip-invalid",
        "--rejects",
        str(rejects),
        "--language",
        "en",
    )
    assert f"The rejects file cannot be written at {rejects}: choose a file in an existing folder." in message
    assert not Transaction.objects.exists()
    assert not ImportJob.objects.exists()


def test_skip_invalid_without_rejects_says_where_the_rejects_went(
    tmp_path: Path, org: Organization, settings: object
) -> None:
    # Given a file with one unknown customer, imported keeping the valid rows
    CustomerFactory.create(organization=org, external_id="C1")
    path = write_csv(tmp_path / "ventes.csv", SALES)
    settings.MEDIA_ROOT = str(tmp_path / "media")  # type: ignore[attr-defined]
    out, _err = run_import("transactions", str(path), "--org", org.slug, "--skip-invalid", "--language", "en")
    # Then the command says where the rejects file is, and it is there
    job = ImportJob.objects.get()
    assert job.rejects_path
    assert f"Rejected rows written to {job.rejects_path}." in out
    assert Path(job.rejects_path).is_file()


def test_the_command_prints_the_mapping_used_and_the_columns_ignored(
    tmp_path: Path, org: Organization
) -> None:
    CustomerFactory.create(organization=org, external_id="C1")
    path = write_csv(tmp_path / "ventes.csv", SALES.replace("V2;C9", "V2;C1"))
    out, _err = run_import("transactions", str(path), "--org", org.slug, "--language", "en")
    assert "Columns imported: N° commande → external_id, Code client → customer, Date → occurred_at, " in out
    assert "Montant → amount." in out
    assert "Column ignored: Remarque." in out


def test_json_prints_a_machine_readable_report(tmp_path: Path, org: Organization) -> None:
    # Given a file with one good and one bad row
    CustomerFactory.create(organization=org, external_id="C1")
    path = write_csv(tmp_path / "ventes.csv", SALES)
    rejects = tmp_path / "rejets.csv"
    # When it is imported with --json
    out, _err = run_import(
        "transactions", str(path), "--org", org.slug, "--skip-invalid", "--rejects", str(rejects), "--json"
    )
    # Then stdout is one JSON document with counts, mapping, encoding and problems
    report = json.loads(out)
    assert report["counts"] == {"lines": 2, "written": 1, "duplicates": 0, "rejected": 1, "problems": 1}
    assert {"column": "Remarque", "field": None} in report["mapping"]
    assert report["ignored_columns"] == ["Remarque"]
    assert report["encoding"]
    assert report["problems"][0]["line"] == 3
    assert report["rejects_file"] == str(rejects)


def test_an_unknown_customer_on_many_lines_is_listed_once_with_its_count(
    tmp_path: Path, org: Organization
) -> None:
    rows = "".join(f"V{i};C9;15/03/2024;10,00\n" for i in range(30))
    path = write_csv(tmp_path / "ventes.csv", "N° commande;Code client;Date;Montant\n" + rows)
    _message, err = failing_import("transactions", str(path), "--org", org.slug, "--language", "en")
    assert err.count("C9") == 1, err
    assert "it is on 30 lines: 2, 3, 4, 5, 6 …" in err


def test_an_out_of_range_value_gives_its_bounds(tmp_path: Path, org: Organization) -> None:
    CustomerFactory.create(organization=org, external_id="C1")
    path = write_csv(tmp_path / "avis.csv", "Code client;Type;Date;Note\nC1;avis;15/03/2024;12\n")
    _message, err = failing_import("loyalty-acts", str(path), "--org", org.slug, "--language", "en")
    assert "out of range: from 0 to 5" in err
