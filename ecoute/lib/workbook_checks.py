"""Everything checked in a workbook before python-calamine reads it, and the sheet it will read.

Run in the importing process, on bytes only (zip directory, small XML parts read with regular
expressions, sheets streamed through ``sheet_extent``): the memory used does not depend on the
file. What would not fit is refused here with a message naming the limit; the reading process's
own memory limit (``sheet_source``) is the net behind these checks.

``inspect_workbook(path, sheet)`` returns the plan: the kind, the sheet names, the sheet to read
(the one named, else the first visible worksheet with a value) and ``finish()``, which reads the
rest of that sheet's XML and of the parts calamine reads, and raises if they do not fit. It is
split so that the reading process can start on the sheet while ``finish()`` runs.
"""

from __future__ import annotations

import html
import posixpath
import re
import struct
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO, Literal, NamedTuple

from ecoute.lib import table_limits as limits
from ecoute.lib.ods_extent import OdsScan
from ecoute.lib.sheet_extent import XlsxScan
from ecoute.lib.tabular_errors import TabularError

Kind = Literal["xlsx", "ods"]
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_CHUNK = 1 << 20
_SMALL_PART = 16 << 20  # workbook.xml and its relationships
_QUICK = 8 << 20  # a workbook this small is checked whole before it is read
_SHEET = re.compile(rb"<(?:[\w.-]+:)?sheet\s([^>]*)>")
_RELATIONSHIP = re.compile(rb"<(?:[\w.-]+:)?Relationship\s([^>]*)>")
_ATTRIBUTE = re.compile(rb'([\w:.-]+)\s*=\s*(?:"([^"]*)"|\'([^\']*)\')')
_UNIQUE_COUNT = re.compile(rb'uniqueCount\s*=\s*["\']\s*([0-9]+)')


@dataclass
class WorkbookPlan:
    kind: Kind
    sheet_names: list[str]
    sheet: str
    _rest: Iterator[None] = field(repr=False, default_factory=lambda: iter(()))
    # Whether finishing the checks is cheap: then it is done before the sheet is read at all.
    quick: bool = True
    # The file name ending python-calamine needs to read this kind, whatever the file is called.
    suffix: str = ".xlsx"

    def finish(self) -> None:
        """Check the rest of the sheet to read and of the parts calamine reads; raises if they do not fit."""
        for _ in self._rest:
            pass


def inspect_workbook(handle: BinaryIO, sheet: str | None) -> WorkbookPlan:
    """The checks and plan for the workbook in ``handle`` (a zip), up to the choice of the sheet."""
    _check_directory(handle)
    archive = _Archive(handle)
    unpacked = sum(info.file_size for info in archive.parts.values())
    if unpacked > limits.MAX_UNPACKED_BYTES:
        raise TabularError("spreadsheet_too_large", limit_mb=limits.MAX_UNPACKED_BYTES >> 20)
    if "xl/workbook.xml" in archive.parts:
        plan = _plan_xlsx(archive, sheet)
    elif "xl/workbook.bin" in archive.parts:
        # A binary workbook (xlsb) has no XML to scan: the reading process's memory limit guards it.
        plan = WorkbookPlan("xlsx", [], sheet or "", suffix=".xlsb")
    elif "mimetype" in archive.parts and archive.read_small("mimetype").strip() == _ODS_MIMETYPE:
        if "content.xml" not in archive.parts:
            raise TabularError("corrupt_spreadsheet", detail="content.xml is missing")
        plan = _plan_ods(archive, sheet)
        plan.suffix = ".ods"
    else:
        raise TabularError("unsupported_format", detected="zip")
    plan.quick = unpacked < _QUICK
    return plan


def _damaged(error: BaseException) -> TabularError:
    return TabularError("corrupt_spreadsheet", detail=str(error)[:200] or type(error).__name__)


