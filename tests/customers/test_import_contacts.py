"""Postcodes and phones that lost their leading zero in a spreadsheet are repaired when the country leaves
no doubt, and every phone is kept in E.164 to match customers on it."""

from pathlib import Path

from ecoute.accounts.models import Organization
from ecoute.customers.models import Customer
from ecoute.lib.contacts import phone_e164, repair_postcode
from tests.customers.importing import run_import, write_csv


def test_french_postcodes_and_phones_get_their_leading_zero_back(tmp_path: Path, org: Organization) -> None:
    # Given an export saved from Excel: zeros lost, in a French row, a Belgian one, and one without country
    path = write_csv(
        tmp_path / "clients.csv",
        "Code client;Téléphone;Code postal;Pays\n"
        "C1;612345678;1000;FR\n"
        "C2;06 12 34 56 78;75011;FR\n"
        "C3;612345678;1000;BE\n"
        "C4;0033 6 12 34 56 78;1000;\n",
    )
    # When it is imported by an organization in Paris
    run_import("customers", str(path), "--org", org.slug)
    # Then the French rows are repaired, the Belgian one is left as written, and every phone matches in E.164
    stored = {
        c.external_id: (c.phone, c.postcode, c.phone_e164) for c in Customer.objects.filter(organization=org)
    }
    assert stored == {
        "C1": ("+33612345678", "01000", "+33612345678"),
        "C2": ("06 12 34 56 78", "75011", "+33612345678"),
        "C3": ("612345678", "1000", ""),
        "C4": ("0033 6 12 34 56 78", "01000", "+33612345678"),
    }


def test_e164_reads_the_usual_spellings_of_a_number() -> None:
    for written in (
        "06 12 34 56 78",
        "06.12.34.56.78",
        "+33 6 12 34 56 78",
        "+33 (0)6 12 34 56 78",
        "0033612345678",
    ):
        assert phone_e164(written, french=True) == "+33612345678", written
    assert phone_e164("+32 2 123 45 67", french=False) == "+3221234567"
    assert phone_e164("0612345678", french=False) == ""
    assert repair_postcode("1000", french=False) == "1000"
