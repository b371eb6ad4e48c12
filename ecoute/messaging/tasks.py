"""Background sending: tasks take no data, they send whatever is due in the outbox."""

from django.db import connection, transaction
from django.tasks import TaskResultStatus, task


@task()
def send_outbox() -> int:
    """One pass over the due messages of every organization; how many were sent."""
    from ecoute.messaging.sending import (
        send_due_messages,
    )  # the sender imports the actions, which import this

    return send_due_messages().sent


def enqueue_sending() -> None:
    send_outbox.enqueue()


def enqueue_sending_on_commit() -> None:
    """Start a pass once the current transaction commits; one per transaction however many messages it
    queued."""
    if connection.in_atomic_block and any(entry[1] is enqueue_sending for entry in connection.run_on_commit):
        return
    transaction.on_commit(enqueue_sending)


def send_when_due() -> bool:
    """Start a pass when messages are due (retries whose time has come, messages of a sender that died)
    and none is waiting to start: every worker calls this from time to time
    (settings.WORKER_HOUSEKEEPING). True when it started one."""
    from django_tasks_db.models import DBTaskResult

    from ecoute.messaging.sending import due_messages

    waiting = DBTaskResult.objects.filter(task_path=send_outbox.module_path, status=TaskResultStatus.READY)
    if waiting.exists() or not due_messages().exists():
        return False
    enqueue_sending()
    return True
