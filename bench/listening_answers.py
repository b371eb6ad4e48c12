"""Part (a) of bench/listening.py: public answer submissions per second under gunicorn, against a
trivial page's requests per second in the same run.

In a process of its own per database, on a fresh database: an active survey of one NPS question and
as many invitations as the run can use, each with its own token. gunicorn serves the product on
loopback (as many workers as cores, as in production). Then, with the same number of concurrent
clients on kept-alive connections, for the same time each:

- baseline: GET /health/ — the page a load balancer asks every few seconds: the whole Django stack
  and one `SELECT 1`, nothing else;
- ours: POST /s/<token> — a customer's answer: CSRF checked, the invitation found by its token's
  digest, its response claimed (and locked) and its answer written, the response and the invitation
  completed, the thank-you page rendered in the customer's language. Each token is answered once.

Both are warmed up first (a second each), then measured in turns of a second, each for the same time
in all, so that a change in the machine's load during the run (other processes) weighs on both alike;
measured one after the other, the ratio moved with whatever else the machine was doing.

Prints requests per second of each and the ratio ours / baseline.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CLIENTS = 8
# The two kinds of request take turns of this many seconds (see alternating()).
WINDOW = 1.0


def setup_django(database_url: str, var_dir: str) -> dict[str, str]:
    env = {
        "DATABASE_URL": database_url,
        "ECOUTE_VAR_DIR": var_dir,
        "SECRET_KEY": "bench-" + "x" * 50,
        "DEBUG": "0",
        "SECURE_HTTPS": "0",
        "ALLOWED_HOSTS": os.environ.get("ALLOWED_HOSTS", "127.0.0.1"),
        "DJANGO_SETTINGS_MODULE": "ecoute.settings",
    }
    os.environ.update(env)
    import django

    django.setup()
    return env


def populate(invitations: int) -> list[str]:
    """An active one-question NPS survey and `invitations` invitations; returns their tokens."""
    from django.core.management import call_command
    from fresh_database import migrate

    from ecoute.accounts.models import Organization
    from ecoute.customers.models import Customer
    from ecoute.lib.tokens import new_token, token_digest
    from ecoute.listening.models import Invitation, Question, Survey

    migrate()
    call_command("collectstatic", interactive=False, verbosity=0)  # served by whitenoise, as in production
    org = Organization.objects.create(slug="bench", name="Bench", time_zone="Europe/Paris")
    survey = Survey.objects.create(organization=org, slug="nps", name="NPS", status="active")
    Question.objects.create(
        survey=survey, code="recommend", type="nps", text_fr="Nous recommanderiez-vous ?", required=True
    )
    customers = Customer.objects.bulk_create(
        Customer(organization=org, external_id=f"C{n}", email=f"c{n}@example.fr", language="fr")
        for n in range(invitations)
    )
    tokens = [new_token() for _ in customers]
    Invitation.objects.bulk_create(
        (
            Invitation(
                organization=org,
                survey=survey,
                customer=customer,
                status="sent",
                token_hash=token_digest(token),
            )
            for customer, token in zip(customers, tokens, strict=True)
        ),
        batch_size=2000,
    )
    return tokens


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_served(port: int) -> None:
    deadline = time.monotonic() + 300  # a busy machine takes minutes to load the workers
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/health/")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


class Client:
    """One browser on a kept-alive connection, with its CSRF cookie."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.connection.request("GET", "/accounts/login/")
        answer = self.connection.getresponse()
        answer.read()
        cookie = answer.getheader("Set-Cookie") or ""
        self.csrf = cookie.split("csrftoken=", 1)[1].split(";", 1)[0]

    def health(self) -> int:
        self.connection.request("GET", "/health/")
        answer = self.connection.getresponse()
        answer.read()
        return answer.status

    def answer(self, token: str) -> int:
        body = f"csrfmiddlewaretoken={self.csrf}&question=recommend&score=9"
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={self.csrf}",
            "Accept-Language": "fr",
        }
        self.connection.request("POST", f"/s/{token}", body=body, headers=headers)
        answer = self.connection.getresponse()
        answer.read()
        return answer.status


def measure(clients: list[Client], seconds: float, request: Any) -> tuple[int, float]:
    """`request(client)` by every client at once for `seconds`: the requests done, the seconds taken."""
    done = [0] * len(clients)
    failures: list[int] = []
    stop = time.monotonic() + seconds

    def work(index: int) -> None:
        while time.monotonic() < stop:
            status = request(clients[index])
            if status is None:
                return
            if status not in (200, 302):
                failures.append(status)
            done[index] += 1

    threads = [threading.Thread(target=work, args=(n,)) for n in range(len(clients))]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError(f"{len(failures)} requests failed, e.g. {failures[0]}")
    return sum(done), time.monotonic() - started


def alternating(clients: list[Client], seconds: float, first: Any, second: Any) -> tuple[float, float]:
    """Requests per second of `first` and of `second`, each run for `seconds` in all, in turns of
    WINDOW seconds: when the machine's load changes during the run (other processes), both see it."""
    turns = max(1, round(seconds / WINDOW))
    totals = [[0, 0.0], [0, 0.0]]
    for _turn in range(turns):
        for total, request in zip(totals, (first, second), strict=True):
            done, took = measure(clients, seconds / turns, request)
            total[0] += done
            total[1] += took
    return totals[0][0] / totals[0][1], totals[1][0] / totals[1][1]


def run(database_url: str, var_dir: str, seconds: float, invitations: int) -> dict[str, Any]:
    env = setup_django(database_url, var_dir)
    tokens = populate(invitations)
    port = free_port()
    workers = str(os.cpu_count() or 2)
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "ecoute.wsgi:application", "--bind",
         f"127.0.0.1:{port}", "--workers", workers, "--log-level", "warning",
         # As `ecoute serve` runs it: a worker slow to load on a busy machine is not killed.
         "--timeout", "120"],
        cwd=ROOT, env={**os.environ, **env},
    )  # fmt: skip
    try:
        wait_until_served(port)
        clients = [Client(port) for _ in range(CLIENTS)]
        remaining = iter(tokens)
        lock = threading.Lock()

        def answer(client: Client) -> int | None:
            with lock:
                token = next(remaining, None)
            return None if token is None else client.answer(token)

        # Warm both up in every worker (first queries, templates, the survey's questions), then measure.
        measure(clients, 1.0, Client.health)
        warm_up, _took = measure(clients, 1.0, answer)
        trivial, answers = alternating(clients, seconds, Client.health, answer)
    finally:
        server.terminate()
        server.wait(timeout=30)
    from ecoute.listening.models import Response

    completed = Response.objects.filter(completed_at__isnull=False, nps_level="promoter").count()
    return {
        "trivial": trivial,
        "answers": answers,
        "completed": completed,
        "warm_up_answers": warm_up,
        "workers": int(workers),
        "clients": CLIENTS,
    }
