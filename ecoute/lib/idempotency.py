"""Honour the `Idempotency-Key` header on API writes: the same key and body get the first answer again."""

import hashlib
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest

from ecoute.lib.models import IdempotentRequest

MAX_KEY_LENGTH = 200

type Answer = tuple[int, Any]


def idempotent(request: HttpRequest, endpoint: str, write: Callable[[], Answer]) -> Answer:
    """Run `write` once per key; a replay with another body answers 422."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        return write()
    if len(key) > MAX_KEY_LENGTH:
        return 400, {"detail": "Idempotency-Key is longer than 200 characters."}
    organization = request.organization  # type: ignore[attr-defined]
    digest = hashlib.sha256(request.body).hexdigest()
    previous = IdempotentRequest.objects.filter(organization=organization, key=key, endpoint=endpoint).first()
    if previous is not None:
        if previous.request_hash != digest:
            return 422, {"detail": "This Idempotency-Key was used with another request body."}
        return previous.status_code, previous.response
    status, body = write()
    if status < 500:
        try:
            with transaction.atomic():
                IdempotentRequest.objects.create(
                    organization=organization,
                    key=key,
                    endpoint=endpoint,
                    request_hash=digest,
                    status_code=status,
                    response=body,
                )
        except IntegrityError:
            pass  # a concurrent replay stored it first; both did the same idempotent upsert
    return status, body
