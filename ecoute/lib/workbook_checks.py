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
from typing import BinaryIO, Literal

from ecoute.lib import table_limits as limits
from ecoute.lib.sheet_extent import OdsScan, XlsxScan
from ecoute.lib.tabular_errors import TabularError

Kind = Literal["xlsx", "ods"]
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_CHUNK = 1 << 20
_SMALL_PART = 16 << 20
_QUICK = 8 << 20  # workbook.xml, its relationships, the head of the shared strings
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

    def finish(self) -> None:
        """Check the rest of the sheet to read and of the parts calamine reads; raises if they do not fit."""
        for _ in self._rest:
            pass


def inspect_workbook(handle: BinaryIO, sheet: str | None) -> WorkbookPlan:
    """The checks and plan for the workbook in ``handle`` (a zip), up to the choice of the sheet."""
    _check_directory(handle)
    try:
        archive = zipfile.ZipFile(handle)
        infos = archive.infolist()
    except Exception as error:  # zipfile raises nearly anything on a damaged archive
        raise _damaged(error) from None
    names = {info.filename: info for info in infos}
    unpacked = sum(info.file_size for info in infos)
    if unpacked > limits.MAX_UNPACKED_BYTES:
        raise TabularError("spreadsheet_too_large", limit_mb=limits.MAX_UNPACKED_BYTES >> 20)
    budget = _Budget()
    if "xl/workbook.xml" in names:
        plan = _plan_xlsx(archive, names, sheet, budget)
        plan.quick = unpacked < _QUICK
        return plan
    if "xl/workbook.bin" in names:
        # A binary workbook (xlsb) has no XML to scan: the reading process's memory limit guards it.
        return WorkbookPlan("xlsx", [], sheet or "")
    if "mimetype" in names and _read_small(archive, names["mimetype"], budget).strip() == _ODS_MIMETYPE:
        if "content.xml" not in names:
            raise TabularError("corrupt_spreadsheet", detail="content.xml is missing")
        plan = _plan_ods(archive, names["content.xml"], sheet, budget)
        plan.quick = unpacked < _QUICK
        return plan
    raise TabularError("unsupported_format", detected="zip")


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
    entries, directory_size = struct.unpack("<xxxxxxxxxxHI", tail[at : at + 16])
    if entries > limits.MAX_ZIP_ENTRIES or (entries != 0xFFFF and directory_size > entries * 65_600 + 22):
        raise TabularError("corrupt_spreadsheet", detail=f"{entries} files listed in the zip")


class _Budget:
    """Bytes unpacked so far, against the limit: declared sizes are checked first, real ones here."""

    def __init__(self) -> None:
        self.left = limits.MAX_UNPACKED_BYTES

    def take(self, count: int) -> None:
        self.left -= count
        if self.left < 0:
            raise TabularError("spreadsheet_too_large", limit_mb=limits.MAX_UNPACKED_BYTES >> 20)


def _chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget) -> Iterator[bytes]:
    """The unpacked bytes of one part; zipfile checks the declared size and the checksum."""
    try:
        with archive.open(info) as entry:
            while chunk := entry.read(_CHUNK):
                budget.take(len(chunk))
                yield chunk
    except TabularError:
        raise
    except Exception as error:
        raise _damaged(error) from None


def _read_small(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget) -> bytes:
    if info.file_size > _SMALL_PART:
        raise TabularError("corrupt_spreadsheet", detail=f"{info.filename} is {info.file_size} bytes")
    return b"".join(_chunks(archive, info, budget))


def _attributes(tag: bytes) -> dict[str, str]:
    """A tag's attributes by local name, unescaped (sheet names may hold &amp; and accents)."""
    found: dict[str, str] = {}
    for name, double, single in _ATTRIBUTE.findall(tag):
        local = name.rsplit(b":", 1)[-1].decode("ascii", "replace")
        found.setdefault(local, html.unescape((double or single).decode("utf-8", "replace")))
    return found