def _check_directory(handle: BinaryIO) -> None:
    """Refuse, from the end-of-directory record alone, a zip listing more files than a workbook holds:
    zipfile would make an object of each before anything else could be checked."""
    handle.seek(0, 2)
    size = handle.tell()
    handle.seek(max(0, size - (1 << 16) - 22))
    tail = handle.read()
    handle.seek(0)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 22:
        raise TabularError("corrupt_spreadsheet", detail="no zip directory")
    entries, directory = struct.unpack_from("<HI", tail, at + 10)
    zip64 = tail.rfind(b"PK\x06\x06", 0, at)
    if (entries == 0xFFFF or directory == 0xFFFFFFFF) and zip64 >= 0 and len(tail) >= zip64 + 48:
        entries, directory = struct.unpack_from("<QQ", tail, zip64 + 32)
    # zipfile makes an object of every entry the directory holds, whatever the count says.
    if entries > limits.MAX_ZIP_ENTRIES or directory > limits.MAX_ZIP_ENTRIES * 1024:
        raise TabularError("corrupt_spreadsheet", detail=f"{entries} files listed in the zip")


class _Archive:
    """The zip's parts, unpacked as streams whose real size counts against the limit (zipfile checks
    each part's declared size and checksum)."""

    def __init__(self, handle: BinaryIO) -> None:
        try:
            self._zip = zipfile.ZipFile(handle)
            self.parts = {info.filename: info for info in self._zip.infolist()}
        except Exception as error:  # zipfile raises nearly anything on a damaged archive
            raise _damaged(error) from None
        self._left = limits.MAX_UNPACKED_BYTES

    def chunks(self, name: str, *, counted: bool = True) -> Iterator[bytes]:
        """The part unpacked; ``counted=False`` for a second reading, which calamine does not make."""
        try:
            with self._zip.open(self.parts[name]) as entry:
                while chunk := entry.read(_CHUNK):
                    self._left -= len(chunk) if counted else 0
                    if self._left < 0:
                        raise TabularError("spreadsheet_too_large", limit_mb=limits.MAX_UNPACKED_BYTES >> 20)
                    yield chunk
        except TabularError:
            raise
        except Exception as error:
            raise _damaged(error) from None

    def read_small(self, name: str) -> bytes:
        size = self.parts[name].file_size
        if size > _SMALL_PART:
            raise TabularError("corrupt_spreadsheet", detail=f"{name} is {size} bytes")
        return b"".join(self.chunks(name))

    def drain(self, names: list[str]) -> None:
        for name in names:
            for _ in self.chunks(name):
                pass


def _attributes(tag: bytes) -> dict[str, str]:
    """A tag's attributes by local name, unescaped (sheet names may hold &amp; and accents)."""
    found: dict[str, str] = {}
    for name, double, single in _ATTRIBUTE.findall(tag):
        local = name.rsplit(b":", 1)[-1].decode("ascii", "replace")
        found.setdefault(local, html.unescape((double or single).decode("utf-8", "replace")))
    return found


def _xlsx_sheets(archive: _Archive) -> list[tuple[str, str | None, bool]]:
    """Each sheet of the workbook: its name, its part, whether it is a visible worksheet."""
    workbook = archive.read_small("xl/workbook.xml")
    rels = (
        archive.read_small("xl/_rels/workbook.xml.rels")
        if "xl/_rels/workbook.xml.rels" in archive.parts
        else b""
    )
    targets = {}
    for tag in _RELATIONSHIP.findall(rels):
        attributes = _attributes(tag)
        target = attributes.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
        targets[attributes.get("Id", "")] = (path, attributes.get("Type", "").rsplit("/", 1)[-1])
    sheets = []
    for tag in _SHEET.findall(workbook):
        attributes = _attributes(tag)
        path, kind = targets.get(attributes.get("id", ""), ("", ""))
        visible = attributes.get("state", "visible") == "visible" and kind == "worksheet"
        sheets.append((attributes.get("name", ""), path if path in archive.parts else None, visible))
    return sheets


