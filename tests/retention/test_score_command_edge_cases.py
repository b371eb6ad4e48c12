"""`ecoute retention score` on organizations the lifetime models cannot describe: no customer, one
customer, only refunds, a single purchase each. The command says so clearly, with the right exit status
and no traceback, and stores no score that is no estimate; run again, it does the same."""

import subprocess
import sys
from datetime import UTC, date, datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import translation

from ecoute.accounts.models import Organization
from ecoute.retention.models import CustomerScore, ModelFit
from ecoute.retention.simulated_shop import write_simulated_shop
from tests.conftest import subprocess_env
from tests.retention.purchases import customer_buying

NOW = datetime(2026, 7, 15, 12, 0, tzinfo=UTC)


def _english(org: Organization) -> None:
    org.language = "en"
    org.save(update_fields=["language"])


def _score(org: Organization) -> tuple[str, str]:
    _english(org)
    out, err = StringIO(), StringIO()
    with translation.override("fr"):  # the command speaks the organization's language, not this one
        call_command("retention", "score", "--org", org.slug, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _refused(org: Organization) -> tuple[str, str]:
    _english(org)
    err = StringIO()
    with translation.override("fr"), pytest.raises(CommandError) as refusal:
        call_command("retention", "score", "--org", org.slug, stdout=StringIO(), stderr=err)
    return str(refusal.value), err.getvalue()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_an_organization_without_purchases_is_told_so_twice_alike(org: Organization) -> None:
    # Given an organization whose only customer has a refund and nothing else
    customer_buying(org, date(2026, 1, 5), amount="-30.00")
    # When it is scored twice
    first, second = _score(org), _score(org)
    # Then both runs say there is nothing to score, and nothing is stored
    assert first == second == ("No purchases yet: no customer to score.\n", "")
    assert not CustomerScore.objects.exists()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("customers", "days"),
    [
        (1, [date(2026, 1, 5), date(2026, 3, 5)]),  # one customer, who bought again
        (40, [date(2026, 1, 5)]),  # enough customers, but none bought twice
    ],
)
def test_purchases_no_model_describes_are_refused_without_scores(
    org: Organization, customers: int, days: list[date]
) -> None:
    # Given customers the models cannot be fitted on
    for _n in range(customers):
        customer_buying(org, *days)
    # When they are scored
    message, warnings = _refused(org)
    # Then the command fails saying why, each model's warning is printed, and no score is stored
    assert "No lifetime model describes the purchases" in message
    assert f"{customers} customer" in message
    assert "bgnbd: " in warnings
    assert not CustomerScore.objects.exists()
    # And the fits are kept for whoever wants to see why
    assert ModelFit.objects.filter(organization=org, model="bgnbd").count() == 1


@pytest.mark.django_db
def test_the_scores_of_the_last_sound_fit_stay_when_a_later_fit_is_refused(org: Organization) -> None:
    # Given a shop scored by a sound fit
    with time_machine.travel(NOW, tick=False):
        write_simulated_shop(org, 300, now=NOW)
        _score(org)
    scored = dict(CustomerScore.objects.values_list("customer_id", "p_alive"))
    # When every fit of a later run is degenerate (the models cannot say anything)
    from ecoute.analytics.btyd.model import FittedModel

    with (
        time_machine.travel(datetime(2026, 7, 22, tzinfo=UTC), tick=False),
        pytest.MonkeyPatch.context() as patch,
    ):
        patch.setattr(FittedModel, "degenerate", property(lambda _self: True))
        _refused(org)
    # Then the earlier scores are untouched
    assert dict(CustomerScore.objects.values_list("customer_id", "p_alive")) == scored


@pytest.mark.django_db(transaction=True)
def test_the_command_exits_1_with_a_message_and_no_traceback(org: Organization) -> None:
    # Given one customer who bought twice
    customer_buying(org, date(2026, 1, 5), date(2026, 3, 5))
    # When the command runs as a user runs it
    finished = subprocess.run(
        [sys.executable, "manage.py", "retention", "score", "--org", org.slug],
        env=subprocess_env(LANGUAGE_CODE="en"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # Then it exits 1 with the reason in the organization's language (French), and no traceback
    assert finished.returncode == 1
    assert "Aucun modèle" in finished.stderr
    assert "Traceback" not in finished.stderr
