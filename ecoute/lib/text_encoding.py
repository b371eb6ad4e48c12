"""Which encoding a text export is written in, read from its bytes.

French exports come in UTF-8, UTF-16 (Excel's "Unicode text", with or without a byte order mark),
Windows-1252 and ISO-8859-15 (Windows, Linux), CP850 (old DOS tills) and Mac Roman (old Macs). A
byte order mark says it. Otherwise every line of the file holding a byte above 127 is gathered (the
first ``EVIDENCE_BYTES`` of them, wherever they are in the file), and:

- a file whose every byte is valid UTF-8 is UTF-8 (a file of plain ASCII too);
- a file mostly of valid UTF-8 sequences with a few bytes that are not is refused, naming the lines
  holding those bytes: reading it in another encoding would garble every good line;
- otherwise each single-byte encoding decodes the evidence, and the one giving the most plausible
  French text wins: letters with the accents French uses score, box-drawing and control characters,
  symbols inside words and capitals after small letters cost, and header cells that read as known
  column names score. When no encoding clearly wins, the file is refused ("weak_encoding"): the user
  gives it, which is better than a guess that garbles names.

A Ctrl-Z (0x1A) at the very end of a DOS file marks its end: ``text_end`` says where the text stops.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Iterator
from typing import BinaryIO, Final

from ecoute.lib.columns import is_known_header
from ecoute.lib.tabular_errors import TabularError

EVIDENCE_BYTES: Final = 1 << 17
_CHUNK: Final = 1 << 16
# The single-byte encodings told apart, preferred first on a tie of the same text.
SINGLE_BYTE: Final = ("cp1252", "iso-8859-15", "cp850", "mac-roman")
SUPPORTED: Final = ("utf-8", "utf-16", *SINGLE_BYTE)
# Lines named when a UTF-8 file holds bytes that are not.
MAX_LINES_NAMED: Final = 20
_HIGH_LINE = re.compile(rb"[^\r\n]*[\x80-\xff][^\r\n]*")
_LINE_END = re.compile(rb"\r\n|\r|\n")
_NOT_ASCII = re.compile(r"[^\x00-\x7f]")
_CELL_SEPARATORS = re.compile(r"[;,\t|]")
_FRENCH = frozenset("àâäçéèêëîïôöùûüÿœæÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸŒÆ€°«»’‘“”–—…")
# Bytes that end a DOS file's text, and what may follow them.
_CTRL_Z = 0x1A
_TRAILING = b" \t\r\n\x00\x1a"


def text_end(handle: BinaryIO, start: int) -> int:
    """Where the file's text ends: before a run of Ctrl-Z (with blanks) at its very end, else its size."""
    handle.seek(0, 2)
    size = handle.tell()
    handle.seek(max(start, size - 4096))
    tail = handle.read()
    kept = tail.rstrip(_TRAILING)
    end = size
    if _CTRL_Z in tail[len(kept) :]:
        end = size - len(tail) + len(kept)
    handle.seek(start)
    return end


