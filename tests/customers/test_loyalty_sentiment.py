"""A bad review is a complaint signal, not loyalty: every act carries a sentiment, from its rating where
it has one, shown on its badge; only positive acts count as loyalty."""

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from ecoute.accounts.models import Organization
from ecoute.customers.models import LoyaltyAct, LoyaltyActKind, Sentiment
from tests.customers.importing import failing_import, write_csv
from tests.factories import CustomerFactory, LoyaltyActFactory


@pytest.mark.parametrize("kind", [k.value for k in LoyaltyActKind])
@pytest.mark.parametrize("rating", [None, 0, 1, 2, 3, 4, 5])
def test_the_sentiment_read_in_python_and_the_loyalty_counted_in_sql_follow_one_rule(
    org: Organization, kind: str, rating: int | None
) -> None:
    # Given an act of each kind and rating
    act = LoyaltyActFactory.create(
        customer=CustomerFactory.create(organization=org), kind=kind, rating=rating
    )
    # Then it is counted as loyalty exactly when its sentiment is positive
    counted = LoyaltyAct.objects.for_org(org).loyal().filter(pk=act.pk).exists()
    assert counted == (act.sentiment == Sentiment.POSITIVE)
    # And a rating decides when there is one: 4–5 positive, 3 neutral, 0–2 negative
    if rating is not None:
        expected = "positive" if rating >= 4 else "neutral" if rating == 3 else "negative"
        assert act.sentiment == expected
    else:
        assert act.sentiment == ("neutral" if kind in ("review", "social_mention") else "positive")


def test_a_two_star_review_reads_as_a_negative_act_and_is_not_counted_as_loyalty(
    owner_client: Client, org: Organization
) -> None:
    # Given a 2/5 review and a 5/5 review
    customer = CustomerFactory.create(organization=org)
    LoyaltyActFactory.create(
        customer=customer, kind="review", rating=2, text="Déçue par la qualité pour ce prix", external_id="A1"
    )
    LoyaltyActFactory.create(customer=customer, kind="review", rating=5, text="Parfait", external_id="A2")
    # When a French reader opens the customer page and the overview
    detail = owner_client.get(
        reverse("customers:customer_detail", args=[customer.pk]), HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    overview = owner_client.get(reverse("customers:overview"), HTTP_ACCEPT_LANGUAGE="fr")
    # Then the bad review wears a red badge that says so, the good one a green one
    assert '<span class="badge badge-danger">Avis, négatif</span>' in detail
    assert '<span class="badge badge-ok">Avis, positif</span>' in detail
    assert "2/5" in detail
    # And only the good review counts among the acts of loyalty
    assert overview.context["counts"]["loyalty_acts"] == 1


def test_a_rating_beyond_five_stars_is_refused_with_the_scale(tmp_path: Path, org: Organization) -> None:
    # Given a file of reviews rated out of 10
    CustomerFactory.create(organization=org, external_id="C1")
    acts = write_csv(tmp_path / "avis.csv", "Id;N° client;Type;Date;Note\nA1;C1;avis;10/01/2026;8\n")
    # When it is imported
    _message, problems = failing_import("loyalty-acts", str(acts), "--org", org.slug, "--language", "fr")
    # Then the row is refused, naming the field and the highest rating
    nbsp = "\N{NO-BREAK SPACE}"
    assert (
        f"ligne 2, colonne «{nbsp}Note{nbsp}», valeur «{nbsp}8{nbsp}»{nbsp}: hors limites{nbsp}: de 0 à 5"
        in problems
    )
