"""The product under gunicorn (two processes, threads each) on the test database, as in production:
requests sent together are really handled together, and none waits in a short listen queue."""

import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http import HTTPStatus
from pathlib import Path

from tests.conftest import subprocess_env
from tests.processes import free_port, wait_until

ROOT = Path(__file__).resolve().parents[2]


def _answers(port: int) -> bool:
    """Whether a worker has loaded the product and answers /health/ (not only the master's socket)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=5) as answer:
            return bool(answer.status == HTTPStatus.OK)
    except OSError:
        return False


@contextmanager
def served_site() -> Iterator[str]:
    port = free_port()
    command = [
        sys.executable, "-m", "gunicorn", "ecoute.wsgi:application", "--bind", f"127.0.0.1:{port}",
        "--workers", "2", "--threads", "8", "--worker-class", "gthread", "--no-control-socket",
        # On a loaded machine a worker may take long to load the product: never killed for it mid-test.
        "--timeout", "300",
    ]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=ROOT, env=subprocess_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_until(lambda: process.poll() is not None or _answers(port), timeout=120, message="gunicorn")
        if process.poll() is not None:
            raise RuntimeError("gunicorn stopped while starting")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.kill()
        process.wait()
