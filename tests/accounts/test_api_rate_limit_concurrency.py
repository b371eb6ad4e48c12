"""The API's rate limit holds when a key's requests arrive at once, across the server's threads."""

import threading
import urllib.error
import urllib.request

import pytest
from pytest_django.live_server_helper import LiveServer

from ecoute.accounts.models import ApiKey, Membership

pytestmark = pytest.mark.django_db(transaction=True)

PARALLEL = 20


def _call(url: str, secret: str, barrier: threading.Barrier, statuses: list[int]) -> None:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {secret}"})  # noqa: S310
    barrier.wait()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            statuses.append(response.status)
    except urllib.error.HTTPError as error:
        statuses.append(error.code)


def test_twenty_parallel_requests_let_exactly_the_limit_through(
    live_server: LiveServer, owner: Membership, settings: object, clock_mid_window: None
) -> None:
    # Given a limit of five requests per key and minute
    settings.API_RATE_LIMIT = 5  # type: ignore[attr-defined]
    settings.API_RATE_LIMIT_WINDOW = 60  # type: ignore[attr-defined]
    _key, secret = ApiKey.issue(owner.organization, "CRM", scope="read")
    url = f"{live_server.url}/api/v1/customers"
    barrier = threading.Barrier(PARALLEL)
    statuses: list[int] = []
    # When twenty requests with the key arrive at once
    threads = [threading.Thread(target=_call, args=(url, secret, barrier, statuses)) for _ in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then exactly five got through and the others were told to wait
    assert sorted(statuses) == [200] * 5 + [429] * 15
