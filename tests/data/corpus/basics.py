"""The everyday exports that must go through untouched."""

from pathlib import Path

from ecoute.accounts.models import Organization
from ecoute.customers.models import Customer
from tests.data.corpus import Case, Expected


def _cp1252_customers(folder: Path) -> Path:
    path = folder / "clients.csv"
    text = (
        "N° client;Prénom;Nom;Courriel\r\n"
        "C1;Hélène;Lefèvre;helene@exemple.fr\r\n"
        "C2;Zoé;Bénard;zoe@exemple.fr\r\n"
    )
    path.write_bytes(text.encode("cp1252"))
    return path


def _accents_kept(org: Organization) -> None:
    names = set(Customer.objects.filter(organization=org).values_list("first_name", "last_name"))
    assert names == {("Hélène", "Lefèvre"), ("Zoé", "Bénard")}, names


CASES = [
    Case(
        "cp1252 semicolon customers",
        "customers",
        _cp1252_customers,
        Expected(succeeds=True, written=2, rejected=0, stored=_accents_kept),
    ),
]