def _utf16_without_mark(head: bytes) -> str | None:
    """UTF-16 without byte order mark: plain text has a zero byte in every other place."""
    sample = head[: min(len(head), 4096) // 2 * 2]
    if len(sample) < 8:
        return None
    even, odd = sample[0::2], sample[1::2]
    for encoding, zeros, others in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if zeros.count(0) > 0.3 * len(zeros) and others.count(0) < 0.05 * len(others):
            try:
                sample.decode(encoding)
            except UnicodeDecodeError:
                continue
            return encoding
    return None


_CONTROL_BYTES = re.compile(rb"[\x01-\x08\x0b\x0e-\x19\x1c-\x1f\x7f]")


def looks_binary(sample: bytes) -> bool:
    """Control bytes that no text export holds (UTF-16 text has some, and is recognised first)."""
    if sample.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    if _utf16_without_mark(sample) is not None:
        return False
    return len(_CONTROL_BYTES.findall(sample)) > max(2, len(sample) // 100)


def _chunks(handle: BinaryIO, start: int, end: int) -> Iterator[bytes]:
    handle.seek(start)
    position = start
    while position < end and (data := handle.read(min(_CHUNK, end - position))):
        position += len(data)
        yield data


def detect_encoding(handle: BinaryIO, start: int, end: int) -> str:
    """The encoding of the text between ``start`` and ``end``; raises ``TabularError`` when it cannot
    be told ("weak_encoding") or when a UTF-8 file holds bytes that are not ("undecodable")."""
    handle.seek(start)
    head = handle.read(min(4096, end - start))
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if utf16 := _utf16_without_mark(head):
        return utf16
    evidence = bytearray()
    decoder = codecs.getincrementaldecoder("utf-8")()
    valid = True
    for data in _chunks(handle, start, end):
        if valid:
            try:
                decoder.decode(data)
            except UnicodeDecodeError:
                valid = False
        if len(evidence) < EVIDENCE_BYTES and not data.isascii():
            evidence += b"\n".join(_HIGH_LINE.findall(data)) + b"\n"
    if valid:
        try:
            decoder.decode(b"", True)
        except UnicodeDecodeError:
            valid = False
    if valid:
        return "utf-8"
    text = bytes(evidence).decode("utf-8", "surrogateescape")
    bad = sum(1 for char in text if "\udc80" <= char <= "\udcff")
    good = sum(1 for char in _NOT_ASCII.findall(text) if not "\udc80" <= char <= "\udcff")
    if good >= bad:
        raise bad_utf8(handle, start, end)
    return _most_plausible(bytes(evidence), head.split(b"\n", 1)[0].split(b"\r", 1)[0])


def _physical_lines(handle: BinaryIO, start: int, end: int) -> Iterator[bytes]:
    """The lines of the file as bytes, split where a text editor splits them (CR LF, CR or LF)."""
    pending = b""
    for data in _chunks(handle, start, end):
        text = pending + data
        # A final CR may be half of CR LF: it waits for the next chunk.
        stop = len(text) - 1 if text.endswith(b"\r") else len(text)
        cut = max(text.rfind(b"\n", 0, stop), text.rfind(b"\r", 0, stop)) + 1
        yield from _LINE_END.split(text[:cut])[:-1]
        pending = text[cut:]
    if pending:
        yield from _LINE_END.split(pending)


def bad_utf8(handle: BinaryIO, start: int, end: int) -> TabularError:
    """The refusal of a UTF-8 file holding bytes that are not, naming the lines that hold them."""
    lines: list[int] = []
    count = 0
    for number, line in enumerate(_physical_lines(handle, start, end), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            count += 1
            if len(lines) < MAX_LINES_NAMED:
                lines.append(number)
    return TabularError(
        "invalid_utf8",
        line=lines[0] if lines else 1,
        lines=", ".join(map(str, lines)),
        count=count,
        encoding="utf-8",
    )


def _score(text: str) -> float:
    """How plausible as French text the non-ASCII characters of ``text`` are."""
    score = 0.0
    for found in _NOT_ASCII.finditer(text):
        char, at = found.group(), found.start()
        before = text[at - 1] if at else " "
        after_small = before.islower() and char.isupper()
        if char in _FRENCH:
            score += -2.0 if after_small else 1.0
        elif unicodedata.category(char)[0] == "C" or "\u2500" <= char <= "\u25ff":
            score -= 3.0
        elif char.isalpha():
            score -= 2.0 if after_small else 0.5
        else:
            score -= 1.5
    return score


def _header_matches(header: str) -> int:
    return sum(is_known_header(cell) for cell in _CELL_SEPARATORS.split(header))


def _decode(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _most_plausible(evidence: bytes, header: bytes) -> str:
    scored: dict[str, float] = {}
    texts: dict[str, str] = {}
    for encoding in SINGLE_BYTE:
        text = _decode(evidence, encoding)
        header_text = _decode(header, encoding)
        if text is None or header_text is None:
            continue  # cp1252 leaves five bytes unassigned
        if text in texts.values():
            continue  # reads the same as an encoding preferred to it
        texts[encoding] = text
        scored[encoding] = _score(text) + 3.0 * _header_matches(header_text)
    ranked = sorted(scored, key=lambda encoding: -scored[encoding])
    if ranked and scored[ranked[0]] > 0 and (len(ranked) == 1 or scored[ranked[0]] - scored[ranked[1]] >= 1):
        return ranked[0]
    raise TabularError("weak_encoding", candidates=", ".join(ranked[:3]) or ", ".join(SINGLE_BYTE))


def check_encoding(name: str) -> str:
    """A text encoding given by the user, by its usual name; raises ``TabularError`` when it is unknown."""
    try:
        info = codecs.lookup(name)
    except LookupError:
        info = None
    if info is None or not getattr(info, "_is_text_encoding", True):
        raise TabularError("unknown_encoding", encoding=name, available=", ".join(SUPPORTED))
    return name.strip().lower()
