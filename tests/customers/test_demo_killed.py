"""`ecoute demo` killed while it builds leaves nothing half-built: the next run builds the demo whole."""

import os
import queue
import signal
import subprocess
import threading
from pathlib import Path

import pytest

from ecoute.accounts.models import Organization
from ecoute.customers.models import Customer, ImportJob
from tests.conftest import subprocess_env
from tests.processes import ecoute, wait_until

pytestmark = pytest.mark.django_db(transaction=True)

DEMO = ecoute("demo", "--org", "demo", "--customers", "300", "--seed", "3")


def _lines(process: subprocess.Popen[str]) -> "queue.Queue[str]":
    """The lines `process` prints, as they come."""
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()
    return lines


def test_a_demo_killed_half_way_is_built_whole_by_the_next_run(tmp_path: Path) -> None:
    env = subprocess_env(LANGUAGE_CODE="en", PYTHONUNBUFFERED="1", ECOUTE_VAR_DIR=str(tmp_path / "var"))
    # Given the demo being built, killed once it imports the sales
    process = subprocess.Popen(DEMO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = _lines(process)
    wait_until(lambda: "Importing ventes.csv" in lines.get(timeout=60), timeout=60)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    # When it is run again
    result = subprocess.run(DEMO, env=env, capture_output=True, text=True, check=False)
    # Then it builds the whole demo
    assert result.returncode == 0, result.stdout + result.stderr
    assert "created" in result.stdout
    demo = Organization.objects.get(slug="demo")
    assert Customer.objects.filter(organization=demo).count() == 300
    assert (
        list(ImportJob.objects.filter(organization=demo).values_list("status", flat=True))
        == ["succeeded"] * 5
    )
