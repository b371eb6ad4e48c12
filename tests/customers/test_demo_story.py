"""The simulated customers tell a believable story: people lapse, complaints drive them away,
reviewers buy more — with the process parameters known, and the same data for the same seed."""

import statistics

import pytest

from ecoute.customers.demo.people import MINUTES_PER_DAY, BuyingProcess, Customer
from ecoute.customers.demo.simulate import simulate_customers

PROCESS = BuyingProcess()
END = PROCESS.history_days * MINUTES_PER_DAY
YEAR = 365 * MINUTES_PER_DAY


@pytest.fixture(scope="module")
def customers() -> list[Customer]:
    return list(simulate_customers(2000, seed=11))


def test_about_seventy_percent_of_complaints_are_resolved_at_first_contact(customers: list[Customer]) -> None:
    # Given every support contact that records first-contact resolution
    outcomes = [c.resolved_first_contact for k in customers for c in k.contacts if c.kind != "delivery"]

    # Then about 70 % were resolved at first contact
    assert len(outcomes) > 300
    assert 0.62 <= sum(bool(o) for o in outcomes) / len(outcomes) <= 0.78


def test_some_customers_have_not_bought_for_a_year(customers: list[Customer]) -> None:
    # Given the customers who bought at least once
    buyers = [c for c in customers if c.purchases]

    # Then a good share of them lapsed (no purchase in the last year), and most did not
    lapsed = [c for c in buyers if c.purchases[-1].at < END - YEAR]
    assert 0.1 <= len(lapsed) / len(buyers) <= 0.6
    # And a few never bought at all (prospects)
    assert 0 < len(customers) - len(buyers) < 0.15 * len(customers)


def test_customers_leave_more_often_after_an_unresolved_complaint(customers: list[Customer]) -> None:
    # Given each purchase, and whether a complaint about it stayed unresolved at first contact
    after_unresolved: list[float] = []
    otherwise: list[float] = []
    for customer in customers:
        unresolved = [c.at for c in customer.contacts if c.resolved_first_contact is False]
        for index, purchase in enumerate(customer.purchases):
            was_last = index == len(customer.purchases) - 1
            bad = any(purchase.at < at <= purchase.at + 11 * MINUTES_PER_DAY for at in unresolved)
            (after_unresolved if bad else otherwise).append(was_last)

    # Then a purchase followed by an unresolved complaint is much more often the customer's last
    assert statistics.mean(after_unresolved) > 2 * statistics.mean(otherwise)


def test_reviewers_buy_more_than_other_customers(customers: list[Customer]) -> None:
    buyers = [c for c in customers if c.purchases]
    reviewers = [len(c.purchases) for c in buyers if any(a.kind == "review" for a in c.acts)]
    others = [len(c.purchases) for c in buyers if not any(a.kind == "review" for a in c.acts)]

    assert statistics.mean(reviewers) > 2 * statistics.mean(others)


def test_every_kind_of_record_is_present_and_plausible(customers: list[Customer]) -> None:
    amounts = [p.cents / 100 for c in customers for p in c.purchases]
    ratings = [a.rating for c in customers for a in c.acts if a.kind == "review" and a.rating is not None]
    kinds = {a.kind for c in customers for a in c.acts}

    assert 5 <= len(amounts) / len(customers) <= 15
    assert 40 <= statistics.mean(amounts) <= 150
    assert min(amounts) > 0
    assert set(ratings) <= {1, 2, 3, 4, 5}
    assert statistics.mean(ratings) > 3.5
    assert kinds == {"review", "referral", "endorsement", "community_help", "social_mention"}
    assert {t for c in customers for t in c.tags} >= {"VIP", "B2B", "newsletter"}
    assert {c.channel for k in customers for c in k.consents} == {"email", "sms", "phone"}
    assert any(not c.granted for k in customers for c in k.consents)


def test_nothing_happens_after_today_nor_before_the_customer_was_created(customers: list[Customer]) -> None:
    for customer in customers:
        created = customer.created_day * MINUTES_PER_DAY
        moments = (
            [p.at for p in customer.purchases]
            + [c.at for c in customer.contacts]
            + [a.at for a in customer.acts]
        )
        moments += [c.at for c in customer.consents]
        assert all(created <= at < END for at in moments), customer.ref


def test_a_smaller_run_is_the_start_of_a_larger_one(customers: list[Customer]) -> None:
    # Given 300 customers drawn with the same seed as the 2000
    fewer = list(simulate_customers(300, seed=11))

    # Then they are the first 300 of the larger run
    assert fewer == customers[:300]
