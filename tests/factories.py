"""Factories of the domain's rows, for tests."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from factory.declarations import LazyAttribute, PostGenerationMethodCall, Sequence, SubFactory
from factory.django import DjangoModelFactory
from factory.helpers import post_generation

from ecoute.accounts.models import Membership, Organization, Role, User
from ecoute.customers.models import Consent, Customer, Interaction, LoyaltyAct, Transaction
from ecoute.lib.tokens import new_token, token_digest
from ecoute.listening.models import (
    Answer,
    Criterion,
    Invitation,
    PublicLink,
    Question,
    Response,
    Survey,
    Wave,
)

PASSWORD = "correct-horse-battery-staple"


class OrganizationFactory(DjangoModelFactory[Organization]):
    class Meta:
        model = Organization
        django_get_or_create = ("slug",)

    slug = Sequence(lambda n: f"org-{n}")
    name = Sequence(lambda n: f"Organisation {n}")


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = Sequence(lambda n: f"person{n}@example.fr")
    password = PostGenerationMethodCall("set_password", PASSWORD)

    @post_generation
    def saved(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:  # noqa: N805 - factory-boy passes the object
        if create:
            obj.save()


class MembershipFactory(DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = SubFactory(UserFactory)
    organization = SubFactory(OrganizationFactory)
    role = Role.OWNER


class CustomerFactory(DjangoModelFactory[Customer]):
    class Meta:
        model = Customer

    organization = SubFactory(OrganizationFactory)
    external_id = Sequence(lambda n: f"C{n:05d}")
    first_name = "Jeanne"
    last_name = Sequence(lambda n: f"Dupont{n}")
    email = LazyAttribute(lambda c: f"{c.external_id.lower()}@example.fr")
    region = "Île-de-France"


class TransactionFactory(DjangoModelFactory[Transaction]):
    class Meta:
        model = Transaction

    customer = SubFactory(CustomerFactory)
    organization = LazyAttribute(lambda t: t.customer.organization)
    external_id = Sequence(lambda n: f"T{n:06d}")
    occurred_at = datetime(2026, 3, 14, 10, 0, tzinfo=UTC)
    amount = Decimal("42.50")


class ConsentFactory(DjangoModelFactory[Consent]):
    class Meta:
        model = Consent

    customer = SubFactory(CustomerFactory)
    organization = LazyAttribute(lambda c: c.customer.organization)
    channel = "email"
    purpose = "surveys"
    granted = True


class InteractionFactory(DjangoModelFactory[Interaction]):
    class Meta:
        model = Interaction

    customer = SubFactory(CustomerFactory)
    organization = LazyAttribute(lambda i: i.customer.organization)
    external_id = Sequence(lambda n: f"I{n:06d}")
    kind = "support_ticket"
    occurred_at = datetime(2026, 3, 15, 10, 0, tzinfo=UTC)
    resolved_first_contact = False


class LoyaltyActFactory(DjangoModelFactory[LoyaltyAct]):
    class Meta:
        model = LoyaltyAct

    customer = SubFactory(CustomerFactory)
    organization = LazyAttribute(lambda a: a.customer.organization)
    external_id = Sequence(lambda n: f"L{n:06d}")
    kind = "review"
    occurred_at = datetime(2026, 3, 16, 10, 0, tzinfo=UTC)
    rating = 5


class CriterionFactory(DjangoModelFactory[Criterion]):
    class Meta:
        model = Criterion

    organization = SubFactory(OrganizationFactory)
    code = Sequence(lambda n: f"criterion_{n}")
    name_fr = Sequence(lambda n: f"Critère {n}")
    name_en = Sequence(lambda n: f"Criterion {n}")
    importance = 3


class SurveyFactory(DjangoModelFactory[Survey]):
    class Meta:
        model = Survey

    organization = SubFactory(OrganizationFactory)
    slug = Sequence(lambda n: f"survey-{n}")
    name = Sequence(lambda n: f"Enquête {n}")


class QuestionFactory(DjangoModelFactory[Question]):
    class Meta:
        model = Question

    survey = SubFactory(SurveyFactory)
    code = Sequence(lambda n: f"q{n}")
    position = Sequence(lambda n: n)
    type = "nps"
    text_fr = "Recommanderiez-vous notre maison à un proche ?"
    text_en = "Would you recommend us to a friend?"


class WaveFactory(DjangoModelFactory[Wave]):
    class Meta:
        model = Wave

    survey = SubFactory(SurveyFactory)


class InvitationFactory(DjangoModelFactory[Invitation]):
    class Meta:
        model = Invitation

    survey = SubFactory(SurveyFactory)
    organization = LazyAttribute(lambda i: i.survey.organization)
    customer = SubFactory(
        CustomerFactory, organization=LazyAttribute(lambda c: c.factory_parent.organization)
    )
    token_hash = LazyAttribute(lambda _i: token_digest(new_token()))
    status = "sent"


class ResponseFactory(DjangoModelFactory[Response]):
    class Meta:
        model = Response

    survey = SubFactory(SurveyFactory)
    organization = LazyAttribute(lambda r: r.survey.organization)
    channel = "web"


class AnswerFactory(DjangoModelFactory[Answer]):
    class Meta:
        model = Answer

    response = SubFactory(ResponseFactory)
    question = SubFactory(QuestionFactory, survey=LazyAttribute(lambda q: q.factory_parent.response.survey))
    number = 9


class PublicLinkFactory(DjangoModelFactory[PublicLink]):
    class Meta:
        model = PublicLink

    survey = SubFactory(SurveyFactory)
    organization = LazyAttribute(lambda p: p.survey.organization)
    token_hash = LazyAttribute(lambda _p: token_digest(new_token()))
    label = "Ticket de caisse"
