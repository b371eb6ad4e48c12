"""Sending the outbox: each queued message reaches the mail server once, even when senders die.

Claiming. A sender takes a batch of due messages in one short transaction: they go from `queued` to
`sending`, marked with the sender's name (host, process, a random part) and a lease. On PostgreSQL the
batch is read with SELECT … FOR UPDATE SKIP LOCKED, so two senders take disjoint batches without
waiting for each other; on SQLite the transaction is IMMEDIATE (settings), so the second sender's claim
starts once the first one's is committed and sees its messages taken. The lease is renewed while the
batch goes on. Messages of a sender whose lease ran out, or whose process is known to have ended (same
machine: see lib/process_identity.py), are due again.

Sending. ONE SMTP connection serves the whole batch. For each message, consent, suppressions and the
registered send rules are checked again, now; then MAIL, RCPT, DATA and the whole content are sent,
but not the final "." that makes the server accept it. The message is then marked `sent` in its own
committed transaction, on the condition that this sender still holds it; only after that commit is the
"." written. So:
- killed before the commit: the server never saw the final dot and drops the message when the
  connection closes; the message is still `sending` under a dead sender and is sent again, once;
- killed after the commit: the message is `sent`, and the dot is written right after, a few
  instructions later, without waiting on the database or the network.
The one moment when a kill can still make a difference is after the database has committed the mark
and before those three bytes are written: the way back of the commit's answer, then a few
instructions. A message could then be marked sent and never leave (at most one per killed sender: the
one it was sending). The reverse order (dot, then commit) has a window of the same size that sends a
message twice, and sending twice is what we promise our customers' customers never to do. Every
attempt of a message carries the same Message-ID, built from its idempotency key, so a receiver can
still tell copies apart.

If the server refuses the message after the dot (or the connection breaks before its answer), the
`sent` mark is undone: temporary errors (4xx, no connection) are retried later with a doubling delay;
a permanent refusal (5xx) fails the message, and on the recipient (RCPT) suppresses the address.

Unsubscribe links. The token of a message's unsubscribe link (256 random bits) is made at each attempt,
written in the e-mail and stored only as its SHA-256, with the `sent` mark: the link works from the
moment the message can reach anyone, and no clear token is ever stored.
"""

import logging
import smtplib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html import escape
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from ecoute.customers.models import Consent
from ecoute.lib.process_identity import has_ended, this_process
from ecoute.lib.tokens import new_token, token_digest
from ecoute.messaging import send_rules
from ecoute.messaging.actions import has_unsubscribe_link, suppress_address
from ecoute.messaging.links import links_of
from ecoute.messaging.models import Message, MessageStatus, Suppression, SuppressionReason
from ecoute.messaging.send_rules import Refusal
from ecoute.messaging.transport import LeaseLostError, RecipientRefusedError, Transport, open_transport

if TYPE_CHECKING:
    from ecoute.accounts.models import Organization

logger = logging.getLogger(__name__)

MAX_RETRY_DELAY = timedelta(hours=6)
# Written in a body by the app that queues it, replaced by the message's own unsubscribe link.
UNSUBSCRIBE_URL = "{unsubscribe_url}"


@dataclass
class SendReport:
    sent: int = 0
    refused: int = 0
    retried: int = 0
    failed: int = 0
    handled: set[int] = field(default_factory=set)


def due_messages(organization: "Organization | None" = None) -> QuerySet[Message]:
    """Queued messages whose time has come, and those left `sending` by a sender that is gone."""
    now = timezone.now()
    due = Q(status=MessageStatus.QUEUED, next_attempt_at__lte=now) | Q(
        status=MessageStatus.SENDING, lease_expires_at__lte=now
    )
    sending = Message.objects.filter(status=MessageStatus.SENDING).order_by()
    if ended := [name for name in sending.values_list("claimed_by", flat=True).distinct() if has_ended(name)]:
        due |= Q(status=MessageStatus.SENDING, claimed_by__in=ended)
    messages = Message.objects.filter(due)
    return messages.filter(organization=organization) if organization is not None else messages


def _lease_end() -> datetime:
    return timezone.now() + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)


