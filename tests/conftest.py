"""Fixtures shared by the whole suite: organizations, members, logged-in clients, an SMTP sink."""

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from django.test import Client
from playwright.sync_api import Browser

from ecoute.accounts.models import Membership, Organization, Role
from ecoute.lib.email_url import smtp_mailer
from tests.chromium import launched_browser
from tests.factories import PASSWORD, MembershipFactory, OrganizationFactory
from tests.smtp_sink import SmtpSink

DATA = Path(__file__).parent / "data"

# Playwright drives a sync API from its own event loop thread; Django's async-safety guard
# would otherwise refuse the live server's database calls made from the test thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def subprocess_env(**extra: str) -> dict[str, str]:
    """The environment for running `ecoute` in a subprocess against the test database."""
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{db['NAME']}"
    else:
        url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return {**os.environ, "DATABASE_URL": url, "ECOUTE_TESTING": "1", **extra}


@pytest.fixture
def org(db: None) -> Organization:
    return OrganizationFactory.create(slug="maison", name="Maison Lumière")


@pytest.fixture
def other_org(db: None) -> Organization:
    return OrganizationFactory.create(slug="autre", name="Autre Maison")


@pytest.fixture
def owner(org: Organization) -> Membership:
    return MembershipFactory.create(organization=org, role=Role.OWNER, user__email="owner@maison.fr")


def member_client(membership: Membership) -> Client:
    client = Client()
    assert client.login(email=membership.user.email, password=PASSWORD)
    return client


@pytest.fixture
def owner_client(owner: Membership) -> Client:
    return member_client(owner)


@pytest.fixture
def smtp_sink(settings: pytest.FixtureRequest) -> Iterator[SmtpSink]:
    """A real SMTP server on a local port; Django's SMTP backend sends to it."""
    with SmtpSink() as sink:
        settings.MAILERS = {"default": smtp_mailer(sink.host, sink.port)}  # type: ignore[attr-defined]
        yield sink


@pytest.fixture
def clock_mid_window() -> Iterator[None]:
    """Rate limits count in fixed windows (a minute, a quarter, an hour): start the test just inside
    one, so that it cannot straddle two whatever the time it runs at."""
    with time_machine.travel(datetime(2026, 3, 14, 10, 0, 5, tzinfo=UTC), tick=True):
        yield


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """The one Chromium of this test process, shared by every test that drives a page."""
    yield from launched_browser()
