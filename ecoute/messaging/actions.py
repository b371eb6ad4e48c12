"""Writes of the outbox: queue a message, withdraw a consent from an unsubscribe link, suppress."""

import hashlib
from collections.abc import Iterable
from datetime import datetime
from email.utils import parseaddr
from itertools import batched
from typing import TYPE_CHECKING, TypedDict, Unpack

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from ecoute.customers.models import Consent, Customer
from ecoute.customers.queries import refresh_consent_flags
from ecoute.lib.tokens import token_digest
from ecoute.messaging.models import Message, MessageStatus, Suppression, SuppressionReason
from ecoute.messaging.tasks import enqueue_sending_on_commit

if TYPE_CHECKING:
    from ecoute.accounts.models import Organization, User

UNSUBSCRIBE_SOURCE = "unsubscribe link"
KEY_LENGTH = 200  # Message.idempotency_key


def message_id_for(organization: "Organization", idempotency_key: str) -> str:
    """The Message-ID of the message of `idempotency_key`: the same at every attempt, so that a
    receiver can tell a message from a copy of it."""
    digest = hashlib.sha256(f"{organization.pk}:{idempotency_key}".encode()).hexdigest()[:40]
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    return f"<outbox.{digest}@{domain}>"


class _RequiredDraftFields(TypedDict):
    to_address: str
    subject: str
    text_body: str
    purpose: str
    idempotency_key: str


class MessageDraft(_RequiredDraftFields, total=False):
    """What the app that sends a message gives the outbox, rendered in the reader's language."""

    customer: Customer | None
    language: str
    html_body: str
    solicits: bool
    consent_channel: str
    consent_purpose: str
    subject_ref: str
    headers: dict[str, str]
    send_after: datetime | None


