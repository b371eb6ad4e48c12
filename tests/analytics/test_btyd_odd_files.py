"""`ecoute btyd` on a Windows export with accents in its header, or on a file that is no CSV at all."""

import json
import random
from pathlib import Path

import pytest
from django.core.management import CommandError

from tests.analytics.test_btyd_command import run_btyd


def test_a_windows_export_with_accents_in_its_header_is_read(tmp_path: Path) -> None:
    # Given a till export in cp1252 whose column names carry accents
    path = tmp_path / "ventes.csv"
    path.write_bytes(
        "N° client;Date d’achat;Montant payé\nA;02/01/2024;10,50\nA;09/01/2024;5\nB;03/01/2024;5\n".encode(
            "cp1252"
        )
    )

    # When the command reads it by those names
    report = json.loads(
        run_btyd(
            str(path),
            "--calibration-end=2024-01-31",
            "--customer-col=N° client",
            "--date-col=Date d’achat",
            "--amount-col=Montant payé",
            "--model=bgnbd",
            "--json",
        )
    )

    # Then both customers are counted
    assert report["customers"] == 2


@pytest.mark.parametrize(
    "content",
    [random.Random(7).randbytes(3000), b"PK\x03\x04" + bytes(range(256)) * 8, b"\x00\x01\x02\n\x03"],
)
def test_a_file_that_is_no_csv_is_a_clear_command_error(tmp_path: Path, content: bytes) -> None:
    # Given a workbook or random bytes where a CSV is expected
    path = tmp_path / "ventes.xlsx"
    path.write_bytes(content)

    # When the command reads it, then it says so instead of failing with a traceback
    with pytest.raises(CommandError, match="cannot be read as a transactions file"):
        run_btyd(str(path), "--calibration-end=2024-12-31")
