"""Files the reader must read as they mean, or refuse naming why: encodings, broken structure, sheets."""

from collections.abc import Callable
from pathlib import Path

from ecoute.accounts.models import Organization
from ecoute.customers.models import Customer
from tests.data.corpus import Case, Expected
from tests.lib.spreadsheet_files import write_ods, write_xlsx

HEADER = "N° client;Prénom;Nom;Ville\r\n"
ROWS = "C1;Hélène;Lefèvre;Besançon\r\nC2;Zoé;Œuvray;Nîmes\r\nC3;François;Bénard;Orléans\r\n"
NAMES = {("Hélène", "Lefèvre"), ("Zoé", "Œuvray"), ("François", "Bénard")}


def _names(org: Organization) -> set[tuple[str, str]]:
    return set(Customer.objects.filter(organization=org).values_list("first_name", "last_name"))


def _stored(expected: set[tuple[str, str]]) -> Callable[[Organization], None]:
    def check(org: Organization) -> None:
        assert _names(org) == expected, _names(org)

    return check


def _text_file(name: str, text: str, encoding: str, tail: bytes = b"") -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(text.encode(encoding) + tail)
        return path

    return build


def _bytes_file(name: str, data: bytes) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data)
        return path

    return build


def _utf8_with_bad_lines(folder: Path) -> Path:
    good = "C{n};Éric;Lefèvre;Orléans\r\n"
    rows = [good.format(n=n) for n in range(1, 4000)]
    rows[4] = rows[4].replace("Éric", "René")
    lines = [row.encode() for row in rows]
    lines[4] = rows[4].encode("cp1252")  # line 6 of the file
    lines[-2] = rows[-2].encode("cp1252")  # far past the first 64 KiB: line 3999
    path = folder / "clients-utf8.csv"
    path.write_bytes(HEADER.encode() + b"".join(lines))
    return path


def _workbook(kind: str, name: str, sheets: dict[str, list[list[object]]]) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        *before, (last, rows) = sheets.items()
        path = folder / name
        (write_xlsx if kind == "xlsx" else write_ods)(path, rows, sheet=last, before=dict(before))  # type: ignore[arg-type]
        return path

    return build


SHEET_HEADER: list[object] = ["N° client", "Prénom", "Nom"]
NOTES: list[list[object]] = [["Export du 01/03/2024"], ["Les clients sans e-mail sont inclus."]]
YEAR_2023: list[list[object]] = [SHEET_HEADER, ["C1", "Anne", "Martin"], ["C2", "Paul", "Durand"]]
YEAR_2024: list[list[object]] = [SHEET_HEADER, ["C3", "Léa", "Petit"]]

ENCODINGS = [
    Case(
        "cp850 DOS till customers keep their accents",
        "customers",
        _text_file("caisse.csv", (HEADER + ROWS).replace("Œ", "O"), "cp850"),
        Expected(
            succeeds=True,
            written=3,
            says=("CP850",),
            stored=_stored(NAMES - {("Zoé", "Œuvray")} | {("Zoé", "Ouvray")}),
        ),
    ),
    Case(
        "Mac Roman customers with CR line ends",
        "customers",
        _text_file("mac.csv", (HEADER + ROWS).replace("\r\n", "\r"), "mac-roman"),
        Expected(succeeds=True, written=3, says=("Mac Roman",), stored=_stored(NAMES)),
    ),
    Case(
        "ISO-8859-15 customers keep Œ",
        "customers",
        _text_file("linux.csv", HEADER + ROWS, "iso-8859-15"),
        Expected(succeeds=True, written=3, says=("ISO-8859-15",), stored=_stored(NAMES)),
    ),
    Case(
        "UTF-16 customers without byte order mark",
        "customers",
        _text_file("unicode.csv", HEADER + ROWS, "utf-16-le"),
        Expected(succeeds=True, written=3, says=("UTF-16",), stored=_stored(NAMES)),
    ),
    Case(
        "UTF-8 customers with a few cp1252 lines are refused naming them",
        "customers",
        _utf8_with_bad_lines,
        Expected(succeeds=False, says=("6, 3999", "--encoding"), stored=_stored(set())),
    ),
    Case(
        "a lone euro sign is weak evidence: refused",
        "customers",
        _text_file("montants.csv", "Code client;Nom;CA\r\nC1;Martin;12,50 €\r\n", "cp1252"),
        Expected(succeeds=False, says=("--encoding",), stored=_stored(set())),
    ),
    Case(
        "a lone euro sign read in the encoding given",
        "customers",
        _text_file("montants.csv", "Code client;Nom;CA\r\nC1;Martin;12,50 €\r\n", "cp1252"),
        Expected(succeeds=True, written=1, says=("Windows-1252",)),
        args=("--encoding", "cp1252"),
    ),
    Case(
        "a Ctrl-Z ends a DOS file",
        "customers",
        _text_file("dos.csv", "N° client;Nom\r\nC1;Martin\r\nC2;Durand\r\n", "cp850", b"\x1a"),
        Expected(succeeds=True, written=2, rejected=0),
    ),
]


