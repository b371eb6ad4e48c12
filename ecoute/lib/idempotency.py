"""Honour the `Idempotency-Key` header on API writes: the same key and body get the first answer again.

The key is claimed before the write, so two concurrent requests with one key cannot both write. Only
successful answers are kept (a refused request may be fixed and sent again with the same key), for a day.
"""

import hashlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from ecoute.lib.models import IdempotentRequest
from ecoute.lib.tenancy import current_organization

MAX_KEY_LENGTH = 200
KEPT_FOR = timedelta(hours=24)

type Answer = tuple[int, Any]


def idempotent(request: HttpRequest, endpoint: str, write: Callable[[], Answer]) -> Answer:
    """Run `write` once per key; a replay with another body answers 422, one still running 409."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        return write()
    if len(key) > MAX_KEY_LENGTH:
        return 400, {"detail": "Idempotency-Key is longer than 200 characters."}
    organization = current_organization(request)
    digest = hashlib.sha256(request.body).hexdigest()
    IdempotentRequest.objects.filter(created_at__lt=timezone.now() - KEPT_FOR).delete()
    try:
        with transaction.atomic():
            claim = IdempotentRequest.objects.create(
                organization=organization, key=key, endpoint=endpoint, request_hash=digest
            )
    except IntegrityError:
        previous = IdempotentRequest.objects.get(organization=organization, key=key, endpoint=endpoint)
        if previous.request_hash != digest:
            return 422, {"detail": "This Idempotency-Key was used with another request body."}
        if previous.status_code is None:
            return 409, {"detail": "A request with this Idempotency-Key is still being processed."}
        return previous.status_code, previous.response
    try:
        status, body = write()
    except BaseException:
        claim.delete()
        raise
    if 200 <= status < 300:
        IdempotentRequest.objects.filter(pk=claim.pk).update(status_code=status, response=body)
    else:
        claim.delete()
    return status, body
