"""Rows shared by every app: remembered answers to API writes sent with an Idempotency-Key, rate
counters."""

from typing import ClassVar

from django.db import models
from django.utils import timezone


class IdempotentRequest(models.Model):
    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    endpoint = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    # Empty while the request holding the key runs.
    status_code = models.PositiveSmallIntegerField(null=True)
    response = models.JSONField(null=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Until when the running request holds the key; past it, a request that never answered (killed)
    # gives the key up to the next retry.
    leased_until = models.DateTimeField(null=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization", "key", "endpoint"], name="idempotency_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.endpoint} {self.key}"


class RateCounter(models.Model):
    """How many requests one key made in one fixed window of a rate limit, shared by every process."""

    scope = models.CharField(max_length=40)
    # A digest of what is counted (an address, an account, an API key): no personal data in clear.
    key = models.CharField(max_length=64)
    window_start = models.DateTimeField(db_index=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["scope", "key", "window_start"], name="one_counter_per_window")
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.window_start:%Y-%m-%d %H:%M}: {self.count}"
