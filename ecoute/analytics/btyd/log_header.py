"""The first line of a transactions file: its columns found by name (case-blind), its delimiter, and the
reasons a file is refused."""

import csv
from dataclasses import dataclass
from typing import BinaryIO

_DELIMITERS = (b";", b"\t", b",")


class TransactionFileError(ValueError):
    """The file cannot be read as a transaction log; subclasses say why."""


class EmptyFileError(TransactionFileError):
    """The file has no header or no data row."""


@dataclass
class MissingColumnError(TransactionFileError):
    column: str
    found: list[str]


@dataclass
class FieldCountError(TransactionFileError):
    line: int
    expected: int
    found: int


@dataclass
class BadValueError(TransactionFileError):
    line: int
    column: str
    value: str
    kind: str
    """'date', 'amount' or 'customer'."""


def read_header(stream: BinaryIO, block_bytes: int) -> tuple[bytes, bytes]:
    """The header line (without BOM and line end) and the bytes read after it."""
    text = stream.read(block_bytes)
    while b"\n" not in text:
        more = stream.read(block_bytes)
        if not more:
            break
        text += more
    text = text.removeprefix(b"\xef\xbb\xbf")
    header, _, rest = text.partition(b"\n")
    if not header.strip():
        raise EmptyFileError
    return header.rstrip(b"\r"), rest


def header_names(header: bytes) -> list[str]:
    """The column names; TransactionFileError when the header is no text (a workbook, an image)."""
    try:
        text = header.decode("utf-8")
    except UnicodeDecodeError:
        text = header.decode("cp1252", errors="replace")  # a Windows export, as its rows are read
    if any(char < " " and char != "\t" for char in text) or "\ufffd" in text:
        raise TransactionFileError
    delimiter = sniff_delimiter(header).decode()
    row = next(csv.reader([text], delimiter=delimiter), [])
    return [name.strip() for name in row]


def sniff_delimiter(header: bytes) -> bytes:
    counts = [header.count(candidate) for candidate in _DELIMITERS]
    best = max(range(len(_DELIMITERS)), key=lambda index: (counts[index], -index))
    return _DELIMITERS[best] if counts[best] else b","


def has_column(names: list[str], wanted: str) -> bool:
    folded = wanted.strip().casefold()
    return any(name.casefold() == folded for name in names)


def column_index(names: list[str], wanted: str) -> int:
    if wanted in names:
        return names.index(wanted)
    folded = wanted.strip().casefold()
    for index, name in enumerate(names):
        if name.casefold() == folded:
            return index
    raise MissingColumnError(wanted, [name for name in names if name])
