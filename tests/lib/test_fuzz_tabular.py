"""No file, however broken or hostile, crashes the reader or escapes as anything but a reading problem.

Hypothesis generates random bytes, CSV with broken quotes in random encodings, and workbooks cut
short, with bytes changed, with XML mangled, or declaring sizes they do not hold. Each is opened,
previewed and read whole; the only failures allowed are ``TabularError`` and ``InvalidValueError``.
A workbook that kills its reading process shows up as a ``TabularError`` here; one that killed this
process would end the test run. Examples are few and bounded, so that a run takes seconds.
"""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecoute.lib.tabular import InvalidValueError, TabularError, open_table

from . import hostile_files
from .spreadsheet_files import write_ods, write_xlsx

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# A workbook that passes the checks is read by a process of its own: fewer examples.
WORKBOOKS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ENCODINGS = [
    "utf-8",
    "utf-8-sig",
    "utf-16",
    "utf-16-le",
    "utf-16-be",
    "cp1252",
    "iso-8859-15",
    "cp850",
    "mac-roman",
    "latin-1",
    "shift_jis",
    "koi8-r",
    "ascii",
]


def _read(
    data: bytes,
    name: str = "upload",
    *,
    encoding: str | None = None,
    header_row: int | None = None,
    sheet: str | None = None,
) -> None:
    """Open, preview and read ``data`` whole, twice; reading problems are the expected outcome."""
    problem: TabularError | InvalidValueError | None = None
    try:
        with open_table(
            io.BytesIO(data), original_name=name, encoding=encoding, header_row=header_row, sheet=sheet
        ) as table:
            table.preview(5)
            for _ in table.rows(ragged="keep"):
                pass
            for _ in table.rows(ragged="keep"):
                pass
    except (TabularError, InvalidValueError) as error:
        problem = error
    if problem is not None:
        assert problem.code
        assert str(problem)
        # A failure the workbook checks did not foresee is refused as damaged, but it is a bug to fix.
        assert not str(problem.params.get("detail", "")).startswith("unexpected"), problem.params


@FAST
@given(st.binary(max_size=4096))
def test_random_bytes(data: bytes) -> None:
    _read(data)


cells = st.text(
    alphabet=st.sampled_from(list("abcéèŒœ€°Total;,\t|\"'\r\n =+-@0123456789\x00\x1a\x85\u2028")), max_size=12
)


@FAST
@given(
    st.lists(st.lists(cells, min_size=1, max_size=6), min_size=1, max_size=12),
    st.sampled_from([";", ",", "\t", "|"]),
    st.sampled_from(ENCODINGS),
    st.sampled_from(["\r\n", "\n", "\r"]),
    st.tuples(st.booleans(), st.none() | st.integers(min_value=1, max_value=6)),
)
def test_csv_with_broken_quotes_in_random_encodings(
    rows: list[list[str]], delimiter: str, encoding: str, newline: str, options: tuple[bool, int | None]
) -> None:
    # The encoding found from the file, or given; the header found, or given.
    given, header_row = options
    text = newline.join(delimiter.join(row) for row in rows)
    data = text.encode(encoding, errors="replace")
    _read(data, "export.csv", encoding=encoding if given else None, header_row=header_row)


def _workbook(kind: str, rows: list[list[str | int | None]]) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"classeur.{kind}"
        (write_xlsx if kind == "xlsx" else write_ods)(path, rows)
        return path.read_bytes()


small_rows = st.lists(
    st.lists(st.one_of(st.none(), st.integers(-(10**6), 10**6), st.text(max_size=8)), min_size=1, max_size=4),
    min_size=0,
    max_size=6,
)


@WORKBOOKS
@given(st.sampled_from(["xlsx", "ods"]), small_rows, st.data())
def test_workbooks_cut_short_or_with_bytes_changed(
    kind: str, rows: list[list[str | int | None]], data: st.DataObject
) -> None:
    damaged = bytearray(_workbook(kind, rows))
    for _ in range(data.draw(st.integers(0, 4))):
        damaged[data.draw(st.integers(0, len(damaged) - 1))] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):
        del damaged[data.draw(st.integers(0, len(damaged))) :]
    _read(bytes(damaged), f"classeur.{kind}")