def queue_message(organization: "Organization", **draft: Unpack[MessageDraft]) -> Message:
    """Put a message in the outbox; it leaves once the current transaction commits. Queued again with
    the same idempotency key, the message already queued is returned and nothing is added.

    A message checked against a consent (channel and purpose) of a customer carries a one-click
    unsubscribe link (List-Unsubscribe, RFC 8058); `{unsubscribe_url}` in its bodies becomes that link
    when it is sent (see sending.py: the link's token is made then, and only its digest is kept).
    """
    message = _unsaved_message(organization, draft)
    key = message.idempotency_key
    existing = Message.objects.filter(organization=organization, idempotency_key=key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            message.save(force_insert=True)
    except IntegrityError:
        # The same key queued at the same moment by another process: theirs is the message.
        return Message.objects.get(organization=organization, idempotency_key=key)
    enqueue_sending_on_commit()
    return message


def queue_messages(
    organization: "Organization", drafts: Iterable[MessageDraft], batch_size: int = 1000
) -> int:
    """Queue many messages at once (a wave of invitations), as queue_message does one; keys already
    queued are left as they are. Returns how many messages were added."""
    added = 0
    for chunk in batched(drafts, batch_size, strict=False):
        messages = {m.idempotency_key: m for m in (_unsaved_message(organization, draft) for draft in chunk)}
        queued = Message.objects.filter(organization=organization, idempotency_key__in=list(messages))
        for key in queued.values_list("idempotency_key", flat=True):
            del messages[key]
        # A key queued meanwhile by another process is skipped by the database.
        added += len(Message.objects.bulk_create(messages.values(), ignore_conflicts=True))
    if added:
        enqueue_sending_on_commit()
    return added


def _unsaved_message(organization: "Organization", draft: MessageDraft) -> Message:
    key = draft["idempotency_key"]
    if not 0 < len(key) <= KEY_LENGTH:
        raise ValueError(f"An idempotency key has 1 to {KEY_LENGTH} characters, not {len(key)}")
    customer = draft.get("customer")
    return Message(
        organization=organization,
        customer=customer,
        to_address=draft["to_address"].strip(),
        language=draft.get("language") or (customer.language if customer else ""),
        purpose=draft["purpose"],
        solicits=draft.get("solicits", False),
        consent_channel=draft.get("consent_channel", ""),
        consent_purpose=draft.get("consent_purpose", ""),
        subject=" ".join(draft["subject"].split())[:300],
        text_body=draft["text_body"],
        html_body=draft.get("html_body", ""),
        headers=dict(draft.get("headers") or {}),
        idempotency_key=key,
        message_id=message_id_for(organization, key),
        subject_ref=draft.get("subject_ref", ""),
        next_attempt_at=draft.get("send_after") or timezone.now(),
    )


def has_unsubscribe_link(message: Message) -> bool:
    return message.customer_id is not None and bool(message.consent_channel and message.consent_purpose)


def message_of_unsubscribe_token(token: str) -> Message | None:
    """The message whose unsubscribe link holds `token`, when it may withdraw a consent."""
    return (
        Message.objects.select_related("customer", "organization")
        .filter(unsubscribe_token_hash=token_digest(token), customer__isnull=False)
        .exclude(consent_channel="")
        .exclude(consent_purpose="")
        .first()
    )


@transaction.atomic
def withdraw_consent_from(message: Message) -> bool:
    """Record that the customer of `message` withdraws the consent it was sent under; True when the
    consent was granted until now, False when it was already withdrawn (nothing is added)."""
    customer = Customer.objects.select_for_update().get(pk=message.customer_id or 0)
    latest = (
        Consent.objects.filter(
            customer=customer, channel=message.consent_channel, purpose=message.consent_purpose
        )
        .order_by("-recorded_at", "-id")
        .first()
    )
    if latest is not None and not latest.granted:
        return False
    Consent.objects.create(
        organization_id=message.organization_id,
        customer=customer,
        channel=message.consent_channel,
        purpose=message.consent_purpose,
        granted=False,
        source=UNSUBSCRIBE_SOURCE,
    )
    refresh_consent_flags(message.organization_id, [customer.pk])
    return True


def do_not_contact(customer: Customer) -> Suppression | None:
    """The customer's active do-not-contact, if any."""
    return (
        Suppression.objects.active()
        .filter(
            organization_id=customer.organization_id,
            customer=customer,
            reason=SuppressionReason.DO_NOT_CONTACT,
        )
        .first()
    )


def blocked_address(customer: Customer) -> Suppression | None:
    """The active suppression of the customer's e-mail address (a hard bounce, a complaint), if any."""
    if not customer.email:
        return None
    return (
        Suppression.objects.active()
        .filter(organization_id=customer.organization_id, address=customer.email.strip().lower())
        .first()
    )


@transaction.atomic
def set_do_not_contact(
    customer: Customer, on: bool, by: "User | None", source: str = "customer page"
) -> bool:
    """Switch the customer's do-not-contact on or off; True when that changed something. Messages still
    waiting are checked again when they are sent."""
    Customer.objects.select_for_update().get(pk=customer.pk)
    current = do_not_contact(customer)
    if on and current is None:
        Suppression.objects.create(
            organization_id=customer.organization_id,
            customer=customer,
            reason=SuppressionReason.DO_NOT_CONTACT,
            source=source,
            created_by=by,
        )
        return True
    if not on and current is not None:
        current.lifted_at, current.lifted_by = timezone.now(), by
        current.save(update_fields=["lifted_at", "lifted_by"])
        return True
    return False


def suppress_address(message: Message, reason: str, detail: str) -> None:
    """Refuse every later message to the address of `message` (it bounced for good, say)."""
    try:
        with transaction.atomic():
            Suppression.objects.get_or_create(
                organization_id=message.organization_id,
                address=message.to_address.strip().lower(),
                reason=reason,
                lifted_at=None,
                defaults={"source": f"message {message.pk}", "detail": detail[:2000]},
            )
    except IntegrityError:
        pass  # suppressed at the same moment by another sender


def cancel_message(message: Message, reason: str) -> bool:
    """Cancel a message that has not left yet; True when it was still waiting."""
    return bool(
        Message.objects.filter(pk=message.pk, status=MessageStatus.QUEUED).update(
            status=MessageStatus.CANCELLED, status_reason=reason
        )
    )
