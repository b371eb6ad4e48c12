"""Regenerate the workbook fixtures: python tests/data/make_spreadsheets.py

- ventes_excel.xlsx: a sales export as a shop manager saves it from Excel: a title row,
  customer numbers stored as numbers, purchase dates as date cells, delivery dates that
  lost their format (bare Excel serials), amounts, a paid flag, an empty row.
- clients_libreoffice.ods: a customer list saved by LibreOffice Calc.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from tests.lib.spreadsheet_files import RawSerial, Rows, excel_serial, write_ods, write_xlsx  # noqa: E402

SALES: Rows = [
    ["Export des ventes – mars 2024"],
    [],
    ["N° client", "Date d'achat", "Livraison", "Montant TTC", "Payé", "Magasin", "Commentaire"],
    [10023.0, dt.date(2024, 3, 1), RawSerial(excel_serial(dt.date(2024, 3, 4))), 12.5, True, "Lyon ", None],
    [10024.0, dt.datetime(2024, 3, 2, 14, 30), RawSerial(45355.5), 1234.56, False, "Paris", "Client pressé"],
    [10025.0, dt.date(2024, 3, 13), RawSerial(45366), -15.0, True, "Lille", "Avoir"],
    [None, None, None, None, None, None, None],
    ["C-77", dt.date(2024, 3, 31), None, 0.1, None, " Nantes", "  "],
]

CUSTOMERS: Rows = [
    ["Code client", "Nom", "Prénom", "Date de création", "CA TTC", "Newsletter"],
    ["C001", "Lefèvre", "Hélène", dt.date(2019, 5, 17), 1520.3, True],
    ["C002", "Œuvray", "Zoé", dt.date(2023, 11, 2), 89.9, False],
    ["C003", "N'Diaye", "Moussa", dt.datetime(2024, 1, 8, 9, 15), 0, True],
]


def main() -> None:
    write_xlsx(HERE / "ventes_excel.xlsx", SALES, sheet="Ventes", before=None)
    write_ods(HERE / "clients_libreoffice.ods", CUSTOMERS, sheet="Clients")


if __name__ == "__main__":
    main()
