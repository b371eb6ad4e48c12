"""A small organization holding one of everything a page can show — customers with sales, refunds,
contacts and reviews, a survey with answers and a public link, imports, a colleague, a pending
invitation, an API key, a sent e-mail — and the sample value of each URL parameter that names one,
for the test that walks every page."""

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from ecoute.accounts.invitation_actions import invite
from ecoute.accounts.models import ApiKey, LoginLink, Membership, Organization, Role
from ecoute.customers.models import ExportJob, ImportJob
from ecoute.lib.tokens import new_token, token_digest
from ecoute.listening.actions import import_survey
from ecoute.listening.models import Answer, Response, Survey
from ecoute.listening.survey_files import SCHEMA_FILE
from ecoute.messaging.models import Message
from ecoute.retention.actions import launch_campaign
from tests.conftest import member_client
from tests.factories import (
    ConsentFactory,
    CriterionFactory,
    CustomerFactory,
    InteractionFactory,
    LoyaltyActFactory,
    MembershipFactory,
    TransactionFactory,
)
from tests.listening.links import invitation_with_token, public_link_with_token
from tests.retention.campaigns import campaign_of, slipping_customer

TEMPLATE = SCHEMA_FILE.parent / "templates" / "relationship-nps.json"
# Nine digits of revenue: the overview's card must hold them on one line at every width.
BIG_SALE = Decimal("123456789.00")
SALES = "N° ticket;N° client;Date;Montant TTC\nT1;CLI-1042;10/01/2026;120,00\nT2;CLI-1042;31/02/2026;dix\n"


@dataclass
class SampleSite:
    """What the walk needs: a value for each URL parameter, and per pattern the values that differ."""

    ids: dict[str, Any] = field(default_factory=dict)
    by_pattern: dict[str, dict[str, Any]] = field(default_factory=dict)

    def kwargs(self, name: str, params: list[str]) -> dict[str, Any]:
        """The parameters of pattern `name`; a parameter nobody gave a sample for fails loudly."""
        own = self.by_pattern.get(name, {})
        missing = [p for p in params if p not in own and p not in self.ids]
        assert not missing, f"{name} takes {missing}: give it a sample in tests/browser/sample_site.py"
        return {p: own.get(p, self.ids.get(p)) for p in params}


def _survey_with_answers(organization: Organization, now: datetime) -> Survey:
    survey, _created = import_survey(organization, json.loads(TEMPLATE.read_text(encoding="utf-8")))
    survey.status = "active"
    survey.save(update_fields=["status"])
    recommend = survey.questions.get(code="recommend")
    for score in (10, 9, 9, 8, 6, 3):
        customer = CustomerFactory.create(organization=organization)
        response = Response.objects.create(
            organization=organization, survey=survey, customer=customer, channel="web", completed_at=now
        )
        Answer.objects.create(response=response, question=recommend, number=score)
    return survey


def _imports(client: Client) -> tuple[ImportJob, ImportJob]:
    """An import that kept its valid rows and set a bad one aside, and one waiting for its columns."""
    upload = {"kind": "transactions", "file": SimpleUploadedFile("ventes.csv", SALES.encode("cp1252"))}
    assert client.post(reverse("customers:import_new"), upload).status_code == 302
    done = ImportJob.objects.latest("id")
    mapping = {"column_0": "external_id", "column_1": "customer", "column_2": "occurred_at"}
    mapping |= {"column_3": "amount", "skip_invalid": "on", "import": "1"}
    client.post(reverse("customers:import_mapping", args=[done.pk]), mapping)
    upload["file"] = SimpleUploadedFile("clients.csv", "N° client;Nom\nC9;Durand\n".encode("cp1252"))
    assert client.post(reverse("customers:import_new"), upload).status_code == 302
    return ImportJob.objects.get(pk=done.pk), ImportJob.objects.latest("id")


def _export(client: Client) -> ExportJob:
    """A list exported in the background, ready to download (every list is "long" here)."""
    url = reverse("customers:customer_export_xlsx") + "?sort=-last_purchase"
    with override_settings(EXPORT_STREAM_MAX_ROWS=0):
        assert client.get(url).status_code == 302
    job = ExportJob.objects.latest("id")
    assert job.status == "ready", job.status
    return job


