"""Messages that fall due as time passes, queued before each pass of `ecoute outbox send`.

Most messages are queued by what someone does (a wave invited, a member invited). Some fall due with
time alone, such as a survey's reminder once its delay has passed. Workers queue those from their
housekeeping (settings.WORKER_HOUSEKEEPING); an install that runs no worker and sends from cron has
only `ecoute outbox send`, so each of its passes queues them first. Apps register theirs when they
start (in their AppConfig.ready):

    from ecoute.messaging import due_work
    due_work.register(queue_due_reminders)

A producer takes the organization (None: every one) and returns how many messages it queued.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ecoute.accounts.models import Organization

type Producer = Callable[["Organization | None"], int]

_producers: list[Producer] = []


def register(producer: Producer) -> Producer:
    """Queue what `producer` finds due before each pass of `ecoute outbox send`; registering one
    producer twice keeps one."""
    if producer not in _producers:
        _producers.append(producer)
    return producer


def queue_fallen_due(organization: "Organization | None" = None) -> int:
    """Queue the messages every registered producer finds due; how many were queued."""
    return sum(producer(organization) for producer in list(_producers))