def _plan_xlsx(archive: _Archive, sheet: str | None) -> WorkbookPlan:
    """calamine reads the shared strings and styles when it opens a workbook, then the one sheet asked for."""
    sheets = _xlsx_sheets(archive)
    names = [name for name, _part, _visible in sheets]
    opened = [name for name in archive.parts if name.lower().endswith(("sharedstrings.xml", "styles.xml"))]
    for name in opened:
        if name.lower().endswith("sharedstrings.xml"):
            _check_shared_strings(archive, name)
    if sheet is not None:
        candidates = [(name, part) for name, part, _visible in sheets if name == sheet]
        if not candidates:
            raise TabularError("sheet_not_found", sheet=sheet, available=", ".join(names))
    else:
        candidates = [(name, part) for name, part, visible in sheets if visible]
    with_values: list[_Started] = []
    for name, part in candidates:
        if part is None:
            continue
        scan, chunks = XlsxScan(), archive.chunks(part)
        for piece in chunks:
            scan.read(piece)
            if scan.extent.has_values:
                break
        if sheet is not None:
            return WorkbookPlan(
                "xlsx",
                names,
                name,
                _finish_xlsx(archive, opened, [_Started(archive, name, part, scan, chunks)]),
            )
        if scan.extent.has_values:
            with_values.append(_Started(archive, name, part, scan, chunks))
        else:
            _finish_sheet(archive, name, part, scan, chunks)
    if with_values:
        # Several sheets with values: the reading process chooses by their content (see sheet_reader),
        # and each is checked, as it may be read.
        chosen = with_values[0].name if len(with_values) == 1 else ""
        return WorkbookPlan("xlsx", names, chosen, _finish_xlsx(archive, opened, with_values))
    first = candidates[0][0] if candidates else (names[0] if names else "")
    return WorkbookPlan("xlsx", names, first, _finish_xlsx(archive, opened, []))


class _Started(NamedTuple):
    """A sheet whose scan has begun: the rest of its XML is still to read."""

    archive: _Archive
    name: str
    part: str
    scan: XlsxScan
    chunks: Iterator[bytes]


def _finish_xlsx(archive: _Archive, opened: list[str], sheets: list[_Started]) -> Iterator[None]:
    for sheet in sheets:
        _finish_sheet(*sheet)
    archive.drain(opened)
    yield None


def _finish_sheet(archive: _Archive, name: str, part: str, scan: XlsxScan, chunks: Iterator[bytes]) -> None:
    for piece in chunks:
        scan.read(piece)
    try:
        scan.close().check(name)
    except TabularError:
        # Cells formatted far beyond the data count in the quick scan, not for calamine: look again.
        precise = XlsxScan(valued_only=True)
        for piece in archive.chunks(part, counted=False):
            precise.read(piece)
        precise.close().check(name)


def _check_shared_strings(archive: _Archive, name: str) -> None:
    """calamine reserves room for the number of texts the workbook declares, before reading one."""
    head = b""
    for chunk in archive.chunks(name):
        head += chunk
        if len(head) > 1 << 16 or b">" in head[head.find(b"<sst") :]:
            break
    declared = _UNIQUE_COUNT.search(head[: 1 << 16])
    count = int(declared.group(1)[:13]) if declared else 0
    if count > limits.MAX_SHARED_STRINGS:
        raise TabularError("too_many_texts", found=count, limit=limits.MAX_SHARED_STRINGS)


def _plan_ods(archive: _Archive, sheet: str | None) -> WorkbookPlan:
    """calamine reads every table of an ods file when it opens it: all of them are checked."""
    scan, chunks = OdsScan(), archive.chunks("content.xml")
    if sheet is None:
        for piece in chunks:
            scan.read(piece)
            if scan.extent.has_values:
                # The reading process chooses the sheet by content (see sheet_reader).
                return WorkbookPlan("ods", scan.names, "", _finish_ods(scan, chunks, sheet))
    rest = _finish_ods(scan, chunks, sheet)
    next(rest)
    chosen = sheet if sheet is not None else (scan.names[0] if scan.names else "")
    return WorkbookPlan("ods", scan.names, chosen)


def _finish_ods(scan: OdsScan, chunks: Iterator[bytes], sheet: str | None) -> Iterator[None]:
    for piece in chunks:
        scan.read(piece)
    scan.close()
    if sheet is not None and sheet not in scan.extents:
        raise TabularError("sheet_not_found", sheet=sheet, available=", ".join(scan.names))
    for name, extent in scan.extents.items():
        extent.check(name)
    yield None
