"""Rules checked for every message at the moment it is sent, beyond consent and suppressions.

Other apps register theirs when they start (in their AppConfig.ready), for example the organization's
contact pressure for messages that solicit:

    from ecoute.messaging import send_rules
    send_rules.register(contact_pressure)

A rule takes the Message and returns None to let it go, or a Refusal: cancelled with its reason, or,
with `retry_at`, kept queued until then (quiet hours, say).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ecoute.messaging.models import Message


@dataclass(frozen=True)
class Refusal:
    reason: str
    # "cancelled" for a rule's refusal, "suppressed" for the person's own wish (consent, do-not-contact).
    status: str = "cancelled"
    retry_at: datetime | None = None


type SendRule = Callable[["Message"], Refusal | None]

_rules: list[SendRule] = []


def register(rule: SendRule) -> SendRule:
    """Check `rule` before every message is sent; registering one rule twice keeps one. Usable as a
    decorator."""
    if rule not in _rules:
        _rules.append(rule)
    return rule


def unregister(rule: SendRule) -> None:
    if rule in _rules:
        _rules.remove(rule)


def first_refusal(message: "Message") -> Refusal | None:
    """The refusal of the first registered rule that refuses `message`, or None."""
    for rule in list(_rules):
        if refusal := rule(message):
            return refusal
    return None
