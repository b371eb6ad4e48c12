"""The French catalogue is complete and compiled: every string a user sees has its translation."""

import re
import subprocess
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext

CATALOGUE = Path(__file__).resolve().parents[1] / "ecoute" / "locale" / "fr" / "LC_MESSAGES"


def _entries() -> list[str]:
    return (CATALOGUE / "django.po").read_text(encoding="utf-8").split("\n\n")[1:]


def _translations(entry: str) -> list[str]:
    """The text of each msgstr (several for plural forms), continuation lines joined."""
    texts: list[str] = []
    for line in entry.splitlines():
        if line.startswith("msgstr"):
            texts.append(re.findall(r'"(.*)"', line)[0])
        elif line.startswith('"') and texts:
            texts[-1] += line[1:-1]
    return texts


def test_no_french_entry_is_empty_or_fuzzy() -> None:
    empty = [entry for entry in _entries() if not all(_translations(entry))]
    fuzzy = [entry for entry in _entries() if "#, fuzzy" in entry]
    assert empty == []
    assert fuzzy == []


def test_the_compiled_catalogue_matches_the_source() -> None:
    # Given the committed .po, compiled again
    if subprocess.run(["which", "msgfmt"], capture_output=True, check=False).returncode != 0:
        pytest.skip("msgfmt is not installed")
    compiled = subprocess.run(
        ["msgfmt", "--check", "-o", "-", str(CATALOGUE / "django.po")], capture_output=True, check=True
    ).stdout
    # Then it is the committed .mo
    assert compiled == (CATALOGUE / "django.mo").read_bytes()


def test_the_product_speaks_french() -> None:
    with translation.override("fr"):
        assert gettext("Customers") == "Clients"