def seed_sample_site(owner: Membership) -> SampleSite:
    organization = owner.organization
    now = datetime.now(UTC)
    customer = CustomerFactory.create(
        organization=organization, external_id="CLI-1042", first_name="Hélène", last_name="Lefèvre",
        company="Boulangerie Lefèvre et Fils", city="Saint-Rémy-de-Provence", phone="06 12 34 56 78",
        language="fr",
    )  # fmt: skip
    ConsentFactory.create(customer=customer)
    TransactionFactory.create(customer=customer, amount=BIG_SALE, occurred_at=now - timedelta(days=40))
    TransactionFactory.create(
        customer=customer, amount=Decimal("1249.90"), occurred_at=now - timedelta(days=9)
    )
    TransactionFactory.create(
        customer=customer, amount=Decimal("-15.00"), occurred_at=now - timedelta(days=8)
    )
    InteractionFactory.create(customer=customer, kind="delivery", delivery_delay_days=1, occurred_at=now)
    LoyaltyActFactory.create(customer=customer, rating=2, text="Déçue par la qualité pour ce prix")
    LoyaltyActFactory.create(customer=customer, rating=5, text="Parfait")
    criterion = CriterionFactory.create(organization=organization, name_fr="Conseil en magasin")
    survey = _survey_with_answers(organization, now)
    _invitation, answer_token = invitation_with_token(survey=survey, customer=customer)
    link, public_token = public_link_with_token(survey=survey)
    colleague = MembershipFactory.create(
        organization=organization, role=Role.ANALYST, user__email="claire.martin-dubois@maison.fr"
    )
    invitation, invitation_token = invite(organization, "marc@maison.fr", Role.VIEWER, by=owner)
    key, _secret = ApiKey.issue(organization, "Synchronisation du CRM")
    done, draft = _imports(member_client(owner))
    export = _export(member_client(owner))
    unsubscribe_token = new_token()
    Message.objects.create(
        organization=organization, customer=customer, to_address=customer.email, language="fr",
        purpose="survey_invitation", consent_channel="email", consent_purpose="surveys",
        subject="Votre avis compte", text_body="Bonjour", idempotency_key="walk", status="sent",
        unsubscribe_token_hash=token_digest(unsubscribe_token),
    )  # fmt: skip
    _link, login_token = LoginLink.issue(owner.user_id)
    user = owner.user
    slipping_customer(organization, "lost", first_name="Anaïs", last_name="N’Guessan-Lévêque")
    campaign = campaign_of(
        organization, name="Vous nous manquez — printemps", calls_enabled=True, call_script="Bonjour…"
    )
    launch_campaign(campaign, user)
    draft_campaign = campaign_of(organization, name="Brouillon d’automne, à relire avant lancement")
    return SampleSite(
        ids={
            "customer_id": customer.pk,
            "external_id": customer.external_id,
            "membership_id": colleague.pk,
            "invitation_id": invitation.pk,
            "key_id": key.pk,
            "job_id": done.pk,
            "export_id": export.pk,
            "criterion_id": criterion.pk,
            "survey_id": survey.pk,
            "slug": survey.slug,
            "question_id": survey.questions.get(code="recommend").pk,
            "link_id": link.pk,
            "campaign_id": campaign.pk,
            "member_id": campaign.members.values_list("pk", flat=True).first(),
        },
        by_pattern={
            "customers:import_mapping": {"job_id": draft.pk},
            "accounts:login_link": {"token": login_token},
            "accounts:invitation_accept": {"token": invitation_token},
            "accounts:password_reset_confirm": {
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
            "listening:answer": {"token": answer_token},
            "listening:answer_score": {"token": answer_token, "score": "9"},
            "listening:public_answer": {"token": public_token},
            "messaging:unsubscribe": {"token": unsubscribe_token},
            "retention:campaign_edit": {"campaign_id": draft_campaign.pk},
        },
    )