def _plan_xlsx(
    archive: zipfile.ZipFile, names: dict[str, zipfile.ZipInfo], sheet: str | None, budget: _Budget
) -> WorkbookPlan:
    workbook = _read_small(archive, names["xl/workbook.xml"], budget)
    rels_info = names.get("xl/_rels/workbook.xml.rels")
    rels = _read_small(archive, rels_info, budget) if rels_info else b""
    targets = {}
    for tag in _RELATIONSHIP.findall(rels):
        attributes = _attributes(tag)
        target = attributes.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
        targets[attributes.get("Id", "")] = (path, attributes.get("Type", "").rsplit("/", 1)[-1])
    sheets: list[tuple[str, str | None, bool]] = []  # name, part, whether calamine may pick it
    for tag in _SHEET.findall(workbook):
        attributes = _attributes(tag)
        path, kind = targets.get(attributes.get("id", ""), ("", ""))
        visible = attributes.get("state", "visible") == "visible" and kind == "worksheet"
        sheets.append((attributes.get("name", ""), path if path in names else None, visible))
    # Read by calamine when it opens the workbook: their real size is checked with the sheet's.
    others = [info for info in names.values() if info.filename.lower().endswith(("sharedstrings.xml", "styles.xml"))]
    for info in others:
        if info.filename.lower().endswith("sharedstrings.xml"):
            _check_shared_strings(archive, info, budget)
    sheet_names = [name for name, _part, _visible in sheets]
    if sheet is not None:
        chosen = next(((name, part) for name, part, _ in sheets if name == sheet), None)
        if chosen is None:
            raise TabularError("sheet_not_found", sheet=sheet, available=", ".join(sheet_names))
        candidates = [chosen]
    else:
        candidates = [(name, part) for name, part, visible in sheets if visible]
    for name, part in candidates:
        if part is None:
            continue
        scan = XlsxScan()
        chunks = _chunks(archive, names[part], budget)
        for piece in chunks:
            scan.read(piece)
            if scan.extent.has_values:
                break
        if scan.extent.has_values or sheet is not None:
            return WorkbookPlan("xlsx", sheet_names, name, _finish_xlsx(name, scan, chunks, others, archive, budget))
        _finish_scan(name, scan, chunks)
    first = candidates[0][0] if candidates else (sheet_names[0] if sheet_names else "")
    return WorkbookPlan("xlsx", sheet_names, first, _finish_xlsx("", None, iter(()), others, archive, budget))


def _finish_xlsx(
    name: str,
    scan: XlsxScan | None,
    chunks: Iterator[bytes],
    others: list[zipfile.ZipInfo],
    archive: zipfile.ZipFile,
    budget: _Budget,
) -> Iterator[None]:
    if scan is not None:
        _finish_scan(name, scan, chunks)
    for info in others:
        for _ in _chunks(archive, info, budget):
            pass
    yield None


def _finish_scan(name: str, scan: XlsxScan, chunks: Iterator[bytes]) -> None:
    for piece in chunks:
        scan.read(piece)
    scan.close().check(name)


def _check_shared_strings(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget) -> None:
    """calamine reserves room for the number of texts the workbook declares, before reading one."""
    head = b""
    for chunk in _chunks(archive, info, budget):
        head += chunk
        if b">" in head[head.find(b"<sst") :] or len(head) > 1 << 16:
            break
    declared = _UNIQUE_COUNT.search(head[:1 << 16])
    count = int(declared.group(1)[:13]) if declared else 0
    if count > limits.MAX_SHARED_STRINGS:
        raise TabularError("too_many_texts", found=count, limit=limits.MAX_SHARED_STRINGS)


def _plan_ods(
    archive: zipfile.ZipFile, content: zipfile.ZipInfo, sheet: str | None, budget: _Budget
) -> WorkbookPlan:
    """calamine reads every table of an ods file when it opens it: all of them are checked."""
    scan = OdsScan()
    chunks = _chunks(archive, content, budget)
    if sheet is None:
        for piece in chunks:
            scan.read(piece)
            if scan.extent.has_values:
                return WorkbookPlan("ods", scan.names, scan.current, _finish_ods(scan, chunks, sheet))
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