@WORKBOOKS
@given(
    st.sampled_from(["xlsx", "ods"]),
    st.lists(small_rows, min_size=1, max_size=3),
    st.sampled_from([None, "all", "S1"]),
    st.sampled_from(["xlsx", "ods", "xls", "csv"]),
)
def test_workbooks_of_several_sheets_read_whole_or_by_name_whatever_their_name(
    kind: str, sheets: list[list[list[str | int | None]]], sheet: str | None, ending: str
) -> None:
    # Sheets S0, S1… of random rows, one chosen or all of them, in a file named with any ending.
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"classeur.{kind}"
        *before, last = sheets
        named = {f"S{index}": rows for index, rows in enumerate(before)}
        (write_xlsx if kind == "xlsx" else write_ods)(path, last, sheet=f"S{len(before)}", before=named)
        _read(path.read_bytes(), f"classeur.{ending}", sheet=sheet)


def _rewrite(book: bytes, part: str, change: re.Pattern[str], replacement: str) -> bytes:
    """``book`` with the XML of ``part`` changed, the zip itself valid."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(book)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == part:
                content = change.sub(lambda _match: replacement, content.decode(), count=1).encode()
            target.writestr(info, content)
    return out.getvalue()


# Each trick changes the first match in the sheet's XML of a small valid workbook.
TRICKS = {
    "xlsx": [
        (r'<c r="B2"', '<c r="{letters}{number}"'),  # one cell moved far away
        (r'<row r="3"', '<row r="{number}"'),  # a row numbered far away, its cells keeping theirs
        (r'<c r="A3"', "<c"),  # a cell without a reference, after the previous one of its row
        (r"</sheetData>", '<row r="{number}"><c><v>1</v></c></row></sheetData>'),
        (r"<c r=", "<c {junk} r="),
        (r'<c r="B2"', "<c r = '{letters}{number}'"),
        (r"<sheetData>", '<dimension ref="A1:{letters}{number}"/><sheetData>'),
    ],
    "ods": [
        (r"<table:table-row>", '<table:table-row table:number-rows-repeated="{number}">'),
        (
            r"<table:table-cell office:value-type=\"float\"",
            '<table:table-cell table:number-columns-repeated="{number}" office:value-type="float"',
        ),
        (r"<table:table-cell", '<table:table-cell table:number-columns-repeated="{number}"'),
        (r"</table:table-row>", '</table:table-row><table:table-row table:number-rows-repeated="{number}"/>'),
        (r"<text:p>", "<text:p>{junk}"),
    ],
}
far_numbers = st.one_of(st.integers(0, 100), st.integers(10**5, 10**12))


@WORKBOOKS
@given(
    st.sampled_from(["xlsx", "ods"]),
    st.data(),
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=9),
    far_numbers,
    st.text(alphabet='<>/="&;ab: ', max_size=12),
)
def test_workbooks_declaring_sizes_they_do_not_hold(
    kind: str, data: st.DataObject, letters: str, number: int, junk: str
) -> None:
    pattern, replacement = data.draw(st.sampled_from(TRICKS[kind]))
    book = _workbook(kind, [["Nom", "Ville"], ["Durand", "Lyon"], [1, 2]])
    part = "xl/worksheets/sheet1.xml" if kind == "xlsx" else "content.xml"
    text = replacement.format(letters=letters, number=number, junk=junk)
    _read(_rewrite(book, part, re.compile(pattern), text), f"piege.{kind}")


@WORKBOOKS
@given(st.integers(0, 2**32 - 1))
def test_workbooks_declaring_any_number_of_shared_texts(declared: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = hostile_files.shared_strings_xlsx(Path(folder) / "textes.xlsx", declared)
        _read(path.read_bytes(), "textes.xlsx")
