"""The e-mail that invites a customer to a survey, and the one that reminds them.

Both are written in the customer's language (when the survey speaks it), with the survey's subject and
body filled for the customer. When the survey opens on a likelihood-to-recommend question, the e-mail
carries it as eleven links, 0 to 10: one tap opens the survey with that score chosen. The links are
placeholders here ({survey_url}, {score_url_N}); the outbox puts each e-mail's own link in their place
when it sends it (see `survey_links`), so no clear token is ever stored. The HTML is a table with
inline styles, which common mail clients render alike; the plain text part carries the same link.
"""

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ecoute.lib.tokens import new_token, token_digest
from ecoute.listening.flow import answer_language, personal_text
from ecoute.listening.models import Invitation, InvitationLink, InvitationStatus, QuestionType, Survey
from ecoute.messaging.models import Message
from ecoute.messaging.sending import UNSUBSCRIBE_URL

SURVEY_URL = "{survey_url}"
SCORES = range(11)


def score_placeholder(score: int) -> str:
    return f"{{score_url_{score}}}"


@dataclass(frozen=True)
class InvitationEmail:
    language: str
    subject: str
    text: str
    html: str


def invitation_email(invitation: Invitation, *, reminder: bool = False) -> InvitationEmail:
    """The invitation's e-mail (or its reminder), in the customer's language, with link placeholders."""
    survey, customer = invitation.survey, invitation.customer
    language = answer_language(survey, invitation.organization, customer)
    # The expiry date is the organization's calendar day, in the customer's language.
    zone = ZoneInfo(invitation.organization.time_zone)
    with translation.override(language), timezone.override(zone):
        subject = _survey_text(survey, "email_subject", language) or _("Your opinion matters to us")
        body = _survey_text(survey, "email_body", language) or _(
            "Hello {first_name|},\n\nWould you take two minutes to tell us how we are doing? "
            "Your answers help us serve you better."
        )
        subject, body = personal_text(subject, customer), personal_text(body, customer)
        if reminder:
            subject = _("Reminder: %(subject)s") % {"subject": subject}
        first = survey.questions.order_by("position", "id").first()
        nps = first if first is not None and first.type == QuestionType.NPS else None
        context = {
            "organization": invitation.organization,
            "paragraphs": [part.strip() for part in body.split("\n\n") if part.strip()],
            "body": body,
            "question": personal_text(
                nps.text_en if language == "en" and nps.text_en else nps.text_fr, customer
            )
            if nps
            else "",
            "scores": [(score, score_placeholder(score)) for score in SCORES] if nps else [],
            "survey_url": SURVEY_URL,
            "unsubscribe_url": UNSUBSCRIBE_URL,
            "expires_at": invitation.expires_at,
            "reminder": reminder,
        }
        text = render_to_string("listening/email/invitation.txt", context)
        html = render_to_string("listening/email/invitation.html", context)
    return InvitationEmail(language, subject, text, html)


def survey_links(message: Message) -> dict[str, str]:
    """The links of an invitation's e-mail, made as it is sent: a fresh token per e-mail, its digest
    kept on the invitation, the invitation marked sent. Registered with the outbox for "invitation:"."""
    number = message.subject_ref.partition(":")[2]
    invitation = (
        Invitation.objects.filter(pk=int(number), organization_id=message.organization_id).first()
        if number.isdigit()
        else None
    )
    if invitation is None:
        return {}
    token = new_token()
    InvitationLink.objects.create(invitation=invitation, token_hash=token_digest(token))
    now = timezone.now()
    Invitation.objects.filter(pk=invitation.pk, status=InvitationStatus.QUEUED).update(
        status=InvitationStatus.SENT, sent_at=now
    )
    base = settings.SITE_URL
    links = {SURVEY_URL: base + reverse("listening:answer", args=[token])}
    for score in SCORES:
        links[score_placeholder(score)] = base + reverse("listening:answer_score", args=[token, score])
    return links


def _survey_text(survey: Survey, field: str, language: str) -> str:
    english = str(getattr(survey, f"{field}_en") or "")
    return english if language == "en" and english else str(getattr(survey, f"{field}_fr") or "")
