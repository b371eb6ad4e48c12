"""Streaming reader of CSV exports: encoding found from the whole file, delimiter from the first 64 KiB.

Encoding: given by the user, or found by ``text_encoding.detect_encoding`` (UTF-8, UTF-16 with or
without byte order mark, Windows-1252, ISO-8859-15, CP850, Mac Roman; refused when it cannot be
told). Windows-1252's five unassigned bytes read as the C1 controls, as Windows does. A UTF-8 file
holding bytes that are not is refused naming those lines. A Ctrl-Z at the end of a DOS file ends it.

Delimiter: whichever of ``;``, tab, ``,``, ``|`` splits most of the sample's records into
the same number (two or more) of fields, ``;`` first on a tie.

Records are read from a binary handle chunk by chunk, decoded incrementally (a chunk may
end inside a multi-byte character), split into physical lines and fed to ``csv.reader``,
so memory does not grow with the file. Line numbers are the physical lines a text editor
shows, for the line where a record starts. Values are stripped; empty ones are ``None``.
NUL characters, which only broken exports contain, and byte-order marks inside the file (exports
joined end to end) are dropped. The apostrophe that the product's
formula-safe writer puts before ``=``, ``+``, ``-``, ``@`` is removed (``formula_safe.restore_text``),
so that a rejects file imports again as it was; only files holding such an apostrophe pay for it.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
from collections import Counter
from collections.abc import Iterator
from typing import BinaryIO, Final, Protocol

from ecoute.lib.formula_safe import restore_text
from ecoute.lib.tabular_errors import TabularError
from ecoute.lib.text_encoding import bad_utf8, check_encoding, detect_encoding, looks_binary, text_end
from ecoute.lib.values import Cell

SAMPLE_BYTES: Final = 1 << 16
CHUNK_BYTES: Final = 1 << 16
MAX_LINE_CHARS: Final = 1 << 22
# A quoted field holding this many lines that look like records swallowed them: its quote is unclosed.
_SWALLOWED_RECORDS: Final = 3
_DELIMITERS: Final = (";", "\t", ",", "|")
_CONTROL_CHARS = re.compile(r"[\x01-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]")
# str.splitlines() also breaks on these; csv only on \r and \n.
_OTHER_LINE_BREAKS = re.compile(r"[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
# An apostrophe the formula-safe writer may have put before a formula character.
_FORMULA_MARK = re.compile(r"'[=+\-@\t\r']")


def _windows_1252_table() -> str:
    chars = []
    for byte in range(256):
        try:
            chars.append(bytes([byte]).decode("cp1252"))
        except UnicodeDecodeError:
            chars.append(chr(byte))
    return "".join(chars)


_CP1252_TABLE: Final = _windows_1252_table()


class _Decoder(Protocol):
    def decode(self, data: bytes, final: bool = False) -> str: ...


class _Windows1252Decoder:
    """Windows-1252 as Windows reads it: its five unassigned bytes are the C1 controls."""

    def decode(self, data: bytes, final: bool = False) -> str:
        return codecs.charmap_decode(data, "strict", _CP1252_TABLE)[0]


def _sniff_delimiter(sample: str, complete: bool) -> str:
    """The delimiter giving most records the same number (two or more) of fields."""
    best, best_score = ";", 0.0
    for delimiter in _DELIMITERS:
        try:
            reader = csv.reader(io.StringIO(sample), delimiter=delimiter)
            counts = [len(row) for row in itertools.islice(reader, 201) if row]
        except csv.Error:
            continue
        if not complete and len(counts) > 1:
            counts.pop()  # the sample may end inside the last record
        widths = Counter(count for count in counts if count > 1)
        if not widths:
            continue
        score = widths.most_common(1)[0][1] / len(counts)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _looks_binary(text: str) -> bool:
    return len(_CONTROL_CHARS.findall(text)) > max(2, len(text) // 100)


def _unmarked(value: Cell) -> Cell:
    return restore_text(value) if isinstance(value, str) and value[0] == "'" else value


class CsvSource:
    """The records of one CSV file; ``records()`` may be called again for another pass."""

    kind: Final = "csv"

    def __init__(self, handle: BinaryIO, *, encoding: str | None = None) -> None:
        self._handle = handle
        self._start = handle.tell()
        self._end = text_end(handle, self._start)
        sample = handle.read(min(SAMPLE_BYTES, self._end - self._start))
        if looks_binary(sample):
            raise TabularError("unsupported_format", detected="binary")
        # Given by the user, or read from the whole file.
        self.encoding_given = encoding is not None
        if encoding is not None:
            self.encoding = check_encoding(encoding)
        else:
            self.encoding = detect_encoding(handle, self._start, self._end)
        if self.encoding.replace("_", "-").startswith("utf-16"):
            self._end = handle.seek(0, 2)  # a Ctrl-Z there is half of a character
        handle.seek(self._start + len(sample))
        complete = self._start + len(sample) >= self._end
        try:
            text = self._decoder().decode(sample, complete)
        except UnicodeDecodeError:
            raise TabularError("unsupported_format", detected="binary") from None
        text = text.replace("\x00", "")
        if _looks_binary(text):
            raise TabularError("unsupported_format", detected="binary")
        if text.lstrip("\ufeff").lstrip()[:20].lower().startswith(("<!doctype html", "<html", "<table")):
            raise TabularError("unsupported_format", detected="html")
        self.delimiter = _sniff_delimiter(text, complete)

    def _decoder(self) -> _Decoder:
        if self.encoding == "cp1252":
            return _Windows1252Decoder()
        decoder: _Decoder = codecs.getincrementaldecoder(self.encoding)()
        return decoder

    def _lines(self, failure: list[str], marked: list[bool]) -> Iterator[str]:
        """Physical lines with their line ends; on bad input, stops and puts its code in ``failure``.

        ``marked`` becomes ``[True]`` from the first chunk holding an apostrophe before a formula
        character: from there, records are looked at for the writer's mark."""
        decoder = self._decoder()
        position = self._start
        pending = ""
        while True:
            self._handle.seek(position)  # another pass may have moved the shared handle
            data = self._handle.read(min(CHUNK_BYTES, self._end - position))
            position += len(data)
            final = not data
            try:
                text = decoder.decode(data, final)
            except UnicodeDecodeError as error:
                # Give the complete lines before the bad bytes, so that the reader's line
                # count names the line holding them.
                failure.append("undecodable")
                text = error.object[: error.start].decode(error.encoding, "replace")
            if "\x00" in text:
                text = text.replace("\x00", "")
            # U+FEFF is only ever a byte-order mark: inside the file, that of an export joined to another.
            if "\ufeff" in text:
                text = text.replace("\ufeff", "")
            if not marked[0] and "'" in text and _FORMULA_MARK.search(pending[-1:] + text):
                marked[0] = True
            text = pending + text if pending else text
            if final and not failure:
                cut = len(text)
            else:
                # Keep the unfinished last line, and a final \r that may be half of \r\n.
                end = len(text) - 1 if text.endswith("\r") else len(text)
                cut = max(text.rfind("\n", 0, end), text.rfind("\r", 0, end)) + 1
            pending = text[cut:]
            if len(pending) > MAX_LINE_CHARS:
                failure.append("line_too_long")
                return
            if cut:
                complete = text[:cut]
                if _OTHER_LINE_BREAKS.search(complete):
                    yield from io.StringIO(complete, newline="")
                else:
                    yield from complete.splitlines(keepends=True)
            if final or failure:
                return

    def records(self) -> Iterator[tuple[int, list[Cell]]]:
        """Every record with a value, header included: (line where it starts, values)."""
        failure: list[str] = []
        marked = [False]
        reader = csv.reader(self._lines(failure, marked), delimiter=self.delimiter, quotechar='"')
        last = 0
        widest = 0
        try:
            for row in reader:
                start, last = last + 1, reader.line_num
                if last > start:
                    self._check_quotes(start, row, widest)
                elif len(row) > widest:
                    widest = len(row)
                if row:
                    values: list[Cell] = [value.strip() or None for value in row]
                    if marked[0]:
                        values = [_unmarked(value) for value in values]
                    if any(values):
                        yield start, values
        except csv.Error as error:
            if "field limit" in str(error):
                raise TabularError("field_too_large", line=last + 1, limit=csv.field_size_limit()) from None
            raise TabularError("malformed_csv", line=last + 1, detail=str(error)) from None
        if failure == ["line_too_long"]:
            raise TabularError("line_too_long", line=reader.line_num + 1, limit=MAX_LINE_CHARS)
        if failure and self.encoding == "utf-8" and not self.encoding_given:
            raise bad_utf8(self._handle, self._start, self._end)
        if failure:
            raise TabularError("undecodable", line=reader.line_num + 1, encoding=self.encoding)

    def _check_quotes(self, line: int, row: list[str], widest: int) -> None:
        """Refuse a record whose quoted field swallowed lines that look like records themselves: a quote
        opened at the start of a field ("Très bon client) and never closed where it should have been."""
        needed = max(2, widest - 1)
        for value in row:
            inner = value.splitlines()[1:]
            if len(inner) < _SWALLOWED_RECORDS:
                continue
            like_records = sum(part.count(self.delimiter) >= needed for part in inner)
            if like_records >= _SWALLOWED_RECORDS and like_records * 2 >= len(inner):
                raise TabularError("unclosed_quote", line=line, swallowed=len(inner))

    def close(self) -> None:
        """Nothing to release: the handle belongs to the table or to the caller."""
