"""Remembered answers to the API writes an organization sent with an Idempotency-Key."""

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
        # Kept in the table it was created in, when it belonged to the shared layer.
        db_table = "ecoute_lib_idempotentrequest"
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization", "key", "endpoint"], name="idempotency_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.endpoint} {self.key}"
