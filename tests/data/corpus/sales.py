"""Till and accounting exports of sales: items of one ticket, repeated lines, currencies, decimals."""

import datetime as dt
import tempfile
from collections.abc import Callable
from decimal import Decimal
from io import StringIO
from pathlib import Path

from django.core.management import call_command

from ecoute.accounts.models import Organization
from ecoute.customers.models import Customer, Transaction, TransactionLine
from tests.data.corpus import Case, Expected
from tests.lib.spreadsheet_files import Rows, write_xlsx


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


def _till_items(folder: Path) -> Path:
    # Ticket T1 has three items; its third line is printed twice; T2 has one item.
    return write_lines(
        folder / "caisse_articles.csv",
        "N° ticket;Code client;Date;Article;Qté;Prix unitaire;Montant",
        "T1;C1;15/03/2024 10:02;Pain;2;1,10;2,20",
        "T1;C1;15/03/2024 10:02;Café;1;3,60;3,60",
        "T1;C1;15/03/2024 10:02;Croissant;2;1,00;2,00",
        "T1;C1;15/03/2024 10:02;Croissant;2;1,00;2,00",
        "T2;C2;15/03/2024 10:05;Thé;1;4,00;4,00",
    )


def _one_sale_of_three_items(org: Organization) -> None:
    sale = Transaction.objects.get(organization=org, external_id="T1")
    assert (sale.amount, sale.lines_count) == (Decimal("7.80"), 3), (sale.amount, sale.lines_count)
    items = list(
        TransactionLine.objects.filter(transaction=sale).values_list(
            "position", "product", "quantity", "unit_price"
        )
    )
    assert items == [
        (1, "Pain", Decimal(2), Decimal("1.10")),
        (2, "Café", Decimal(1), Decimal("3.60")),
        (3, "Croissant", Decimal(2), Decimal("1.00")),
    ], items
    assert Transaction.objects.get(organization=org, external_id="T2").lines_count == 1
    assert TransactionLine.objects.filter(transaction__organization=org).count() == 4


def _ticket_lines_that_disagree(folder: Path) -> Path:
    # T1's second line names another customer, T2's another day, T3's another currency: not one sale each.
    return write_lines(
        folder / "caisse_incoherente.csv",
        "N° ticket;Code client;Date;Montant",
        "T1;C1;15/03/2024;2,20",
        "T1;C2;15/03/2024;3,60",
        "T2;C1;15/03/2024;1,00",
        "T2;C1;16/03/2024;1,00",
        "T3;C1;15/03/2024;2,20 €",
        "T3;C1;15/03/2024;3,60 $",
        "T4;C1;15/03/2024;5,00",
    )


def _first_lines_only(org: Organization) -> None:
    sales = dict(Transaction.objects.filter(organization=org).values_list("external_id", "amount"))
    assert sales == {
        "T1": Decimal("2.20"),
        "T2": Decimal("1.00"),
        "T3": Decimal("2.20"),
        "T4": Decimal("5.00"),
    }, sales


def _formula_amounts(folder: Path) -> Path:
    # Totals computed by Excel formulas: 2,20 + 3,60 + 2,00 is stored as 7.800000000000001.
    path = folder / "caisse_formules.xlsx"
    write_xlsx(
        path,
        [
            ["N° ticket", "Code client", "Date", "Montant"],
            ["T1", "C1", dt.datetime(2024, 3, 15, 10, 2), 2.2 + 3.6 + 2.0],
            ["T2", "C1", dt.datetime(2024, 3, 15, 10, 5), 0.1 + 0.2],
        ],
    )
    return path


def _amounts_as_shown(org: Organization) -> None:
    sales = dict(Transaction.objects.filter(organization=org).values_list("external_id", "amount"))
    assert sales == {"T1": Decimal("7.80"), "T2": Decimal("0.30")}, sales


def _sales_without_id(folder: Path) -> Path:
    # Two identical purchases of the same day, and one amount written two ways.
    return write_lines(
        folder / "ventes_sans_numero.csv",
        "Code client;Date;Montant;Magasin",
        "C1;03/04/2024;12,50;Lyon",
        "C1;03/04/2024;12,50;Lyon",
        "C1;04/04/2024;10,00;Lyon",
        "C2;04/04/2024;10;Lyon",
    )


def _three_and_one(org: Organization) -> None:
    assert Transaction.objects.filter(organization=org).count() == 4
    totals = sorted(Transaction.objects.filter(organization=org).values_list("amount", flat=True))
    assert totals == [Decimal("10.00"), Decimal("10.00"), Decimal("12.50"), Decimal("12.50")], totals


def _rerun_of_sales_without_id(folder: Path) -> Path:
    # The same sales, the amounts written another way: a rerun updates them, it does not add any.
    return write_lines(
        folder / "ventes_sans_numero_bis.csv",
        "Code client;Date;Montant;Magasin",
        "C1;03/04/2024;12.5;Lyon",
        "C1;03/04/2024;12.50;Lyon",
        "C1;04/04/2024;10;Lyon",
        "C2;04/04/2024;10,00;Lyon",
    )


def _imported_before(org: Organization) -> None:
    """The first export of these sales, imported as a user would."""
    customers_given("C1", "C2")(org)
    path = _sales_without_id(Path(tempfile.mkdtemp(prefix="ecoute-corpus-")))
    call_command("import", "transactions", str(path), "--org", org.slug, stdout=StringIO(), stderr=StringIO())


