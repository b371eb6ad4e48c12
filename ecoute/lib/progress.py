"""A progress bar on a terminal; silent when the output is a file or a pipe."""

import sys
import time
from typing import TextIO


class TerminalProgress:
    def __init__(self, stream: TextIO | None = None, width: int = 30) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self.width = width
        self._last = 0.0
        self._started = time.monotonic()

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < 0.1 and done != total:
            return
        self._last = now
        rate = done / max(now - self._started, 1e-6)
        if total:
            filled = round(self.width * done / total)
            bar = "█" * filled + "░" * (self.width - filled)
            text = f"\r{phase:<11} {bar} {100 * done // total:3d}% {done:,}/{total:,} ({rate:,.0f}/s)"
        else:
            text = f"\r{phase:<11} {done:,} ({rate:,.0f}/s)"
        self.stream.write(text.replace(",", " "))
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()
