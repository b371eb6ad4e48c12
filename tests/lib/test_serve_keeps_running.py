"""`ecoute serve` keeps the web server and the worker running, and stops them all, leaving nothing."""

import os
import signal
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import subprocess_env
from tests.processes import (
    Process,
    children_of,
    descendants_of,
    ecoute,
    free_port,
    running_command,
    started,
    wait_until,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@contextmanager
def _serving(tmp_path: Path, port: int, web_workers: int = 1) -> Iterator[subprocess.Popen[bytes]]:
    command = ecoute("serve", "--port", str(port), "--web-workers", str(web_workers), "--task-workers", "1")
    env = subprocess_env(TASKS_IMMEDIATE="0", LANGUAGE_CODE="en")
    log = tmp_path / "serve.log"
    try:
        with started(command, env, log) as serve:
            wait_until(lambda: _answers(port), message="the web server answers")
            yield serve
    finally:
        sys.stdout.write(log.read_text())  # shown when the test fails


def _one(processes: list[Process], word: str) -> Process:
    found = running_command(processes, word)
    assert len(found) == 1, processes
    return found[0]


def test_the_web_server_keeps_answering_when_the_worker_is_killed_and_the_worker_is_started_again(
    tmp_path: Path,
) -> None:
    port = free_port()
    with _serving(tmp_path, port) as serve:
        worker = wait_until(lambda: running_command(descendants_of(serve.pid), "db_worker"))[0]
        # When the worker is killed
        os.kill(worker.pid, signal.SIGKILL)
        # Then a new worker takes its place
        replacement = wait_until(
            lambda: [
                w for w in running_command(descendants_of(serve.pid), "db_worker") if w.pid != worker.pid
            ],
            timeout=30,
            message="a new worker",
        )
        assert not worker.alive
        assert replacement[0].alive
        # And the web server never stopped answering
        assert _answers(port)
        assert serve.poll() is None
    assert (
        "Worker 1 stopped (killed by SIGKILL): starting it again in" in (tmp_path / "serve.log").read_text()
    )


def test_a_killed_web_server_is_started_again_with_its_workers(tmp_path: Path) -> None:
    port = free_port()
    with _serving(tmp_path, port) as serve:
        # Given the web server (gunicorn's master process) and its web worker
        master = _one(children_of(serve.pid), "gunicorn")
        web_worker = _one(children_of(master.pid), "gunicorn")
        # When the master is killed
        os.kill(master.pid, signal.SIGKILL)
        # Then its worker goes too, and a new web server answers
        new_master = wait_until(
            lambda: [g for g in running_command(children_of(serve.pid), "gunicorn") if g.pid != master.pid],
            timeout=30,
            message="a new web server",
        )[0]
        wait_until(lambda: _answers(port), timeout=30, message="the new web server answers")
        assert not web_worker.alive
        assert new_master.alive
        assert serve.poll() is None
    assert "The web server stopped (killed by SIGKILL)" in (tmp_path / "serve.log").read_text()


def _family(serve: subprocess.Popen[bytes], gunicorns: int) -> list[Process]:
    """Every process serve started, once there are `gunicorns` gunicorn processes and a task worker."""
    tree = [p for p in descendants_of(serve.pid) if p.alive]
    if len(running_command(tree, "gunicorn")) != gunicorns or not running_command(tree, "db_worker"):
        return []
    return tree


def test_sigterm_stops_the_web_server_and_every_worker_leaving_no_process_behind(tmp_path: Path) -> None:
    port = free_port()
    with _serving(tmp_path, port, web_workers=2) as serve:
        # Given serve running gunicorn, its two web workers and a task worker
        family = wait_until(lambda: _family(serve, gunicorns=3))
        # When a service manager stops it
        serve.send_signal(signal.SIGTERM)
        # Then it ends cleanly, and every process it started has ended too
        assert serve.wait(timeout=60) == 0
        assert [p for p in family if p.alive] == []
        assert not _answers(port)


def test_a_killed_serve_leaves_no_process_behind(tmp_path: Path) -> None:
    port = free_port()
    with _serving(tmp_path, port) as serve:
        family = wait_until(lambda: _family(serve, gunicorns=2))
        # When serve itself is killed, with no chance to stop anything
        serve.kill()
        serve.wait()
        # Then the web server and the worker stop by themselves
        wait_until(lambda: not [p for p in family if p.alive], timeout=60, message=f"{family} gone")


def test_a_port_already_in_use_stops_serve_at_once_with_a_clear_message(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = subprocess.run(
            ecoute("serve", "--port", str(port)),
            env=subprocess_env(TASKS_IMMEDIATE="0", LANGUAGE_CODE="en"),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 1
    assert f"127.0.0.1:{port} is already in use" in result.stderr
