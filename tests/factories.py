"""Factories of the domain's rows, for tests."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import factory

from ecoute.accounts.models import Membership, Organization, Role, User
from ecoute.customers.models import Consent, Customer, Interaction, LoyaltyAct, Transaction

PASSWORD = "correct-horse-battery-staple"


class OrganizationFactory(factory.django.DjangoModelFactory):  # type: ignore[misc]
    class Meta:
        model = Organization
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"org-{n}")
    name = factory.Sequence(lambda n: f"Organisation {n}")


class UserFactory(factory.django.DjangoModelFactory):  # type: ignore[misc]
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.fr")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation  # type: ignore[untyped-decorator]
    def saved(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            self.save()


class MembershipFactory(factory.django.DjangoModelFactory):  # type: ignore[misc]
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Role.OWNER


class CustomerFactory(factory.django.DjangoModelFactory):  # type: ignore[misc]
    class Meta:
        model = Customer

    organization = factory.SubFactory(OrganizationFactory)
    external_id = factory.Sequence(lambda n: f"C{n:05d}")
    first_name = "Jeanne"
    last_name = factory.Sequence(lambda n: f"Dupont{n}")
    email = factory.LazyAttribute(lambda c: f"{c.external_id.lower()}@example.fr")
    region = "Île-de-France"


class TransactionFactory(factory.django.DjangoModelFactory):  # type: ignore[misc]
    class Meta:
        model = Transaction

    customer = factory.SubFactory(CustomerFactory)
    organization = factory.LazyAttribute(lambda t: t.customer.organization)
    external_id = factory.Sequence(lambda n: f"T{n:06d}")
    occurred_at = datetime(2026, 3, 14, 10, 0, tzinfo=UTC)
    amount = Decimal("42.50")


class ConsentFactory(factory.django.DjangoModelFactory):  # type: ignore[misc]
    class Meta:
        model = Consent

    customer = factory.SubFactory(CustomerFactory)
    organization = factory.LazyAttribute(lambda c: c.customer.organization)
    channel = "email"
    purpose = "surveys"
    granted = True


class InteractionFactory(factory.django.DjangoModelFactory):  # type: ignore[misc]
    class Meta:
        model = Interaction

    customer = factory.SubFactory(CustomerFactory)
    organization = factory.LazyAttribute(lambda i: i.customer.organization)
    external_id = factory.Sequence(lambda n: f"I{n:06d}")
    kind = "support_ticket"
    occurred_at = datetime(2026, 3, 15, 10, 0, tzinfo=UTC)
    resolved_first_contact = False


class LoyaltyActFactory(factory.django.DjangoModelFactory):  # type: ignore[misc]
    class Meta:
        model = LoyaltyAct

    customer = factory.SubFactory(CustomerFactory)
    organization = factory.LazyAttribute(lambda a: a.customer.organization)
    external_id = factory.Sequence(lambda n: f"L{n:06d}")
    kind = "review"
    occurred_at = datetime(2026, 3, 16, 10, 0, tzinfo=UTC)
    rating = 5
