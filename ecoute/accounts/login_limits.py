"""Logging in with a password, within limits that keep guessing out without locking the owner out.

Addresses are counted as client_network_address gives them: an IPv6 client by its /64 network.

- Per account and address: past LOGIN_FAILURES_LIMIT failures in the window, that address may not
  try that account any more (the owner, elsewhere, is not concerned).
- Per address: past LOGIN_ADDRESS_FAILURES_LIMIT failures on any accounts, the address may not try any.
- Per account: past LOGIN_ACCOUNT_FAILURES_LIMIT failures from anywhere the account is under attack,
  which blocks nobody: from an address the account logged in from before, the password still logs in;
  from a new one, the right password gets a one-time link e-mailed to the account, and every password
  there — right, wrong, or for an account that does not exist — gets that same answer.

Each attempt is recorded before its password is checked, and the limits count recorded attempts,
concurrent ones included: however many arrive at once, no more passwords are checked than the limit.
This needs each write to be committed at once, as it is outside a transaction (no ATOMIC_REQUESTS).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import partial
from ipaddress import IPv6Address, IPv6Network, ip_address

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone, translation

from ecoute.accounts.emails import site_url
from ecoute.accounts.models import FailedLogin, KnownAddress, User
from ecoute.accounts.tasks import send_login_link_task
from ecoute.lib.rate_limits import count_request

# An address the account logged in from within this time is known.
KNOWN_FOR = timedelta(days=90)
# Login links e-mailed to one account per window of LOGIN_FAILURES_WINDOW.
LOGIN_LINKS_PER_WINDOW = 3


class Verdict(StrEnum):
    ACCEPTED = "accepted"
    WRONG = "wrong"
    BLOCKED = "blocked"
    CONFIRM_BY_EMAIL = "confirm_by_email"


@dataclass(frozen=True)
class LoginResult:
    verdict: Verdict
    user: User | None = None


def client_address(request: HttpRequest | None) -> str | None:
    """The address of the person behind `request`.

    Behind our one reverse proxy (BEHIND_PROXY=1 sets SECURE_PROXY_SSL_HEADER) every request comes
    from the proxy, which appends the address it saw to X-Forwarded-For: the last entry is the one
    nobody else can forge. Without a proxy the header is anyone's to forge, and only REMOTE_ADDR counts.
    """
    if request is None:
        return None
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")[-1].strip()
        if _is_address(forwarded):
            return forwarded
    remote = str(request.META.get("REMOTE_ADDR", ""))
    return remote if _is_address(remote) else None


def client_network_address(request: HttpRequest | None) -> str | None:
    """The address the limits count: the client's IPv4 address, or the first address of the /64 network
    of its IPv6 address — one connection is handed a whole /64, whose addresses it may take in turn, and
    an owner's own address changes within it from day to day (privacy extensions)."""
    address = client_address(request)
    if address is None:
        return None
    parsed = ip_address(address)
    if isinstance(parsed, IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(IPv6Network((int(parsed), 64), strict=False).network_address)
    return str(parsed)


def client_network(request: HttpRequest | None) -> str:
    """What an anonymous rate limit counts (see client_network_address), "unknown" without an address."""
    return client_network_address(request) or "unknown"


def attempt_login(request: HttpRequest | None, email: str, password: str) -> LoginResult:
    """Check `password` for `email` from the request's address, within the limits."""
    email = email.strip().lower()[:254]
    address = client_network_address(request)
    attempt = _reserve_attempt(email, address)
    if attempt is None:
        return LoginResult(Verdict.BLOCKED)
    account = User.objects.filter(email__iexact=email).first()
    user = _verified(account, password)
    if user is not None:
        attempt.delete()
    if _under_attack(email) and not _is_known(account, address):
        if request is None:  # no page to answer on, no site address for a link
            return LoginResult(Verdict.BLOCKED)
        if user is not None:
            _send_login_link(request, user)
        return LoginResult(Verdict.CONFIRM_BY_EMAIL)
    if user is None:
        return LoginResult(Verdict.WRONG)
    remember_login(user, address)
    return LoginResult(Verdict.ACCEPTED, user)


def check_current_password(request: HttpRequest, user: User, password: str) -> Verdict:
    """For a logged-in person confirming who they are: the same limits, without the e-mailed link."""
    attempt = _reserve_attempt(user.email, client_network_address(request))
    if attempt is None:
        return Verdict.BLOCKED
    if user.check_password(password):
        attempt.delete()
        return Verdict.ACCEPTED
    return Verdict.WRONG


def remember_login(user: User, address: str | None) -> None:
    """After a login: the address is known to the account, and its failures there are forgotten."""
    forget_failed_logins(user.email, address)
    if address is None:
        return
    now = timezone.now()
    KnownAddress.objects.update_or_create(user=user, address=address, defaults={"last_login_at": now})
    KnownAddress.objects.filter(user=user, last_login_at__lt=now - KNOWN_FOR).delete()


def forget_failed_logins(email: str, address: str | None) -> None:
    """Drop the failures of an account from one address, once its owner proved who they are there."""
    _same_pair(FailedLogin.objects.all(), email.lower(), address).delete()


def _reserve_attempt(email: str, address: str | None) -> FailedLogin | None:
    """Record the attempt, then count it with the others: None, and no record, when over a limit."""
    attempt = FailedLogin.objects.create(email=email.lower()[:254], address=address)
    FailedLogin.objects.filter(created_at__lt=_window_start()).delete()  # useless to the limits
    recent = FailedLogin.objects.filter(created_at__gte=_window_start())
    over = _same_pair(recent, attempt.email, address).count() > settings.LOGIN_FAILURES_LIMIT or (
        address is not None and recent.filter(address=address).count() > settings.LOGIN_ADDRESS_FAILURES_LIMIT
    )
    if over:
        attempt.delete()
        return None
    return attempt


def _same_pair(attempts: QuerySet[FailedLogin], email: str, address: str | None) -> QuerySet[FailedLogin]:
    if address is None:
        return attempts.filter(email=email, address__isnull=True)
    return attempts.filter(email=email, address=address)


def _verified(account: User | None, password: str) -> User | None:
    if account is None:
        User().set_password(password)  # the same time whether or not the account exists
        return None
    if account.check_password(password) and account.is_active:
        return account
    return None


def _under_attack(email: str) -> bool:
    failures = FailedLogin.objects.filter(email=email, created_at__gte=_window_start())
    return failures.count() >= settings.LOGIN_ACCOUNT_FAILURES_LIMIT


def _is_known(account: User | None, address: str | None) -> bool:
    if account is None or address is None:
        return False
    since = timezone.now() - KNOWN_FOR
    return KnownAddress.objects.filter(user=account, address=address, last_login_at__gte=since).exists()


def _send_login_link(request: HttpRequest, user: User) -> None:
    """E-mail a login link in the background (the time of the answer must not tell the password was
    right), a few per window at most."""
    window = settings.LOGIN_FAILURES_WINDOW
    if count_request("login_link", user.email, limit=LOGIN_LINKS_PER_WINDOW, window=window).allowed:
        enqueue = partial(
            send_login_link_task.enqueue, user.pk, site_url(request), translation.get_language()
        )
        transaction.on_commit(enqueue)


def _window_start() -> datetime:
    return timezone.now() - timedelta(seconds=settings.LOGIN_FAILURES_WINDOW)


def _is_address(text: str) -> bool:
    try:
        ip_address(text)
    except ValueError:
        return False
    return True
