"""The e-mails of a reactivation campaign: the personalised message and the invitation to the loyalty
programme, each in the customer's language (French or English, else the organization's), with the
customer's CRM fields filled (`{first_name|fallback}`, see listening/personalize.py).

Both are marketing: they leave only under the customer's current e-mail × marketing consent, checked
again when they are sent, and they solicit, so the organization's contact pressure counts them and
holds them back like any survey invitation (see listening/send_rules.py).
"""

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from ecoute.customers.models import Channel, Customer, Purpose
from ecoute.listening.personalize import customer_values, render
from ecoute.messaging.actions import MessageDraft
from ecoute.messaging.models import MessagePurpose
from ecoute.messaging.sending import UNSUBSCRIBE_URL
from ecoute.retention.campaign_models import Campaign, CampaignMember

LANGUAGES = ("fr", "en")
EMAIL, PROGRAM = "email", "program"


@dataclass(frozen=True)
class CampaignEmail:
    language: str
    subject: str
    text: str
    html: str


def reader_language(campaign: Campaign, customer: Customer) -> str:
    wanted = (customer.language or "")[:2].lower()
    if wanted in LANGUAGES:
        return wanted
    return campaign.organization.language if campaign.organization.language in LANGUAGES else "fr"


def _own_texts(campaign: Campaign, language: str) -> tuple[str, str, str]:
    """(language, subject, body) of the campaign's own e-mail: the English one only when it has both
    a subject and a text, so that no e-mail mixes the two languages."""
    if language == "en" and campaign.email_subject_en.strip() and campaign.email_body_en.strip():
        return "en", campaign.email_subject_en, campaign.email_body_en
    return "fr", campaign.email_subject_fr, campaign.email_body_fr


def campaign_email(campaign: Campaign, customer: Customer, kind: str) -> CampaignEmail:
    """The personalised e-mail (`EMAIL`) or the programme invitation (`PROGRAM`) for this customer."""
    language = reader_language(campaign, customer)
    values = customer_values(customer)
    link = ""
    if kind == EMAIL:
        language, subject, body = _own_texts(campaign, language)
    with translation.override(language):
        if kind == PROGRAM:
            subject = _("{first_name|Hello}, join our loyalty programme")
            body = _(
                "Hello {first_name|},\n\nWe would be glad to see you again. Our loyalty programme "
                "thanks the customers who come back and those who recommend us: joining takes a minute."
            )
            link = campaign.program_url
        subject, body = render(subject, values), render(body, values)
        context = {
            "organization": campaign.organization,
            "body": body,
            "paragraphs": [part.strip() for part in body.split("\n\n") if part.strip()],
            "link": link,
            "unsubscribe_url": UNSUBSCRIBE_URL,
        }
        text = render_to_string("retention/email/campaign.txt", context)
        html = render_to_string("retention/email/campaign.html", context)
    return CampaignEmail(language, subject, text, html)


def campaign_draft(member: CampaignMember, kind: str) -> MessageDraft:
    email = campaign_email(member.campaign, member.customer, kind)
    return {
        "to_address": member.customer.email,
        "customer": member.customer,
        "language": email.language,
        "purpose": MessagePurpose.REACTIVATION if kind == EMAIL else MessagePurpose.REFERRAL,
        "solicits": True,
        "consent_channel": Channel.EMAIL,
        "consent_purpose": Purpose.MARKETING,
        "subject": email.subject,
        "text_body": email.text,
        "html_body": email.html,
        "idempotency_key": f"campaign-{kind}:{member.campaign_id}:{member.customer_id}",
        "subject_ref": f"campaign:{member.campaign_id}",
    }
