"""Reader of xlsx and ods workbooks: checked here, read by python-calamine in a process of its own.

A workbook is first checked on its bytes (``workbook_checks``): what would not fit is refused with
a message naming the limit. The chosen sheet is then read by ``python -m ecoute.lib.sheet_reader``
under a memory limit (``table_limits.SHEET_MEMORY_LIMIT``), which sends its rows back in batches:
whatever the checks let through, a file can only end that process, which is reported as a
``TabularError``, never the importing one. The checks of a large sheet run while that process
already reads it; their verdict comes before any row.

Rows received are kept in a temporary file, so ``records()`` may be called again for another pass,
and two passes may interleave. All rows are as wide as the sheet.
"""

from __future__ import annotations

import logging
import os
import pickle
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from os import PathLike
from pathlib import Path
from typing import IO, Any, BinaryIO, Literal

from ecoute.lib import table_limits as limits
from ecoute.lib.sheet_reader import ALL_SHEETS, OUT_OF_MEMORY, read_frame
from ecoute.lib.tabular_errors import TabularError
from ecoute.lib.values import Cell
from ecoute.lib.workbook_checks import inspect_workbook

logger = logging.getLogger(__name__)
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])
# How a reading process that ran out of memory ends: Rust aborts, the kernel kills, Python exits.
_OUT_OF_MEMORY_ENDS = {-signal.SIGABRT, -signal.SIGKILL, -signal.SIGSEGV, -signal.SIGBUS, OUT_OF_MEMORY}


