"""`ecoute user create --staff` gives the support admin with limited rights; `--superuser` is explicit."""

from django.core.management import call_command
from django.test import Client

from ecoute.accounts.models import Organization, User
from tests.factories import PASSWORD, CustomerFactory


def _create(*flags: str) -> User:
    Organization.objects.get_or_create(slug="maison", defaults={"name": "Maison"})
    arguments = ["aide@maison.fr", "--org", "maison", "--role", "viewer", "--password", PASSWORD, *flags]
    call_command("user", "create", *arguments)
    return User.objects.get(email="aide@maison.fr")


def test_staff_get_the_support_admin_but_are_not_superusers(db: None) -> None:
    # When the operator creates a support person with --staff
    user = _create("--staff")
    # Then they are staff, and not a superuser
    assert (user.is_staff, user.is_superuser) == (True, False)


def test_support_staff_read_customers_and_people_but_change_nothing(db: None) -> None:
    # Given a support person and a customer
    user = _create("--staff")
    CustomerFactory.create(organization=Organization.objects.get(slug="maison"), external_id="SUP-1")
    client = Client()
    client.force_login(user)
    # When they open the support admin's customers and people
    customers = client.get("/admin/customers/customer/")
    people = client.get(f"/admin/accounts/user/{user.pk}/change/")
    # Then they read them
    assert customers.status_code == 200
    assert "SUP-1" in customers.content.decode()
    assert people.status_code == 200
    # And they can neither make themselves a superuser nor add anyone
    client.post(
        f"/admin/accounts/user/{user.pk}/change/",
        {"email": user.email, "is_active": "on", "is_staff": "on", "is_superuser": "on"},
    )
    user.refresh_from_db()
    assert not user.is_superuser
    assert client.get("/admin/accounts/user/add/").status_code == 403
    assert client.get("/admin/accounts/organization/add/").status_code == 403


def test_superusers_are_made_only_on_purpose(db: None) -> None:
    # When the operator asks for a superuser explicitly
    user = _create("--superuser")
    # Then the account is staff and superuser
    assert (user.is_staff, user.is_superuser) == (True, True)
