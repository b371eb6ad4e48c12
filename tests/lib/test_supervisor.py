"""The supervisor behind `ecoute serve`, on real processes: restarts with a growing pause, gives up on a
process that cannot stay up, and stops even a process that ignores SIGTERM, with what it started."""

import sys
import threading
import time

import pytest
from django.utils import translation

from ecoute.lib.supervisor import ChildKeepsDyingError, Supervisor, Timing
from tests.processes import Process, descendants_of, wait_until

FAST = Timing(steady_after=1.0, give_up_after=4, first_delay=0.1, max_delay=1.0, stop_timeout=2.0, poll=0.02)


def _python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def test_a_process_that_keeps_dying_at_once_is_restarted_after_growing_pauses_then_given_up() -> None:
    reports: list[str] = []
    supervisor = Supervisor({"Broken": _python("raise SystemExit(3)")}, reports.append, FAST)
    started = time.monotonic()
    with translation.override("en"), pytest.raises(ChildKeepsDyingError) as failure:
        supervisor.run()
    # Three restarts, after 0.2, 0.4 and 0.8 s, then it gives up at the fourth death
    assert (failure.value.name, failure.value.times, failure.value.returncode) == ("Broken", 4, 3)
    assert [r.rsplit(" in ", 1)[1] for r in reports] == ["0.2 s.", "0.4 s.", "0.8 s."]
    assert all(r.startswith("Broken stopped (exit code 3): starting it again") for r in reports)
    assert time.monotonic() - started >= 1.4


def test_a_process_that_ran_steadily_before_dying_is_always_started_again() -> None:
    # Given a process that runs longer than `steady_after`, then dies, again and again
    reports: list[str] = []
    timing = Timing(
        steady_after=0.5, give_up_after=2, first_delay=0.1, max_delay=1.0, stop_timeout=2.0, poll=0.02
    )

    def report(message: str) -> None:
        reports.append(message)
        if len(reports) == 4:
            supervisor.request_stop()

    supervisor = Supervisor({"Flaky": _python("import time; time.sleep(0.8)")}, report, timing)
    # When it has died more times than it takes to give up on a process dying at once
    with translation.override("en"):
        supervisor.run()
    # Then it was started again each time, after the shortest pause
    assert {r.rsplit(" in ", 1)[1] for r in reports} == {"0.1 s."}


def test_stopping_ends_a_process_that_ignores_sigterm_and_what_it_started() -> None:
    # Given a process that ignores SIGTERM and has started a process of its own
    stubborn = _python(
        "import signal, subprocess, sys, time\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        "time.sleep(60)\n"
    )
    supervisor = Supervisor({"Stubborn": stubborn}, print, FAST)
    runner = threading.Thread(target=supervisor.run)
    runner.start()
    [child] = wait_until(lambda: [Process(pid) for pid in supervisor.pids()])
    family = [child, *wait_until(lambda: descendants_of(child.pid))]
    # When the supervisor is asked to stop
    supervisor.request_stop()
    runner.join(timeout=10)
    # Then, after the stop timeout, both are gone (SIGKILL takes effect a moment after it is sent)
    assert not runner.is_alive()
    assert not child.alive
    wait_until(lambda: not [p for p in family if p.alive], timeout=5, message=f"{family} gone")