def claim_batch(sender: str, organization: "Organization | None" = None, size: int = 0) -> list[Message]:
    """Take up to `size` due messages for `sender`; two senders never take the same one."""
    with transaction.atomic():
        due = due_messages(organization).select_for_update(skip_locked=True).order_by("next_attempt_at", "id")
        ids = list(due.values_list("id", flat=True)[: size or settings.OUTBOX_BATCH_SIZE])
        if ids:
            Message.objects.filter(id__in=ids).update(
                status=MessageStatus.SENDING, claimed_by=sender, lease_expires_at=_lease_end()
            )
    claimed = Message.objects.filter(id__in=ids, claimed_by=sender, status=MessageStatus.SENDING)
    return list(claimed.select_related("organization").order_by("next_attempt_at", "id"))


def refusal_at_send_time(message: Message) -> Refusal | None:
    """Why `message` may not leave now: consent, do-not-contact, a suppressed address, a send rule."""
    if message.consent_channel and message.consent_purpose:
        if message.customer_id is None:
            return Refusal("no_consent", MessageStatus.SUPPRESSED)
        granted = (
            Consent.objects.filter(
                customer_id=message.customer_id,
                channel=message.consent_channel,
                purpose=message.consent_purpose,
            )
            .order_by("-recorded_at", "-id")
            .values_list("granted", flat=True)
            .first()
        )
        if not granted:
            return Refusal("no_consent", MessageStatus.SUPPRESSED)
    target = Q(address=message.to_address.strip().lower())
    if message.customer_id is not None:
        target |= Q(customer_id=message.customer_id)
    suppressed = Suppression.objects.active().filter(target, organization_id=message.organization_id)
    if reason := suppressed.values_list("reason", flat=True).first():
        return Refusal(reason, MessageStatus.SUPPRESSED)
    return send_rules.first_refusal(message)


