"""Keep a few processes running side by side: one that dies is started again, after a pause that grows
while it keeps dying at once; one that cannot stay up (its port is taken, its database is missing) makes
the whole set stop with its name; stopping stops every process, with whatever each started, and
nothing is left behind even when the supervisor itself is killed.
"""

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import formats
from django.utils.translation import gettext as _

type Report = Callable[[str], None]

_PR_SET_PDEATHSIG = 1


def _stop_with_parent() -> None:
    """In the child, before it runs: the kernel sends SIGTERM when the supervisor dies, even by SIGKILL
    (Linux; elsewhere the children of a killed supervisor live on)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def describe_exit(returncode: int) -> str:
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = str(-returncode)
        return _("killed by %(signal)s") % {"signal": name}
    return _("exit code %(code)s") % {"code": returncode}


class ChildKeepsDyingError(Exception):
    """A process died within seconds of starting, again and again: running on makes no sense."""

    def __init__(self, name: str, times: int, returncode: int) -> None:
        super().__init__(name, times, returncode)
        self.name, self.times, self.returncode = name, times, returncode


@dataclass
class Child:
    name: str
    command: list[str]
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    quick_deaths: int = 0
    restart_at: float | None = None


@dataclass
class Timing:
    steady_after: float = 10.0  # a process that ran this long was up: its death is not "at once"
    give_up_after: int = 5  # deaths at once in a row
    first_delay: float = 0.5  # before starting again; doubles with each death at once
    max_delay: float = 30.0
    stop_timeout: float = 30.0  # after SIGTERM, before SIGKILL
    poll: float = 0.2


class Supervisor:
    def __init__(self, children: dict[str, list[str]], report: Report, timing: Timing | None = None) -> None:
        self.children = [Child(name, command) for name, command in children.items()]
        self.report = report
        self.timing = timing or Timing()
        self.stopping = False
        self.forced = False

    def request_stop(self, _signum: int = 0, _frame: object = None) -> None:
        """Safe from a signal handler: the loop stops every process at its next turn; asked again
        while stopping, it stops them at once."""
        self.forced = self.stopping
        self.stopping = True

    def run(self) -> None:
        """Start the processes and keep them running until request_stop(); ChildKeepsDyingError when
        one cannot stay up. Every process is stopped on the way out, whatever happens."""
        try:
            for child in self.children:
                self._start(child)
            while not self.stopping:
                self._tend(time.monotonic())
                time.sleep(self.timing.poll)
        finally:
            self.stop()

    def pids(self) -> list[int]:
        return [c.process.pid for c in self.children if c.process is not None and c.process.poll() is None]

    def _start(self, child: Child) -> None:
        child.process = subprocess.Popen(
            child.command,
            # Its own process group: Ctrl-C reaches the supervisor only, which stops each child once;
            # and the group is how whatever the child started is stopped with it.
            start_new_session=True,
            preexec_fn=_stop_with_parent,  # noqa: PLW1509 - the supervisor starts no threads
        )
        child.started_at = time.monotonic()
        child.restart_at = None

    def _tend(self, now: float) -> None:
        for child in self.children:
            if child.process is not None and (code := child.process.poll()) is not None:
                self._died(child, child.process.pid, code, now)
            elif child.process is None and child.restart_at is not None and now >= child.restart_at:
                self._start(child)

    def _died(self, child: Child, pid: int, code: int, now: float) -> None:
        _kill_group(pid)  # what it started and left behind
        child.process = None
        quick = now - child.started_at < self.timing.steady_after
        child.quick_deaths = child.quick_deaths + 1 if quick else 0
        if child.quick_deaths >= self.timing.give_up_after:
            raise ChildKeepsDyingError(child.name, child.quick_deaths, code)
        delay = min(self.timing.max_delay, self.timing.first_delay * 2**child.quick_deaths)
        child.restart_at = now + delay
        self.report(
            _("%(name)s stopped (%(how)s): starting it again in %(delay)s s.")
            % {"name": child.name, "how": describe_exit(code), "delay": formats.number_format(delay, 1)}
        )

    def stop(self) -> None:
        """SIGTERM to every process; SIGKILL to the group of any still there after the stop timeout, or
        at once when asked to stop a second time."""
        running = [c.process for c in self.children if c.process is not None]
        for process in running:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.timing.stop_timeout
        while any(p.poll() is None for p in running) and time.monotonic() < deadline and not self.forced:
            time.sleep(self.timing.poll)
        for process in running:
            _kill_group(process.pid)
            process.wait()
        for child in self.children:
            child.process = None


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)
