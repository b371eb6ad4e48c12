"""Till and accounting exports of sales: items of one ticket, repeated lines, currencies, decimals."""

from collections.abc import Callable
from pathlib import Path

from ecoute.accounts.models import Organization
from ecoute.customers.models import Customer


def write_lines(path: Path, *lines: str, encoding: str = "utf-8") -> Path:
    """A CSV export with Windows line ends."""
    path.write_bytes("".join(f"{line}\r\n" for line in lines).encode(encoding))
    return path


def customers_given(*external_ids: str) -> Callable[[Organization], None]:
    """The customers a sales file refers to, written before it is imported."""

    def given(org: Organization) -> None:
        for external_id in external_ids:
            Customer.objects.create(organization=org, external_id=external_id, last_name=external_id)

    return given


CASES: list[object] = []
