"""Real processes for tests: start `ecoute` commands, find what they started, wait for conditions."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path


def ecoute(*args: str) -> list[str]:
    return [sys.executable, "-m", "ecoute", *args]


def wait_until[T](condition: Callable[[], T], timeout: float = 60, message: str = "") -> T:
    """The first true value of `condition()`, polled until `timeout` seconds have passed."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {timeout} s: {message or condition}")
        time.sleep(0.05)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name, in parentheses, may hold spaces: the fields after it are split on spaces.
    return text[text.rindex(")") + 2 :].split()


class Process:
    """A process known by its pid and start time, so that a reused pid is never taken for it."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        stat = _stat(pid)
        self.started = stat[19] if stat else ""
        self.command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode() if stat else ""

    def __repr__(self) -> str:
        return f"<{self.pid} {self.command[:80]}>"

    @property
    def alive(self) -> bool:
        """Running, or stopped but not reaped yet by its parent: either way still there."""
        stat = _stat(self.pid)
        return stat is not None and stat[19] == self.started and stat[0] != "Z"


def children_of(pid: int) -> list[Process]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) and int(stat[1]) == pid:
            found.append(Process(int(entry.name)))
    return found


def descendants_of(pid: int) -> list[Process]:
    found = []
    for child in children_of(pid):
        found += [child, *descendants_of(child.pid)]
    return found


def running_command(processes: list[Process], word: str) -> list[Process]:
    return [p for p in processes if word in p.command]


@contextmanager
def started(
    command: list[str], env: dict[str, str], log: Path | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """`command` running for the duration of the block; killed, with all it started, at the end."""
    out = log.open("wb") if log else subprocess.DEVNULL
    process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        left = descendants_of(process.pid)
        if process.poll() is None:
            process.kill()
        process.wait()
        for orphan in left:
            with suppress(ProcessLookupError):
                if orphan.alive:
                    os.kill(orphan.pid, signal.SIGKILL)
        if log and hasattr(out, "close"):
            out.close()
