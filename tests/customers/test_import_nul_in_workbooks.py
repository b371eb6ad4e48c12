"""A workbook spelling NUL characters (Excel writes them as _x0000_) imports like a CSV: they are dropped."""

from pathlib import Path

from ecoute.accounts.models import Organization
from ecoute.customers.models import Customer
from tests.customers.importing import run_import
from tests.lib.spreadsheet_files import write_xlsx


def test_nul_characters_spelled_in_a_workbook_are_dropped_on_every_database(
    tmp_path: Path, org: Organization
) -> None:
    # Given an Excel export whose id, name, header and CRM field hold NUL characters, as _x0000_
    path = write_xlsx(
        tmp_path / "clients.xlsx",
        [
            ["Code client", "Prénom", "Fidé_x0000_lité"],
            ["C1_x0000_", "Hél_x0000_ène", "or_x0000_"],
        ],
    )

    # When it is imported (PostgreSQL refuses NUL in text; SQLite would store it)
    out, _err = run_import("customers", str(path), "--org", org.slug)

    # Then the customer is stored without them, as a CSV with NUL characters is read
    assert "1" in out
    customer = Customer.objects.get(organization=org)
    assert (customer.external_id, customer.first_name) == ("C1", "Hélène")
    assert customer.attributes == {"Fidélité": "or"}
