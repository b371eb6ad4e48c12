"""Every organization starts with the shipped criteria and a contact policy."""

from io import StringIO

import pytest
from django.core.management import call_command

from ecoute.accounts.actions import create_organization
from ecoute.accounts.models import Membership, Organization
from ecoute.listening.actions import ensure_listening_defaults
from ecoute.listening.defaults import default_criteria
from ecoute.listening.models import ContactPolicy, Criterion
from tests.conftest import member_client
from tests.factories import OrganizationFactory


@pytest.mark.django_db
def test_a_new_organization_gets_the_shipped_criteria_and_a_contact_policy() -> None:
    # when an organization is created
    org = create_organization("fleurs", "Fleurs & Cie")
    # then it has the shipped criteria, three of them key, in French and English, and a policy
    criteria = list(Criterion.objects.for_org(org))
    assert [c.code for c in criteria] == [row["code"] for row in default_criteria()]
    assert {"delivery", "advice", "price", "product_quality", "welcome", "after_sales", "availability"} <= {
        c.code for c in criteria
    }
    assert sum(c.is_key for c in criteria) == 3
    assert all(c.name_fr and c.name_en and c.description_fr and c.description_en for c in criteria)
    assert ContactPolicy.objects.filter(organization=org).count() == 1


@pytest.mark.django_db
def test_ensuring_the_defaults_again_keeps_the_companys_edits_and_adds_nothing(org: Organization) -> None:
    # given an organization that renamed a criterion and removed another
    ensure_listening_defaults(org)
    Criterion.objects.filter(organization=org, code="price").update(name_fr="Tarifs")
    Criterion.objects.filter(organization=org, code="store").delete()
    count = Criterion.objects.for_org(org).count()
    # when the defaults are ensured again
    added = ensure_listening_defaults(org)
    # then nothing is added or changed
    assert added == 0
    assert Criterion.objects.for_org(org).count() == count
    assert Criterion.objects.get(organization=org, code="price").name_fr == "Tarifs"
    assert ContactPolicy.objects.filter(organization=org).count() == 1


@pytest.mark.django_db
def test_the_org_command_creates_an_organization_ready_to_listen() -> None:
    # when an organization is created from the command line
    call_command("org", "create", "boulangerie", "--name", "Boulangerie Martin")
    # then it has its criteria
    org = Organization.objects.get(slug="boulangerie")
    assert Criterion.objects.for_org(org).filter(is_key=True).count() == 3


@pytest.mark.django_db
def test_the_demo_command_gives_an_existing_organization_its_criteria() -> None:
    # given an organization made before listening existed, without criteria
    org = OrganizationFactory.create(slug="ancienne")
    assert not Criterion.objects.for_org(org).exists()
    # when `ecoute demo` is run on it
    call_command("demo", "--org", "ancienne", stdout=StringIO())
    # then it has the shipped criteria and a contact policy, and nothing else was built
    assert Criterion.objects.for_org(org).count() == len(default_criteria())
    assert ContactPolicy.objects.filter(organization=org).exists()


def test_an_organization_added_in_the_support_admin_gets_its_criteria(owner: Membership) -> None:
    # given a staff member in the support admin
    owner.user.is_staff = owner.user.is_superuser = True
    owner.user.save()
    client = member_client(owner)
    # when they add an organization there
    response = client.post(
        "/admin/accounts/organization/add/",
        {
            "slug": "nouvelle",
            "name": "Nouvelle",
            "language": "fr",
            "time_zone": "Europe/Paris",
            "currency": "EUR",
            "created_at_0": "2026-12-07",
            "created_at_1": "10:00:00",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    # then it has the shipped criteria
    assert response.status_code == 302, response.content.decode()[:2000]
    org = Organization.objects.get(slug="nouvelle")
    assert Criterion.objects.for_org(org).filter(is_key=True).count() == 3
