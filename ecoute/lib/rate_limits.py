"""Rate limits counted in the database, so that every web process and machine shares one count.

Each request adds one to the counter of its (scope, key) in the current fixed window, inside a
transaction that holds the counter's row: concurrent requests are counted one after the other, and
no more than `limit` of them are ever let through in a window.
"""

import hashlib
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from ecoute.lib.models import RateCounter

# Counters of windows older than this are deleted as new windows start; windows are at most a day.
KEPT_FOR = timedelta(days=2)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int  # seconds until the window ends and the count starts again


def count_request(scope: str, key: str, *, limit: int, window: int) -> Verdict:
    """Count one request of `key` in `scope`; allowed while the window holds at most `limit`."""
    now = timezone.now()
    start = int(now.timestamp()) // window * window
    window_start = datetime.fromtimestamp(start, UTC)
    digest = hashlib.sha256(key.encode()).hexdigest()
    counter = RateCounter.objects.filter(scope=scope, key=digest, window_start=window_start)
    with transaction.atomic():
        if not counter.update(count=F("count") + 1):
            try:
                with transaction.atomic():
                    RateCounter.objects.create(scope=scope, key=digest, window_start=window_start, count=1)
            except IntegrityError:  # another process started the window meanwhile
                counter.update(count=F("count") + 1)
            else:
                RateCounter.objects.filter(window_start__lt=now - KEPT_FOR).delete()
        count = counter.values_list("count", flat=True).get()
    return Verdict(allowed=count <= limit, retry_after=max(1, math.ceil(start + window - now.timestamp())))
