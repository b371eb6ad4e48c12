"""The lines sharing a sale id are the items of one sale only if they agree on its customer, date and
currency; a line that does not is named, however far from the sale's first line it comes."""

from ecoute.customers.importing.problems import RowProblem
from ecoute.customers.importing.sales import RepeatedKeys

FIELDS = [(1, "Code client"), (2, "Date")]


def test_a_line_far_from_its_sale_s_first_line_is_refused_naming_the_sale_id() -> None:
    # Given a ticket's first line, fifty thousand other tickets, then one of its lines for another customer
    keys = RepeatedKeys(0)
    keys.check_sales(FIELDS, "N° ticket")
    rows = [(2, ("T0", "C1", "15/03/2024"))] + [
        (3 + i, (f"T{i + 1}", "C1", "15/03/2024")) for i in range(50_000)
    ]
    far = (50_003, ("T0", "C2", "15/03/2024"))
    problems: list[RowProblem] = []

    # When pass 1 sees them
    kept = keys.see([*rows, far], problems)

    # Then the far line is refused naming its line, the sale id and the line it contradicts
    assert far not in kept
    assert [(p.line, p.column, p.value, p.code, p.params) for p in problems] == [
        (50_003, "N° ticket", "T0", "sale_lines_disagree", {"first_line": 2})
    ]


def test_a_line_near_its_sale_s_first_line_is_refused_naming_the_field_it_changes() -> None:
    # Given a ticket's two lines, the second a day later
    keys = RepeatedKeys(0)
    keys.check_sales(FIELDS, "N° ticket")
    problems: list[RowProblem] = []

    # When pass 1 sees them
    kept = keys.see([(2, ("T1", "C1", "15/03/2024")), (3, ("T1", "C1", "16/03/2024"))], problems)

    # Then the second is refused naming the date, and the first kept
    assert kept == [(2, ("T1", "C1", "15/03/2024"))]
    assert [(p.line, p.column, p.value) for p in problems] == [(3, "Date", "16/03/2024")]
    assert keys.repeated == {}
