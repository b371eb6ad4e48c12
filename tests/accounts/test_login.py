"""Logging in and out by e-mail, and the rate limit on failed attempts."""

from typing import Any

from django.contrib.auth import authenticate
from django.test import Client
from django.urls import reverse

from ecoute.accounts.models import FailedLogin, KnownAddress, Membership
from tests.factories import PASSWORD


def _login(client: Client, email: str, password: str, address: str = "10.0.0.1") -> int:
    response = client.post(
        reverse("accounts:login"), {"email": email, "password": password}, REMOTE_ADDR=address
    )
    return response.status_code


def test_a_member_logs_in_with_email_and_password_and_lands_on_the_overview(owner: Membership) -> None:
    # Given a member of an organization
    client = Client()
    # When they log in with their e-mail in capitals
    response = client.post(reverse("accounts:login"), {"email": "OWNER@maison.fr", "password": PASSWORD})
    # Then they reach the overview of their organization
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:overview")
    assert client.get(reverse("customers:overview")).status_code == 200


def test_a_wrong_password_is_refused_with_a_message(owner: Membership) -> None:
    client = Client()
    response = client.post(reverse("accounts:login"), {"email": owner.user.email, "password": "nope"})
    assert response.status_code == 200
    assert "ne correspondent" in response.content.decode() or "do not match" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_redirects_only_to_pages_of_this_site(owner: Membership) -> None:
    client = Client()
    response = client.post(
        reverse("accounts:login") + "?next=https://evil.example/",
        {"email": owner.user.email, "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("customers:overview")


def test_logout_needs_a_post_and_ends_the_session(owner_client: Client) -> None:
    assert owner_client.get(reverse("accounts:logout")).status_code == 405
    response = owner_client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert owner_client.get(reverse("customers:overview")).status_code == 302


def test_failed_logins_are_limited_per_account_and_address(owner: Membership) -> None:
    # Given five failed attempts on one account from one address
    for attempt in range(5):
        assert _login(Client(), owner.user.email, f"wrong-{attempt}", address="10.0.1.1") == 200
    # When the right password comes from that address
    client = Client()
    response = client.post(
        reverse("accounts:login"),
        {"email": owner.user.email, "password": PASSWORD},
        REMOTE_ADDR="10.0.1.1",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    # Then it is refused, and the message says to wait
    assert "_auth_user_id" not in client.session
    assert "Too many failed attempts" in response.content.decode()
    # And from another address the owner gets in
    other = Client()
    _login(other, owner.user.email, PASSWORD, address="10.0.1.2")
    assert "_auth_user_id" in other.session


def test_failed_logins_are_limited_per_address_across_accounts(owner: Membership, settings: Any) -> None:
    # Given as many failed attempts from one address as its limit, each on another account
    for attempt in range(settings.LOGIN_ADDRESS_FAILURES_LIMIT):
        _login(Client(), f"someone{attempt}@example.fr", "wrong", address="192.0.2.7")
    # When a real member logs in from that address
    client = Client()
    response = client.post(
        reverse("accounts:login"),
        {"email": owner.user.email, "password": PASSWORD},
        REMOTE_ADDR="192.0.2.7",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    # Then the address is blocked, and the message says to wait
    assert "_auth_user_id" not in client.session
    assert "minutes" in response.content.decode()
    # And from another address the member gets in
    other = Client()
    _login(other, owner.user.email, PASSWORD, address="192.0.2.8")
    assert "_auth_user_id" in other.session


def test_a_successful_login_clears_the_failures_of_its_address(owner: Membership) -> None:
    # Given four mistakes from the owner's address, then the right password
    for attempt in range(4):
        _login(Client(), owner.user.email, f"wrong-{attempt}", address="10.0.3.1")
    client = Client()
    _login(client, owner.user.email, PASSWORD, address="10.0.3.1")
    assert "_auth_user_id" in client.session
    # When four more mistakes come from there
    for attempt in range(4):
        _login(Client(), owner.user.email, f"wrong-{attempt}", address="10.0.3.1")
    # Then the right password still gets in: the count started again
    again = Client()
    _login(again, owner.user.email, PASSWORD, address="10.0.3.1")
    assert "_auth_user_id" in again.session


def test_failed_logins_on_the_support_admin_are_limited_too(owner: Membership) -> None:
    # Given a staff member
    owner.user.is_staff = owner.user.is_superuser = True
    owner.user.save()
    # And five wrong passwords tried from one address on the support admin's own login page
    for attempt in range(5):
        response = Client().post(
            "/admin/login/",
            {"username": owner.user.email, "password": f"wrong-{attempt}"},
            REMOTE_ADDR="10.0.7.1",
        )
        assert response.status_code == 200
    # When the right password comes from there
    client = Client()
    client.post("/admin/login/", {"username": owner.user.email, "password": PASSWORD}, REMOTE_ADDR="10.0.7.1")
    # Then it is refused, there and on the product's login page
    assert "_auth_user_id" not in client.session
    _login(client, owner.user.email, PASSWORD, address="10.0.7.1")
    assert "_auth_user_id" not in client.session


def test_anything_calling_authenticate_counts_and_respects_the_limit(owner: Membership) -> None:
    # Given five wrong passwords given to `authenticate` without a request
    for attempt in range(5):
        assert authenticate(None, email=owner.user.email, password=f"wrong-{attempt}") is None
    # When the right password comes the same way
    user = authenticate(None, email=owner.user.email, password=PASSWORD)
    # Then it is refused too
    assert user is None
    assert FailedLogin.objects.filter(email=owner.user.email).count() == 5


def test_behind_the_proxy_the_limit_counts_the_address_the_proxy_saw(
    owner: Membership, settings: Any
) -> None:
    # Given the site behind its reverse proxy, which every request comes from
    settings.LOGIN_ADDRESS_FAILURES_LIMIT = 5
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    proxy = "10.9.9.9"
    # And five failures on five accounts from one person's address, each with a forged first entry
    for attempt in range(5):
        Client().post(
            reverse("accounts:login"),
            {"email": f"someone{attempt}@example.fr", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"10.0.0.{attempt}, 198.51.100.4",
            REMOTE_ADDR=proxy,
        )
    # When that address tries a real account, and someone else tries it through the same proxy
    blocked, other = Client(), Client()
    credentials = {"email": owner.user.email, "password": PASSWORD}
    blocked.post(
        reverse("accounts:login"), credentials, HTTP_X_FORWARDED_FOR="198.51.100.4", REMOTE_ADDR=proxy
    )
    other.post(reverse("accounts:login"), credentials, HTTP_X_FORWARDED_FOR="198.51.100.5", REMOTE_ADDR=proxy)
    # Then only the address that failed is blocked
    assert "_auth_user_id" not in blocked.session
    assert "_auth_user_id" in other.session
    assert set(FailedLogin.objects.values_list("address", flat=True)) == {"198.51.100.4"}


def test_without_a_proxy_a_forwarded_header_does_not_change_the_address(
    owner: Membership, settings: Any
) -> None:
    # Given the site without a proxy, and five failures from one address that claims five others
    settings.LOGIN_ADDRESS_FAILURES_LIMIT = 5
    settings.SECURE_PROXY_SSL_HEADER = None
    for attempt in range(5):
        Client().post(
            reverse("accounts:login"),
            {"email": f"someone{attempt}@example.fr", "password": "wrong"},
            REMOTE_ADDR="192.0.2.9",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt}",
        )
    # When a real member logs in from that address
    client = Client()
    client.post(
        reverse("accounts:login"),
        {"email": owner.user.email, "password": PASSWORD},
        REMOTE_ADDR="192.0.2.9",
        HTTP_X_FORWARDED_FOR="203.0.113.99",
    )
    # Then the address is blocked: the header was not believed
    assert "_auth_user_id" not in client.session


def test_an_ipv6_client_taking_addresses_in_turn_from_its_64_is_limited_as_one(
    owner: Membership, settings: Any
) -> None:
    # Given as many failed attempts as the address limit, each from another address of one IPv6 /64
    for attempt in range(settings.LOGIN_ADDRESS_FAILURES_LIMIT):
        _login(Client(), f"someone{attempt}@example.fr", "wrong", address=f"2001:db8:5:7::{attempt + 1:x}")
    # When the right password comes from yet another address of that /64
    blocked = Client()
    _login(blocked, owner.user.email, PASSWORD, address="2001:db8:5:7:abcd::1")
    # Then it is refused like the others
    assert "_auth_user_id" not in blocked.session
    # And from the next /64 the member gets in
    other = Client()
    _login(other, owner.user.email, PASSWORD, address="2001:db8:5:8::1")
    assert "_auth_user_id" in other.session


def test_an_owner_whose_ipv6_address_changed_within_its_64_is_still_known(owner: Membership) -> None:
    # Given an owner who logged in from one address of their /64, and a failure recorded there
    _login(Client(), owner.user.email, PASSWORD, address="2001:db8:9:1::10")
    _login(Client(), owner.user.email, "wrong", address="2001:db8:9:1::11")
    # When they log in from another address of the same /64 (privacy extensions change it daily)
    client = Client()
    _login(client, owner.user.email, PASSWORD, address="2001:db8:9:1::12")
    # Then they are in, and the address is remembered as their network, its failures forgotten
    assert "_auth_user_id" in client.session
    assert KnownAddress.objects.filter(user=owner.user, address="2001:db8:9:1::").exists()
    assert not FailedLogin.objects.filter(email=owner.user.email).exists()
