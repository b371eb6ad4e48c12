"""Honour the `Idempotency-Key` header on API writes: the same key and body get the first answer again.

A request claims its key before writing, for a short lease, so that simultaneous requests with one key
never both write: the others are told the key is busy (409), or get the first answer once it is there.
The write and the answer it gives are committed together, so a request killed half-way leaves neither:
once its lease has passed, the client's retry takes the key over, once. Only successful answers are
kept, for a day; a refused request gives its key back, to be fixed and sent again.
"""

import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from ecoute.accounts.api_models import IdempotentRequest
from ecoute.accounts.tenancy import current_organization

MAX_KEY_LENGTH = 200
KEPT_FOR = timedelta(hours=24)
# A claim that another request releases or takes over between our attempts: try again, a few times.
CLAIM_ATTEMPTS = 5

type Answer = tuple[int, Any]


class _LeaseLostError(Exception):
    """The request ran past its lease and a retry took the key over: its write is rolled back."""


def idempotent(request: HttpRequest, endpoint: str, write: Callable[[], Answer]) -> Answer:
    """Run `write` in one transaction, once per key; a key sent with another body answers 422, a key
    held by a request still running 409."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        return _write_all_or_nothing(write, None)
    if len(key) > MAX_KEY_LENGTH or not key.isprintable():
        return 400, {"detail": _("The Idempotency-Key header holds at most 200 printable characters.")}
    organization = current_organization(request)
    digest = hashlib.sha256(request.body).hexdigest()
    IdempotentRequest.objects.filter(created_at__lt=timezone.now() - KEPT_FOR).delete()
    for _attempt in range(CLAIM_ATTEMPTS):
        claim = _claim(organization.pk, key, endpoint, digest)
        if isinstance(claim, IdempotentRequest):
            break
        if claim is not None:
            return claim
    else:
        return _busy()
    try:
        return _write_all_or_nothing(write, claim)
    except _LeaseLostError:
        return _busy()
    except BaseException:
        _release(claim)
        raise


def _lease_end() -> datetime:
    return timezone.now() + timedelta(seconds=settings.API_IDEMPOTENCY_LEASE)


def _busy() -> Answer:
    return 409, {"detail": _("A request with this Idempotency-Key is still being processed.")}


def _claim(organization_id: int, key: str, endpoint: str, digest: str) -> IdempotentRequest | Answer | None:
    """The claim on `key`, the answer to give instead, or None when the key changed hands meanwhile."""
    try:
        with transaction.atomic():
            return IdempotentRequest.objects.create(
                organization_id=organization_id,
                key=key,
                endpoint=endpoint,
                request_hash=digest,
                leased_until=_lease_end(),
            )
    except IntegrityError:
        pass
    held = IdempotentRequest.objects.filter(
        organization_id=organization_id, key=key, endpoint=endpoint
    ).first()
    if held is None:
        return None  # its request was refused and gave the key back: claim it again
    if held.status_code is not None:
        if held.request_hash != digest:
            return 422, {"detail": _("This Idempotency-Key was used with another request body.")}
        return held.status_code, held.response
    if held.leased_until is not None and held.leased_until > timezone.now():
        if held.request_hash != digest:
            return 422, {"detail": _("This Idempotency-Key was used with another request body.")}
        return _busy()
    # The request holding the key stopped without answering: take its lease over, unless a
    # simultaneous retry did first.
    lease, now = _lease_end(), timezone.now()
    taken = IdempotentRequest.objects.filter(
        pk=held.pk, status_code__isnull=True, leased_until=held.leased_until
    ).update(leased_until=lease, request_hash=digest, created_at=now)
    if not taken:
        return None
    held.leased_until, held.request_hash, held.created_at = lease, digest, now
    return held


def _write_all_or_nothing(write: Callable[[], Answer], claim: IdempotentRequest | None) -> Answer:
    """`write` in one transaction with the answer it gives; a refusal rolls back and frees the key."""
    with transaction.atomic():
        status, body = write()
        if not 200 <= status < 300:
            transaction.set_rollback(True)
        elif claim is not None and not _mine(claim).update(status_code=status, response=body):
            raise _LeaseLostError
    if claim is not None and not 200 <= status < 300:
        _release(claim)
    return status, body


def _mine(claim: IdempotentRequest) -> Any:
    return IdempotentRequest.objects.filter(
        pk=claim.pk, status_code__isnull=True, leased_until=claim.leased_until
    )


def _release(claim: IdempotentRequest) -> None:
    _mine(claim).delete()