class SheetSource:
    """The rows of one sheet; ``records()`` may be called again for another pass."""

    def __init__(self, source: str | PathLike[str] | BinaryIO, *, sheet: str | None = None) -> None:
        self.encoding = None
        self.delimiter = None
        self._copy: Path | None = None
        self._link_folder: Path | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._errors: IO[bytes] | None = None
        self._received: IO[bytes] = tempfile.TemporaryFile(prefix="ecoute-sheet-")  # noqa: SIM115
        self._ends: list[int] = []  # where each received batch ends in _received
        self._finished = False
        # Where each sheet read starts (sheet name, line), once every row was received.
        self.sheet_starts: list[tuple[str, int]] = []
        self._failure: TabularError | None = None
        try:
            path = self._path_of(source)
            with Path(path).open("rb") as handle:
                plan = inspect_workbook(handle, None if sheet == ALL_SHEETS else sheet)
                self.kind: Literal["xlsx", "ods"] = plan.kind
                self.sheet_names = plan.sheet_names
                if plan.quick:
                    plan.finish()
                self._start(
                    self._named_for(path, plan.suffix), ALL_SHEETS if sheet == ALL_SHEETS else plan.sheet
                )
                plan.finish()
            self.sheet_name = self._first_message()
        except TabularError:
            self.close()
            raise
        except Exception as error:
            # A file the checks did not foresee: refused as damaged, logged so that the checks improve.
            self.close()
            logger.exception("Unexpected failure while checking a workbook")
            raise TabularError("corrupt_spreadsheet", detail=f"unexpected {type(error).__name__}") from None
        except BaseException:
            self.close()
            raise

    def _path_of(self, source: str | PathLike[str] | BinaryIO) -> str:
        if isinstance(source, str | PathLike):
            return os.fspath(source)
        # An upload in memory: the reading process needs a file.
        with tempfile.NamedTemporaryFile(prefix="ecoute-upload-", delete=False) as copy:
            self._copy = Path(copy.name)
            start = source.tell()
            shutil.copyfileobj(source, copy)
            source.seek(start)
        return str(self._copy)

    def _named_for(self, path: str, suffix: str) -> str:
        """A path to the workbook ending as its content says (an xlsx named .xls, an ods named .xlsx):
        python-calamine reads a workbook as its name ends."""
        if Path(path).suffix.lower() == suffix:
            return path
        self._link_folder = Path(tempfile.mkdtemp(prefix="ecoute-workbook-"))
        link = self._link_folder / f"workbook{suffix}"
        link.symlink_to(Path(path).resolve())
        return str(link)

    def _start(self, path: str, sheet: str) -> None:
        self._errors = tempfile.TemporaryFile(prefix="ecoute-sheet-errors-")  # noqa: SIM115
        python_path = os.pathsep.join(filter(None, [_PACKAGE_ROOT, os.environ.get("PYTHONPATH")]))
        self._process = subprocess.Popen(
            [sys.executable, "-m", "ecoute.lib.sheet_reader", str(limits.SHEET_MEMORY_LIMIT), path, sheet],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._errors,
            env={**os.environ, "PYTHONPATH": python_path, "RUST_BACKTRACE": "0"},
        )

    def _next_message(self) -> tuple[tuple[Any, ...], bytes]:
        """The next message of the reading process and its frame; a TabularError when it failed or died."""
        if self._failure is not None:
            raise self._failure
        output = self._reader().stdout
        data = read_frame(output) if output is not None else None
        if data is None:
            self._failure = self._death()
            raise self._failure
        message: tuple[Any, ...] = pickle.loads(data)  # noqa: S301 - written by our own reading process
        if message[0] == "error":
            self._failure = TabularError(message[1], **message[2])
            raise self._failure
        return message, data

    def _reader(self) -> subprocess.Popen[bytes]:
        if self._process is None:
            raise TabularError("corrupt_spreadsheet", detail="the sheet is closed")
        return self._process

    def _death(self) -> TabularError:
        code = self._reader().wait()
        if code in _OUT_OF_MEMORY_ENDS:
            return TabularError("spreadsheet_out_of_memory", limit_mb=limits.SHEET_MEMORY_LIMIT >> 20)
        errors = b""
        if self._errors is not None:
            self._errors.seek(0)
            errors = self._errors.read()[-2000:]
        logger.warning("The sheet reader ended with %s: %s", code, errors.decode("utf-8", "replace"))
        return TabularError("corrupt_spreadsheet", detail=f"the reader stopped ({code})")

    def _first_message(self) -> str:
        (kind, name, names), _frame = self._next_message()
        if kind != "sheet":
            raise TabularError("corrupt_spreadsheet", detail="unexpected answer from the reader")
        self.sheet_names = list(names) or self.sheet_names
        return str(name)

    def _receive(self) -> list[tuple[int, list[Cell]]] | None:
        """The next batch of rows from the reading process, kept for later passes; None at the end."""
        if self._finished:
            return None
        message, frame = self._next_message()
        if message[0] == "end":
            self._finished = True
            self.sheet_starts = [tuple(start) for start in message[1] or []]
            return None
        self._received.seek(0, os.SEEK_END)
        self._received.write(frame)
        self._ends.append(self._received.tell())
        rows: list[tuple[int, list[Cell]]] = message[1]
        return rows

    def _kept(self, index: int) -> bytes:
        start = self._ends[index - 1] if index else 0
        self._received.seek(start)
        return self._received.read(self._ends[index] - start)

    def records(self) -> Iterator[tuple[int, list[Cell]]]:
        """Every row with a value, header included: (sheet row number, values)."""
        index = 0
        while True:
            if index < len(self._ends):
                rows: list[tuple[int, list[Cell]]] = pickle.loads(self._kept(index))[1]  # noqa: S301 - ours
            else:
                received = self._receive()
                if received is None:
                    return
                rows = received
            index += 1
            yield from rows

    def close(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            if process.poll() is None:
                process.kill()
            process.wait()
            if process.stdout is not None:
                process.stdout.close()
        for handle in (self._errors, self._received):
            if handle is not None:
                handle.close()
        if self._copy is not None:
            self._copy.unlink(missing_ok=True)
            self._copy = None
        if self._link_folder is not None:
            shutil.rmtree(self._link_folder, ignore_errors=True)
            self._link_folder = None
