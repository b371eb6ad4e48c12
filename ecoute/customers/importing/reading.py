"""How an import file was read, said to the user: its encoding, its sheets, its header, the totals lines
skipped. Notes like the import's others (ImportNote, their sentences in problems.NOTES), made from the
job's `reading` when they are shown: the same sentences on the command line, the preview page and the
import's page."""

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecoute.customers.importing.problems import ImportNote

# The encodings a user can choose, by the name the reader takes.
ENCODING_CHOICES = [
    ("utf-8", gettext_lazy("UTF-8")),
    ("utf-16", gettext_lazy("UTF-16 (Excel “Unicode text”)")),
    ("cp1252", gettext_lazy("Windows-1252 (Windows, Excel)")),
    ("iso-8859-15", gettext_lazy("ISO-8859-15 (Latin-9)")),
    ("cp850", gettext_lazy("CP850 (DOS, old tills)")),
    ("mac-roman", gettext_lazy("Mac Roman (old Macs)")),
]
SHEETS_SHOWN = 20


def _encoding_name(encoding: str) -> str:
    names = {code: str(label) for code, label in ENCODING_CHOICES}
    names |= {"utf-8-sig": names["utf-8"], "utf-16-le": names["utf-16"], "utf-16-be": names["utf-16"]}
    return names.get(encoding, encoding)


def reading_notes(reading: dict[str, Any]) -> list[ImportNote]:
    """One note per thing worth saying about how the file was read, its words in the active language."""
    notes: list[ImportNote] = []
    if encoding := reading.get("encoding"):
        code = "encoding_given" if reading.get("encoding_given") else "encoding_found"
        notes.append(ImportNote(code, {"encoding": _encoding_name(encoding)}))
    sheets = [str(name) for name in reading.get("sheets") or []]
    starts = reading.get("sheet_starts") or []
    if len(starts) > 1:
        shown = ", ".join(
            _("“%(sheet)s” from line %(line)s") % {"sheet": sheet, "line": line} for sheet, line in starts
        )
        notes.append(ImportNote("sheets_joined", {"starts": shown}))
    elif reading.get("sheet"):
        listed = ", ".join(_("“%(sheet)s”") % {"sheet": name} for name in sheets[:SHEETS_SHOWN])
        more = "…" if len(sheets) > SHEETS_SHOWN else ""
        params = {"sheet": reading["sheet"], "count": len(sheets), "sheets": listed + more}
        notes.append(ImportNote("sheet_read", params))
    header_line = reading.get("header_line")
    if isinstance(header_line, int) and header_line > 1:
        notes.append(ImportNote("header_line", {"line": header_line}))
    if totals := [int(line) for line in reading.get("totals_lines") or []]:
        lines = ", ".join(map(str, totals[:SHEETS_SHOWN]))
        notes.append(ImportNote("totals_lines", {"count": len(totals), "lines": lines}))
    return notes
