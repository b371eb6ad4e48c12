"""How an import file was read, said to the user: its encoding, its sheets, its header, the totals lines
skipped. The same sentences on the command line, the preview page and the import's page."""

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

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


def reading_notes(reading: dict[str, Any]) -> list[str]:
    """One sentence per thing worth saying about how the file was read, in the active language."""
    notes: list[str] = []
    encoding = reading.get("encoding")
    if encoding:
        if reading.get("encoding_given"):
            notes.append(
                _("Read in the encoding given: %(encoding)s.") % {"encoding": _encoding_name(encoding)}
            )
        else:
            notes.append(_("Encoding found: %(encoding)s.") % {"encoding": _encoding_name(encoding)})
    sheets = [str(name) for name in reading.get("sheets") or []]
    starts = reading.get("sheet_starts") or []
    if len(starts) > 1:
        notes.append(
            _("Sheets read one after the other, their lines counted across them: %(starts)s.")
            % {
                "starts": ", ".join(
                    _("“%(sheet)s” from line %(line)s") % {"sheet": sheet, "line": line}
                    for sheet, line in starts
                )
            }
        )
    elif reading.get("sheet"):
        shown = ", ".join(_("“%(sheet)s”") % {"sheet": name} for name in sheets[:SHEETS_SHOWN]) + (
            "…" if len(sheets) > SHEETS_SHOWN else ""
        )
        notes.append(
            ngettext(
                "Sheet read: “%(sheet)s” (the workbook has %(count)s sheet: %(sheets)s).",
                "Sheet read: “%(sheet)s” (the workbook has %(count)s sheets: %(sheets)s).",
                len(sheets),
            )
            % {"sheet": reading["sheet"], "count": len(sheets), "sheets": shown}
        )
    header_line = reading.get("header_line")
    if isinstance(header_line, int) and header_line > 1:
        notes.append(_("Column names read on line %(line)s.") % {"line": header_line})
    totals = [int(line) for line in reading.get("totals_lines") or []]
    if totals:
        notes.append(
            ngettext(
                "Line %(lines)s is a totals line: skipped.",
                "Lines %(lines)s are totals lines: skipped.",
                len(totals),
            )
            % {"lines": ", ".join(map(str, totals[:SHEETS_SHOWN]))}
        )
    return notes