def email_of(
    message: Message, unsubscribe_token: str | None, links: dict[str, str] | None = None
) -> EmailMultiAlternatives:
    """The e-mail of `message`; with a token, its unsubscribe link in the headers and in place of
    `{unsubscribe_url}` in the bodies; each of `links` (placeholder → address) in place of its
    placeholder."""
    headers = {**message.headers, "Message-ID": message.message_id}  # the outbox's, whatever was given
    if message.language:
        headers["Content-Language"] = message.language
    text, html = message.text_body, message.html_body
    if unsubscribe_token is not None:
        url = settings.SITE_URL + reverse("messaging:unsubscribe", args=[unsubscribe_token])
        headers |= {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
        text, html = text.replace(UNSUBSCRIBE_URL, url), html.replace(UNSUBSCRIBE_URL, escape(url))
    for placeholder, address in (links or {}).items():
        text, html = text.replace(placeholder, address), html.replace(placeholder, escape(address))
    email = EmailMultiAlternatives(
        subject=message.subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[message.to_address],
        headers=headers,
    )  # fmt: skip
    if html:
        email.attach_alternative(html, "text/html")
    return email


class _Batch:
    """The messages one sender holds, and the writes that hold them: each is conditional on the sender
    still holding the message, so a sender whose lease was taken over changes nothing."""

    def __init__(self, sender: str, report: SendReport) -> None:
        self.sender = sender
        self.report = report
        self.lease_renewed_at = timezone.now()
        self.marked: set[int] = set()

    def _held(self, message: Message) -> QuerySet[Message]:
        if message.pk in self.marked:
            # Marked sent by this sender, whose answer from the server is still to come: no other
            # sender takes a sent message.
            return Message.objects.filter(pk=message.pk, status=MessageStatus.SENT)
        return Message.objects.filter(pk=message.pk, claimed_by=self.sender)

    def renew_lease_if_due(self) -> None:
        if timezone.now() - self.lease_renewed_at > timedelta(seconds=settings.OUTBOX_LEASE_SECONDS / 3):
            Message.objects.filter(claimed_by=self.sender, status=MessageStatus.SENDING).update(
                lease_expires_at=_lease_end()
            )
            self.lease_renewed_at = timezone.now()

    def mark_sent(self, message: Message, unsubscribe_token: str | None) -> bool:
        """Committed at once (autocommit): the point after which the message counts as sent, and its
        unsubscribe link works."""
        marked = (
            self._held(message)
            .filter(status=MessageStatus.SENDING)
            .update(
                unsubscribe_token_hash=token_digest(unsubscribe_token) if unsubscribe_token else None,
                status=MessageStatus.SENT,
                sent_at=timezone.now(),
                attempts=F("attempts") + 1,
                status_reason="",
                claimed_by="",
                lease_expires_at=None,
            )
        )
        if marked:
            self.marked.add(message.pk)
        return bool(marked)

    def refuse(self, message: Message, refusal: Refusal) -> None:
        changes: dict[str, object] = {"status": refusal.status}
        if refusal.retry_at is not None:
            later = max(refusal.retry_at, timezone.now() + timedelta(seconds=1))
            changes = {"status": MessageStatus.QUEUED, "next_attempt_at": later}
        self._release(message, status_reason=refusal.reason[:100], **changes)
        self.report.refused += 1

    def fail_for_now(self, message: Message, error: str) -> None:
        """A temporary error: retried later, after a delay that doubles at each attempt."""
        attempts = message.attempts + 1
        if attempts >= settings.OUTBOX_MAX_ATTEMPTS:
            self.fail(message, error, "too_many_attempts")
            return
        delay = min(timedelta(seconds=settings.OUTBOX_RETRY_SECONDS * 2 ** (attempts - 1)), MAX_RETRY_DELAY)
        self._release(
            message,
            status=MessageStatus.QUEUED,
            attempts=attempts,
            next_attempt_at=timezone.now() + delay,
            last_error=error,
            status_reason="",
            sent_at=None,
            unsubscribe_token_hash=None,
        )
        self.report.retried += 1

    def fail(self, message: Message, error: str, reason: str) -> None:
        self._release(
            message,
            status=MessageStatus.FAILED,
            attempts=message.attempts + 1,
            last_error=error,
            status_reason=reason,
            sent_at=None,
            unsubscribe_token_hash=None,
        )
        self.report.failed += 1

    def _release(self, message: Message, **changes: object) -> None:
        self._held(message).update(claimed_by="", lease_expires_at=None, **changes)

    def release_unsent(self) -> None:
        """Give back what this sender holds and did not get to (it stopped on an unexpected error)."""
        Message.objects.filter(claimed_by=self.sender, status=MessageStatus.SENDING).update(
            status=MessageStatus.QUEUED, claimed_by="", lease_expires_at=None
        )


def _describe(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        reply = error.smtp_error
        text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
        return f"{error.smtp_code} {text}"[:2000]
    return f"{type(error).__name__}: {error}"[:2000]


class _ServerUnreachableError(Exception):
    def __init__(self, error: str) -> None:
        self.error = error


def _send_one(batch: _Batch, transport: Transport, message: Message) -> None:
    """Send `message` or record why not; _ServerUnreachableError when the connection failed."""
    if refusal := refusal_at_send_time(message):
        batch.refuse(message, refusal)
        return
    marked = False
    # Made for this attempt, written in the e-mail, kept only as its digest (stored with the sent mark).
    token = new_token() if has_unsubscribe_link(message) else None

    def mark_sent() -> bool:
        nonlocal marked
        marked = batch.mark_sent(message, token)
        return marked

    try:
        transport.send(email_of(message, token, links_of(message)), mark_sent)
    except LeaseLostError:
        return
    except smtplib.SMTPResponseException as error:
        if error.smtp_code < 500:
            batch.fail_for_now(message, _describe(error))
            return
        batch.fail(message, _describe(error), "refused_by_server")
        if isinstance(error, RecipientRefusedError):
            suppress_address(message, SuppressionReason.HARD_BOUNCE, _describe(error))
        return
    except ValueError as error:  # an address or a header the mail library cannot write
        batch.fail(message, _describe(error), "invalid_message")
        return
    except OSError as error:  # smtplib's errors among them: the connection broke or never opened
        batch.fail_for_now(message, _describe(error))
        raise _ServerUnreachableError(_describe(error)) from error
    except Exception as error:
        # Whatever this one message holds, the others of the batch still go: it fails, with the error.
        logger.exception("Message %s could not be sent", message.pk)
        transport.drop()
        batch.fail(message, _describe(error), "error")
        return
    batch.report.sent += 1


def send_due_messages(organization: "Organization | None" = None) -> SendReport:
    """One pass over the due messages, batch after batch, each batch over one connection. When the mail
    server cannot be reached, the batch waits for its next attempt and the pass ends."""
    report = SendReport()
    sender = this_process()
    while True:
        batch = _Batch(sender, report)
        messages = [m for m in claim_batch(sender, organization) if m.pk not in report.handled]
        if not messages:
            batch.release_unsent()
            return report
        transport = open_transport()
        try:
            for position, message in enumerate(messages):
                batch.renew_lease_if_due()
                report.handled.add(message.pk)
                try:
                    _send_one(batch, transport, message)
                except _ServerUnreachableError as unreachable:
                    for waiting in messages[position + 1 :]:
                        batch.fail_for_now(waiting, unreachable.error)
                    return report
        finally:
            transport.close()
            batch.release_unsent()