def _same_sales_as_xlsx(folder: Path) -> Path:
    # The sales of ventes_sans_numero.csv, saved from Excel: date cells, amounts as numbers.
    path = folder / "ventes_sans_numero.xlsx"
    rows: Rows = [
        ["Code client", "Date", "Montant", "Magasin"],
        ["C1", dt.date(2024, 4, 3), 12.5, "Lyon"],
        ["C1", dt.date(2024, 4, 3), 12.5, "Lyon"],
        ["C1", dt.date(2024, 4, 4), 10.0, "Lyon"],
        ["C2", dt.date(2024, 4, 4), 10, "Lyon"],
    ]
    write_xlsx(path, rows, sheet="Ventes", before=None)
    return path


def _dollars(folder: Path) -> Path:
    return write_lines(
        folder / "ventes_devises.csv",
        "N° ticket;Code client;Date;Montant",
        "T1;C1;15/03/2024;12,50 $",
        "T2;C1;15/03/2024;12.50 USD",
        "T3;C1;15/03/2024;12,50 €",
        "T4;C1;15/03/2024;12,50",
    )


def _currencies_kept(org: Organization) -> None:
    currencies = dict(Transaction.objects.filter(organization=org).values_list("external_id", "currency"))
    assert currencies == {"T1": "USD", "T2": "USD", "T3": "EUR", "T4": "EUR"}, currencies


def _single_currency_org(org: Organization) -> None:
    customers_given("C1")(org)
    org.single_currency = True
    org.save()


def _too_many_decimals(folder: Path) -> Path:
    return write_lines(
        folder / "ventes_decimales.csv",
        "N° ticket;Code client;Date;Montant",
        "T1;C1;15/03/2024;1.234",
        "T2;C1;15/03/2024;0,005",
        "T3;C1;15/03/2024;12,500",
        "T4;C1;15/03/2024;1 200 JPY",
    )


def _cents_as_written(org: Organization) -> None:
    amounts = dict(Transaction.objects.filter(organization=org).values_list("external_id", "amount"))
    assert amounts == {"T3": Decimal("12.50")}, amounts


def _customers_twice(folder: Path) -> Path:
    return write_lines(
        folder / "clients_en_double.csv",
        "N° client;Nom;Ville",
        "C1;Durand;Paris",
        "C2;Petit;Lyon",
        "C1;Durand;Nantes",
    )


CASES = [
    Case(
        "till items sharing a ticket number are one sale with its total",
        "transactions",
        _till_items,
        Expected(
            succeeds=True,
            written=2,
            rejected=0,
            says=("3 lines → 1 sale of several items", "1 duplicate line folded", "2 sales imported"),
            stored=_one_sale_of_three_items,
        ),
        given=customers_given("C1", "C2"),
    ),
    Case(
        "lines of one ticket naming another customer, day or currency are refused with their lines",
        "transactions",
        _ticket_lines_that_disagree,
        Expected(
            succeeds=False,
            says=(
                "line 3, column “Code client”, value “C2”: line 2 has the same sale id",
                "line 5, column “Date”, value “16/03/2024”: line 4 has the same sale id",
                "line 7, column “Montant”, value “USD”: line 6 has the same sale id",
            ),
        ),
        given=customers_given("C1", "C2"),
    ),
    Case(
        "with --skip-invalid, lines of one ticket that disagree are rejected, never summed",
        "transactions",
        _ticket_lines_that_disagree,
        Expected(succeeds=True, written=4, rejected=3, stored=_first_lines_only),
        args=("--skip-invalid",),
        given=customers_given("C1", "C2"),
    ),
    Case(
        "amounts computed by spreadsheet formulas are read as the spreadsheet shows them",
        "transactions",
        _formula_amounts,
        Expected(succeeds=True, written=2, rejected=0, stored=_amounts_as_shown),
        given=customers_given("C1"),
    ),
    Case(
        "identical sales without an id are distinct purchases",
        "transactions",
        _sales_without_id,
        Expected(succeeds=True, written=4, rejected=0, stored=_three_and_one),
        given=customers_given("C1", "C2"),
    ),
    Case(
        "a rerun of sales without an id, amounts written otherwise, adds none",
        "transactions",
        _rerun_of_sales_without_id,
        Expected(succeeds=True, written=4, rejected=0, stored=_three_and_one),
        given=_imported_before,
    ),
    Case(
        "the same sales without an id exported as CSV then as xlsx are not doubled",
        "transactions",
        _same_sales_as_xlsx,
        Expected(succeeds=True, written=4, rejected=0, stored=_three_and_one),
        given=_imported_before,
    ),
    Case(
        "a currency written with the amount is the sale's currency",
        "transactions",
        _dollars,
        Expected(succeeds=True, written=4, stored=_currencies_kept),
        given=customers_given("C1"),
    ),
    Case(
        "an organization that keeps one currency refuses sales in another",
        "transactions",
        _dollars,
        Expected(succeeds=False, says=("line 2,", "line 3,", "keeps every sale in EUR")),
        given=_single_currency_org,
    ),
    Case(
        "amounts with more decimals than their currency are refused",
        "transactions",
        _too_many_decimals,
        # Each amount quoted as the file writes it, so that it can be found there.
        Expected(succeeds=False, says=("line 2,", "value “0,005”", "at most 2", "JPY")),
        given=customers_given("C1"),
    ),
    Case(
        "with --skip-invalid, only amounts to the cent are stored",
        "transactions",
        _too_many_decimals,
        Expected(succeeds=True, written=1, rejected=3, stored=_cents_as_written),
        args=("--skip-invalid",),
        given=customers_given("C1"),
    ),
    Case(
        "a customer repeated in the file says which line won",
        "customers",
        _customers_twice,
        Expected(succeeds=True, written=2, says=("C1 (2, 4)", "the last line wins")),
    ),
]
