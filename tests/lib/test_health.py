"""/health/ tells a load balancer that the process is up and reaches its database."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client

pytestmark = pytest.mark.django_db


def test_health_answers_ok_without_a_login_and_is_never_cached() -> None:
    # Given nobody logged in / When a monitor asks / Then the process and its database answer
    answer = Client().get("/health/")
    assert (answer.status_code, answer.content) == (200, b"ok")
    assert "no-store" in answer["Cache-Control"]


def test_health_answers_503_when_the_database_does_not() -> None:
    # Given a database that refuses connections
    with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=OperationalError("down")):
        # When a monitor asks
        answer = Client().get("/health/")
    # Then it is told the process cannot serve
    assert answer.status_code == 503


def test_health_takes_no_post() -> None:
    assert Client().post("/health/").status_code == 405