STRUCTURE = [
    Case(
        "an unclosed quote swallowing rows is named by its line",
        "customers",
        _text_file(
            "guillemet.csv",
            'N° client;Nom;Ville;Commentaire\r\nC1;Martin;Paris;ok\r\nC2;Durand;Lyon;"Très bon client\r\n'
            + "".join(f"C{n};Nom{n};Ville{n};ok\r\n" for n in range(3, 990))
            + 'C990;Petit;Nantes;"fin"\r\n',
            "utf-8",
        ),
        Expected(succeeds=False, says=("Line 3", '"'), stored=_stored(set())),
    ),
    Case(
        "control characters inside a CRM export are refused with their line, as the API refuses them",
        "customers",
        _text_file(
            "controles.csv",
            "N° client;Nom;Tags;Notes\r\nC1;Martin\x1b[31m;vip;\r\nC2;Durand;fid\x01ele;\r\n"
            "C3;Petit;;appel\x1a\r\nC4;Roux;;ok\r\n",
            "utf-8",
        ),
        Expected(
            succeeds=False,
            says=(
                "line 2, column “Nom”, value “Martin\\x1b[31m”",  # shown, never run by the terminal
                "line 3, column “Tags”",
                "line 4, column “Notes”",
                "holds a control character",
            ),
            stored=_stored(set()),
        ),
    ),
    Case(
        "a short row is an error with its line",
        "customers",
        _text_file(
            "courte.csv",
            "N° client;Nom;Prénom;Ville;Région\r\nC1;Martin;Anne;Aix;PACA\r\nProvence\r\n",
            "utf-8",
        ),
        Expected(succeeds=False, says=("line 3",), stored=_stored(set())),
    ),
    Case(
        "a short row is set aside with --skip-invalid",
        "customers",
        _text_file(
            "courte.csv",
            "N° client;Nom;Prénom;Ville;Région\r\nC1;Martin;Anne;Aix;PACA\r\nProvence\r\n",
            "utf-8",
        ),
        Expected(succeeds=True, written=1, rejected=1),
        args=("--skip-invalid",),
    ),
    Case(
        "columns without a name keep their values apart",
        "customers",
        _text_file("sans-nom.csv", "N° client;Nom;;;Ville\r\nC1;Martin;x;y;Paris\r\n", "utf-8"),
        Expected(
            succeeds=True,
            written=1,
            stored=lambda org: _attributes_are(org, {"column 3": "x", "column 4": "y"}),
        ),
    ),
    Case(
        "a Sage title line above the header is skipped",
        "customers",
        _text_file(
            "sage.csv",
            "Export clients;Société Dupont SA;Édité le 01/03/2024\r\n" + HEADER + ROWS,
            "utf-8",
        ),
        Expected(succeeds=True, written=3, says=("line 2",), stored=_stored(NAMES)),
    ),
    Case(
        "the header row given",
        "customers",
        _text_file("rapport.csv", "Rapport;mensuel;2024\r\nPage;1\r\nid;nom\r\nC1;Martin\r\n", "utf-8"),
        Expected(succeeds=True, written=1),
        args=("--header-row", "3"),
    ),
    Case(
        "a totals line is skipped with a note",
        "customers",
        _text_file(
            "ca.csv",
            "N° client;Nom;Prénom;CA annuel;Ville\r\nC1;Martin;Anne;1 000,00;Paris\r\n"
            "C2;Durand;Paul;333,56;Lyon\r\nTotal;;;1 333,56;\r\n",
            "cp1252",
        ),
        Expected(succeeds=True, written=2, rejected=0, says=("Line 4 is a totals line",)),
    ),
]


