"""openpyxl helpers shared by the workbooks: inert text cells, header styling, file names."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="305496")
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


def cell(ws, value, *, wrap: bool = False, fill: PatternFill | None = None,
         number_format: str | None = None) -> WriteOnlyCell:
    """A write-only cell whose text can never run as a formula."""
    if isinstance(value, float) and value != value:  # NaN from pandas
        value = None
    c = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        # openpyxl stores any string starting with "=" as a formula: force plain text
        c.data_type = "s"
    if isinstance(value, (dt.datetime, dt.date)):
        c.number_format = number_format or DATETIME_FORMAT
    elif number_format:
        c.number_format = number_format
    c.alignment = WRAP if wrap else TOP
    if fill is not None:
        c.fill = fill
    return c


def header_cells(ws, labels: list[str]) -> list[WriteOnlyCell]:
    """Bold white-on-blue header cells."""
    cells = []
    for label in labels:
        c = cell(ws, label, wrap=True)
        c.font, c.fill = HEADER_FONT, HEADER_FILL
        cells.append(c)
    return cells


def display_width(text: str) -> int:
    """Columns a text needs: wide (CJK) characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def safe_file_stem(name: str) -> str:
    """A file name stem safe on every OS, whatever an agent or shop name contains."""
    stem = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", name).strip(" .")
    stem = re.sub(r"^(CON|PRN|AUX|NUL|COM\d|LPT\d)$", r"_\1", stem, flags=re.IGNORECASE)
    return stem[:80] or "_"
