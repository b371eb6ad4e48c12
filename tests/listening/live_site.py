"""The product under gunicorn (two processes, threads each) on the test database, as in production:
requests sent together are really handled together, and none waits in a short listen queue."""

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import subprocess_env
from tests.processes import free_port, wait_until

ROOT = Path(__file__).resolve().parents[2]


def _accepts(port: int) -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
    except OSError:
        return False
    return True


@contextmanager
def served_site() -> Iterator[str]:
    port = free_port()
    command = [
        sys.executable, "-m", "gunicorn", "ecoute.wsgi:application", "--bind", f"127.0.0.1:{port}",
        "--workers", "2", "--threads", "8", "--worker-class", "gthread", "--no-control-socket",
    ]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=ROOT, env=subprocess_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_until(lambda: process.poll() is not None or _accepts(port), timeout=30, message="gunicorn")
        if process.poll() is not None:
            raise RuntimeError("gunicorn stopped while starting")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.kill()
        process.wait()
