"""Absurd numeric options of `ecoute btyd` are refused with a clear message, before any work."""

import os
import subprocess
import sys

import pytest
from django.core.management import CommandError

from tests.analytics.btyd_data import CDNOW
from tests.analytics.test_btyd_command import ROOT, run_btyd


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("--discount-rate=-0.1", "--discount-rate must be a rate per period"),
        ("--discount-rate=nan", "not nan"),
        ("--discount-rate=inf", "--discount-rate"),
        ("--discount-rate=5", "not 5"),
        ("--discount-rate=abc", "not abc"),
        ("--period-days=-7", "--period-days must be a number of days"),
        ("--period-days=nan", "--period-days"),
        ("--period-days=0", "--period-days"),
        ("--period-days=100000", "at most 366"),
        ("--horizon=-3", "--horizon must be a whole number of periods"),
        ("--horizon=0", "--horizon"),
        ("--horizon=2.5", "not 2.5"),
        ("--horizon=nan", "--horizon"),
        ("--horizon=1000000", "beyond a hundred years"),
    ],
)
def test_absurd_options_are_refused_with_a_clear_message(option: str, message: str) -> None:
    # when the command is given an absurd number
    # then it stops with a message naming the option, before reading the file
    with pytest.raises(CommandError, match=message):
        run_btyd(str(CDNOW), "--calibration-end=1997-09-30", option)


def test_sensible_options_written_the_french_way_are_accepted() -> None:
    text = run_btyd(
        str(CDNOW), "--calibration-end=1997-09-30", "--model=bgnbd", "--discount-rate=0,02", "--horizon=26"
    )
    assert "bgnbd" in text


def test_console_command_refuses_a_nan_discount_rate_with_exit_1_and_no_traceback() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "ecoute",
            "btyd",
            str(CDNOW),
            "--calibration-end=1997-09-30",
            "--discount-rate=nan",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "ECOUTE_TESTING": "1"},
        check=False,
    )
    assert result.returncode == 1
    assert "--discount-rate" in result.stderr
    assert "Traceback" not in result.stderr


def test_console_command_starts_without_the_web_application() -> None:
    # given the console command run on a small file, as a user runs it
    script = (
        "import sys\n"
        "from django.apps import apps\n"
        "from ecoute.__main__ import main\n"
        f"sys.argv = ['ecoute', 'btyd', {str(CDNOW)!r}, '--calibration-end=1997-09-30',\n"
        "            '--model=bgnbd', '--json']\n"
        "main()\n"
        "print(sorted(config.label for config in apps.get_app_configs()), file=sys.stderr)\n"
        "print('django.db.models' in sys.modules, file=sys.stderr)\n"
    )
    environment = {
        key: value for key, value in os.environ.items() if key not in {"SECRET_KEY", "DATABASE_URL"}
    }
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, env=environment, check=False
    )
    # then it works with no secret key nor database, and loads no app nor the ORM
    assert result.returncode == 0, result.stderr
    assert '"scored_model": "bgnbd"' in result.stdout
    assert result.stderr.strip().splitlines()[-2:] == ["[]", "False"]
