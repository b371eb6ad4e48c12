"""How much of a file Écoute reads: beyond these, a file is refused with a message naming the limit.

A CSV file is read as a stream, so its length does not matter, only its width. A workbook sheet is
held in memory while it is read (python-calamine builds the whole block of cells, 32 bytes each,
from its first filled cell to its last), hence the limits on its extent, checked before reading.
"""

from typing import Final

# Columns of one table: the mapping page and form have one field per column.
MAX_COLUMNS: Final = 500
# Rows of a sheet: Excel's own limit.
MAX_SHEET_ROWS: Final = 1_048_576
# Cells of a sheet, from its first filled cell to its last: every row of Excel, eleven columns wide.
MAX_SHEET_CELLS: Final = 12_000_000
# Different texts a workbook may declare (its shared strings).
MAX_SHARED_STRINGS: Final = MAX_SHEET_CELLS
# A workbook once unpacked: about a full sheet of ten columns.
MAX_UNPACKED_BYTES: Final = 1 << 30
# Files inside a workbook's zip (Excel writes about a dozen; pictures add some).
MAX_ZIP_ENTRIES: Final = 10_000
# Memory (address space) of the process that reads a workbook: the safety net behind the checks.
SHEET_MEMORY_LIMIT: Final = 3 << 30
