"""Rows shared by every app: rate counters."""

from typing import ClassVar

from django.db import models


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