def _attributes_are(org: Organization, expected: dict[str, str]) -> None:
    customer = Customer.objects.get(organization=org, external_id="C1")
    assert {key: customer.attributes.get(key) for key in expected} == expected, customer.attributes


SHEETS = [
    Case(
        "a notes sheet before the data sheet",
        "customers",
        _workbook("xlsx", "clients.xlsx", {"Notes": NOTES, "Clients": YEAR_2023}),
        Expected(succeeds=True, written=2, says=("Clients", "Notes")),
    ),
    Case(
        "one sheet per year is not guessed",
        "customers",
        _workbook("xlsx", "ventes.xlsx", {"2023": YEAR_2023, "2024": YEAR_2024}),
        Expected(succeeds=False, says=("2023", "2024", "--sheet"), stored=_stored(set())),
    ),
    Case(
        "one sheet per year, one named",
        "customers",
        _workbook("xlsx", "ventes.xlsx", {"2023": YEAR_2023, "2024": YEAR_2024}),
        Expected(succeeds=True, written=1, stored=_stored({("Léa", "Petit")})),
        args=("--sheet", "2024"),
    ),
    Case(
        "every sheet of the same shape, one after the other",
        "customers",
        _workbook(
            "xlsx", "ventes.xlsx", {"Notes": NOTES, "2023": YEAR_2023, "2024": [["Clients 2024"], *YEAR_2024]}
        ),
        Expected(
            succeeds=True,
            written=3,
            says=("“2023” from line 1", "“2024” from line 4"),
            stored=_stored({("Anne", "Martin"), ("Paul", "Durand"), ("Léa", "Petit")}),
        ),
        args=("--sheet", "all"),
    ),
    Case(
        "every ods sheet of the same shape",
        "customers",
        _workbook("ods", "ventes.ods", {"2023": YEAR_2023, "2024": [*YEAR_2024, ["C4", "Luc"]]}),
        Expected(succeeds=True, written=4, rejected=0, says=("“2024” from line 4",)),
        args=("--sheet", "all"),
    ),
    Case(
        "an ods notes sheet before the data sheet",
        "customers",
        _workbook("ods", "clients.ods", {"Notes": NOTES, "Clients": YEAR_2023}),
        Expected(succeeds=True, written=2, says=("Clients",)),
    ),
    Case(
        "one ods sheet per year is not guessed",
        "customers",
        _workbook("ods", "ventes.ods", {"2023": YEAR_2023, "2024": YEAR_2024}),
        Expected(succeeds=False, says=("2023, 2024", "--sheet"), stored=_stored(set())),
    ),
    Case(
        "an xlsx workbook named .xls",
        "customers",
        _workbook("xlsx", "clients.xls", {"Clients": YEAR_2023}),
        Expected(succeeds=True, written=2),
    ),
    Case(
        "an ods workbook named .xlsx",
        "customers",
        _workbook("ods", "clients.xlsx", {"Clients": YEAR_2023}),
        Expected(succeeds=True, written=2),
    ),
    Case(
        "a CSV file named .xlsx",
        "customers",
        _text_file("clients.xlsx", HEADER + ROWS, "utf-8"),
        Expected(succeeds=True, written=3, stored=_stored(NAMES)),
    ),
]

CASES = ENCODINGS + STRUCTURE + SHEETS
