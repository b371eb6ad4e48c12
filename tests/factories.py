"""Factories of the domain's rows, for tests."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from factory.declarations import LazyAttribute, PostGenerationMethodCall, Sequence, SubFactory
from factory.django import DjangoModelFactory
from factory.helpers import post_generation

from ecoute.accounts.models import Membership, Organization, Role, User
from ecoute.customers.models import Consent, Customer, Interaction, LoyaltyAct, Transaction

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
