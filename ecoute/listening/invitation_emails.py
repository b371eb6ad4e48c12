"""The e-mails of planned invitations, put in the outbox with the link token planning handed over.

The token exists in clear only between planning and this function (only its hash is stored), so the
two run in the same transaction: an invitation is never planned without its e-mail queued.
"""

from datetime import datetime
from itertools import batched

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from ecoute.customers.models import Channel, Customer, Purpose
from ecoute.listening.models import Invitation, InvitationStatus, Survey
from ecoute.listening.personalize import customer_values, render
from ecoute.messaging.actions import queue_message
from ecoute.messaging.models import MessagePurpose

INVITATION_REF = "invitation:{}"
CHUNK = 1000


def invitation_link(token: str) -> str:
    return settings.SITE_URL + reverse("listening:answer", args=[token])


def _language(survey: Survey, customer: Customer) -> str:
    languages = survey.languages or [survey.organization.language]
    wanted = (customer.language or survey.organization.language)[:2]
    return wanted if wanted in languages else languages[0]


def queue_invitation_emails(survey: Survey, tokens: dict[int, str], send_at: datetime) -> int:
    """Queue the e-mail of each planned invitation in `tokens` (invitation id → link token), to leave
    at `send_at` at the earliest; marks them queued. Returns how many were queued."""
    # A thousand at a time: within every database's limit of query parameters.
    for ids in batched(sorted(tokens), CHUNK, strict=False):
        invitations = Invitation.objects.filter(pk__in=ids).select_related("customer")
        for invitation in invitations:
            _queue(survey, invitation, tokens[invitation.pk], send_at)
        Invitation.objects.filter(pk__in=ids).update(status=InvitationStatus.QUEUED)
    return len(tokens)


def _queue(survey: Survey, invitation: Invitation, token: str, send_at: datetime) -> None:
    customer = invitation.customer
    values = customer_values(customer)
    language = _language(survey, customer)
    with translation.override(language):
        subject = getattr(survey, f"email_subject_{language}") or _("Your opinion about %(name)s") % {
            "name": survey.organization.name
        }
        body = getattr(survey, f"email_body_{language}") or _(
            "Hello {first_name},\n\nWould you tell us what you think? It takes two minutes."
        )
        link = invitation_link(token)
        text = "\n\n".join([render(body, values), link, _("Unsubscribe: {unsubscribe_url}")])
    queue_message(
        survey.organization,
        to_address=customer.email,
        subject=render(subject, values),
        text_body=text,
        purpose=MessagePurpose.SURVEY_INVITATION,
        idempotency_key=INVITATION_REF.format(invitation.pk),
        customer=customer,
        language=language,
        solicits=True,
        consent_channel=Channel.EMAIL,
        consent_purpose=Purpose.SURVEYS,
        subject_ref=INVITATION_REF.format(invitation.pk),
        send_after=send_at,
    )
