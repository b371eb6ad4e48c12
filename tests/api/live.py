"""The product served in a subprocess against the test database, and a plain HTTP client for it.

A real server lets tests send simultaneous requests from threads, and kill a request in the middle."""

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.conftest import subprocess_env

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 30.0


@dataclass
class Answer:
    status: int
    body: Any


@dataclass
class LiveApi:
    url: str
    process: subprocess.Popen[bytes]

    def post(self, path: str, body: Any, *, secret: str, headers: dict[str, str] | None = None) -> Answer:
        request = urllib.request.Request(  # noqa: S310 - a local http:// address
            f"{self.url}/api/v1{path}",
            data=json.dumps(body).encode(),
            method="POST",
            headers={
                "Authorization": f"Bearer {secret}",
                "Content-Type": "application/json",
                **(headers or {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                return Answer(response.status, json.loads(response.read()))
        except urllib.error.HTTPError as error:
            content = error.read()
            try:
                return Answer(error.code, json.loads(content))
            except ValueError:
                return Answer(error.code, content.decode(errors="replace"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def live_api(**env: str) -> Iterator[LiveApi]:
    """Django's threaded development server in its own process, on a free port; killed on exit."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"],
        cwd=ROOT,
        env=subprocess_env(**env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                raise RuntimeError("the server stopped while starting")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield LiveApi(f"http://127.0.0.1:{port}", process)
    finally:
        process.kill()
        process.wait()
