"""Customer search by phone, in any spacing, and by CRM id, whole, partial or in lower case."""

import pytest

from ecoute.accounts.models import Organization
from ecoute.customers.models import Customer
from tests.customers.search import either_way, found
from tests.factories import CustomerFactory

__all__ = ["either_way"]

pytestmark = pytest.mark.usefixtures("either_way")


@pytest.fixture
def customers(org: Organization) -> None:
    def customer(crm_id: str, phone: str, phone_e164: str) -> Customer:
        made = CustomerFactory.create(organization=org, external_id=crm_id, phone=phone)
        # phone_e164 is not editable: the importer and the API fill it (as they are tested elsewhere).
        Customer.objects.filter(pk=made.pk).update(phone_e164=phone_e164)
        return made

    customer("CRM-004521", "06 12 34 56 78", "+33612345678")
    customer("CRM-004522", "+33 7 98 76 54 32", "+33798765432")
    customer("crm-1000", "0044 20 7946 0958", "+442079460958")
    customer("ABC/77-Z", "", "")
    customer("B1", "", "")
    customer("AB1234", "", "")


@pytest.mark.usefixtures("customers")
@pytest.mark.parametrize(
    "query",
    [
        "06 12 34 56 78",
        "0612345678",
        "06.12.34.56.78",
        "06-12-34-56-78",
        "+33 6 12 34 56 78",
        "+33612345678",
        "0033 6 12 34 56 78",
        "+33 (0)6 12 34 56 78",
        "06 12 34",  # the start of the number
        "612345678",  # without its leading zero, as a spreadsheet leaves it
        "345678",  # its end
    ],
)
def test_a_phone_is_found_by_its_digits_however_they_are_spaced(org: Organization, query: str) -> None:
    # Given a customer whose phone is "06 12 34 56 78", and others
    # When the search is the number, written in any of the ways people write it
    # Then that customer is found, and no other
    assert found(org, query) == ["CRM-004521"]


@pytest.mark.usefixtures("customers")
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("07 98 76 54 32", ["CRM-004522"]),  # a number stored in its international form
        ("+33798765432", ["CRM-004522"]),
        ("+44 20 7946 0958", ["crm-1000"]),  # a foreign number
        ("020 7946", []),  # not the national form of a foreign number: its digits are not in it
        ("06 12 34 56 79", []),
    ],
)
def test_numbers_in_international_form_and_of_other_countries(
    org: Organization, query: str, expected: list[str]
) -> None:
    assert found(org, query) == expected


@pytest.mark.usefixtures("customers")
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("CRM-004521", ["CRM-004521"]),  # whole
        ("crm-004521", ["CRM-004521"]),  # in lower case
        ("crm-0045", ["CRM-004521", "CRM-004522"]),  # by its start
        ("4521", ["CRM-004521"]),  # any part with digits
        ("452", ["CRM-004521", "CRM-004522"]),
        ("CRM-1000", ["crm-1000"]),
        ("abc/77", ["ABC/77-Z"]),
        ("77-z", ["ABC/77-Z"]),
        ("004523", []),
        ("B1", ["B1"]),  # letters and digits in one word: a CRM id, not a phone's digits
        ("b1", ["B1"]),
        ("ab12", ["AB1234"]),  # by its start
        ("AB1234", ["AB1234"]),
    ],
)
def test_a_crm_id_is_found_whole_by_its_start_or_any_part_with_digits_in_any_case(
    org: Organization, query: str, expected: list[str]
) -> None:
    assert found(org, query) == expected
