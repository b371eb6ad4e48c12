"""Excel and OpenDocument exports, with dates stored as serial numbers, import like CSV."""

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from ecoute.accounts.models import Organization
from ecoute.customers.models import Customer, Transaction
from tests.customers.importing import run_import
from tests.lib.spreadsheet_files import write_ods, write_xlsx

ROWS = [
    ["N° client", "Prénom", "Nom", "Date de création"],
    ["1001", "Zoé", "Marchand", date(2023, 11, 5)],
    [1002, "Émile", "Roux", date(2024, 1, 20)],
]
SALES = [
    ["N° commande", "N° client", "Date de commande", "Montant TTC"],
    ["F-1", "1001", datetime(2024, 6, 1, 9, 15), 19.9],
    ["F-2", 1002, date(2024, 6, 2), "1 234,56 €"],
]


@pytest.mark.parametrize("write", [write_xlsx, write_ods], ids=["xlsx", "ods"])
def test_a_workbook_export_is_imported_with_its_dates_and_numbers(
    tmp_path: Path, org: Organization, write: object
) -> None:
    suffix = "xlsx" if write is write_xlsx else "ods"
    customers = write(tmp_path / f"clients.{suffix}", ROWS)  # type: ignore[operator]
    sales = write(tmp_path / f"ventes.{suffix}", SALES)  # type: ignore[operator]
    run_import("customers", str(customers), "--org", org.slug)
    run_import("transactions", str(sales), "--org", org.slug)
    # Numeric CRM ids read as whole numbers, not "1002.0"
    assert set(Customer.objects.values_list("external_id", flat=True)) == {"1001", "1002"}
    assert Customer.objects.get(external_id="1002").created_at == datetime(2024, 1, 19, 23, 0, tzinfo=UTC)
    f1 = Transaction.objects.get(external_id="F-1")
    assert f1.occurred_at == datetime(2024, 6, 1, 7, 15, tzinfo=UTC)
    assert f1.amount == Decimal("19.90")
    assert Transaction.objects.get(external_id="F-2").amount == Decimal("1234.56")
