"""Exports joined end to end keep the byte-order mark of each part: it is no part of the first value."""

from pathlib import Path

from ecoute.accounts.models import Organization
from ecoute.customers.models import Customer
from tests.customers.importing import run_import


def test_a_byte_order_mark_inside_the_file_does_not_make_another_customer(
    org: Organization, tmp_path: Path
) -> None:
    # Given two UTF-8 exports with a byte-order mark, the second joined after the first (cat a b > c)
    first = "Code client;E-mail\nC1;c1@exemple.fr\nC2;c2@exemple.fr\n".encode("utf-8-sig")
    second = "C2;c2@exemple.fr\nC3;c3@exemple.fr\n".encode("utf-8-sig")
    path = tmp_path / "clients.csv"
    path.write_bytes(first + second)

    # When the joined file is imported
    run_import("customers", str(path), "--org", org.slug)

    # Then C2 is one customer, and no id holds the invisible mark
    assert sorted(Customer.objects.values_list("external_id", flat=True)) == ["C1", "C2", "C3"]
