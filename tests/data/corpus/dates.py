"""Dates as French exports write them, and dates an import must refuse rather than store wrongly."""

from datetime import UTC, datetime
from pathlib import Path

from ecoute.accounts.models import Organization
from ecoute.customers.models import Transaction
from tests.data.corpus import Case, Expected
from tests.data.corpus.sales import customers_given, write_lines


def _named_months(folder: Path) -> Path:
    return write_lines(
        folder / "ventes_mois_en_lettres.csv",
        "N° ticket;Code client;Date;Montant",
        "T1;C1;15 mars 2024;10,00",
        "T2;C1;1er janvier 2024;11,00",
        "T3;C2;31 déc. 2024;12,00",
        "T4;C2;02/05/2024 10:30;13,00",
    )


def _named_months_stored(org: Organization) -> None:
    days = dict(Transaction.objects.filter(organization=org).values_list("external_id", "occurred_at"))
    # Midnight in Paris is the evening before in UTC.
    assert days == {
        "T1": datetime(2024, 3, 14, 23, tzinfo=UTC),
        "T2": datetime(2023, 12, 31, 23, tzinfo=UTC),
        "T3": datetime(2024, 12, 30, 23, tzinfo=UTC),
        "T4": datetime(2024, 5, 2, 8, 30, tzinfo=UTC),
    }, days


def _one_month_first_value(folder: Path) -> Path:
    # Forty ambiguous days and one 05/13/2024 on line 12: a typo, or an American export?
    lines = [f"T{i};C1;{1 + i % 12:02d}/{1 + i % 11:02d}/2024;10,00" for i in range(40)]
    lines.insert(10, "T99;C1;05/13/2024;10,00")
    return write_lines(folder / "ventes_un_mois_en_premier.csv", "N° ticket;Code client;Date;Montant", *lines)


def _month_first_stored(org: Organization) -> None:
    # T12 is 01/02/2024: 2 January, whose midnight in Paris is 23:00 UTC the day before.
    sale = Transaction.objects.get(organization=org, external_id="T12")
    assert sale.occurred_at == datetime(2024, 1, 1, 23, tzinfo=UTC), sale.occurred_at


def _implausible_years(folder: Path) -> Path:
    return write_lines(
        folder / "ventes_annees.csv",
        "N° ticket;Code client;Date;Montant",
        "T1;C1;15/03/0024;10,00",
        "T2;C1;01/01/1900;10,00",
        "T3;C1;15/03/2099;10,00",
        "T4;C1;15/03/2024;10,00",
    )


def _spring_forward(folder: Path) -> Path:
    return write_lines(
        folder / "ventes_heure_d_ete.csv",
        "N° ticket;Code client;Date;Montant",
        "T1;C1;31/03/2024 01:30;10,00",
        "T2;C1;31/03/2024 02:30;10,00",
        "T3;C1;27/10/2024 02:30;10,00",
        "T4;C1;2024-03-31T02:45;10,00",
    )


def _autumn_time_read_as_summer_time(org: Organization) -> None:
    sale = Transaction.objects.get(organization=org, external_id="T3")
    assert sale.occurred_at == datetime(2024, 10, 27, 0, 30, tzinfo=UTC), sale.occurred_at


def _autumn_twice(folder: Path) -> Path:
    return write_lines(
        folder / "ventes_heure_d_hiver.csv",
        "N° ticket;Code client;Date;Montant",
        "T3;C1;27/10/2024 02:30;10,00",
    )


def _only_existing_times_stored(org: Organization) -> None:
    sales = set(Transaction.objects.filter(organization=org).values_list("external_id", flat=True))
    assert sales == {"T1", "T3"}, sales


CASES = [
    Case(
        "French month names are read and written alike",
        "transactions",
        _named_months,
        Expected(succeeds=True, written=4, rejected=0, stored=_named_months_stored),
        given=customers_given("C1", "C2"),
    ),
    Case(
        "one month-first date among ambiguous ones is refused with its line",
        "transactions",
        _one_month_first_value,
        Expected(succeeds=False, says=("--date-order", "lines 12")),
        given=customers_given("C1"),
    ),
    Case(
        "with --skip-invalid, one month-first date among ambiguous ones rejects its line, counted once",
        "transactions",
        _one_month_first_value,
        Expected(
            succeeds=True,
            written=40,
            rejected=1,
            says=("line 12, column “Date”, value “05/13/2024”: this column would be read month first",),
        ),
        args=("--skip-invalid",),
        given=customers_given("C1"),
    ),
    Case(
        "--date-order mdy reads the column month first",
        "transactions",
        _one_month_first_value,
        Expected(succeeds=True, written=41, stored=_month_first_stored),
        args=("--date-order", "mdy"),
        given=customers_given("C1"),
    ),
    Case(
        "dates outside the plausible years are refused with the window",
        "transactions",
        _implausible_years,
        Expected(succeeds=False, says=("line 2,", "line 3,", "line 4,", "1950 to 20")),
        given=customers_given("C1"),
    ),
    Case(
        "a local time skipped by the spring change is refused",
        "transactions",
        _spring_forward,
        Expected(succeeds=False, says=("line 3,", "line 5,", "does not exist in Europe/Paris")),
        given=customers_given("C1"),
    ),
    Case(
        "with --skip-invalid, a local time skipped by the spring change is rejected, never shifted",
        "transactions",
        _spring_forward,
        Expected(succeeds=True, written=2, rejected=2, stored=_only_existing_times_stored),
        args=("--skip-invalid",),
        given=customers_given("C1"),
    ),
    Case(
        "a local time that happens twice in autumn is read as summer time, with a note",
        "transactions",
        _autumn_twice,
        Expected(succeeds=True, written=1, says=("happens twice",), stored=_autumn_time_read_as_summer_time),
        given=customers_given("C1"),
    ),
    Case(
        "French month names are read, and the report says so in French",
        "transactions",
        _named_months,
        Expected(
            succeeds=True,
            written=4,
            says=("4 ventes importées", "Colonnes importées\xa0: N° ticket → external_id"),
        ),
        given=customers_given("C1", "C2"),
        language="fr",
    ),
    Case(
        "a refused date order is explained in French",
        "transactions",
        _one_month_first_value,
        Expected(succeeds=False, says=("lue le mois d’abord", "lignes 12")),
        given=customers_given("C1"),
        language="fr",
    ),
]
