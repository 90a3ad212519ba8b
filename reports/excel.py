"""openpyxl helpers shared by the workbooks: inert text cells, header styling, file names."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from copy import copy
from weakref import WeakKeyDictionary

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="305496")
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"

# The style of each kind of cell `cell` makes (wrapped or not, number format, fill, font),
# per workbook: set once through openpyxl's style setters, which hash the style objects to
# find their index in the workbook (a third of the time a worklist of 200,000 cells took),
# then copied to the next cells of that kind, as openpyxl copies a cell's style itself
# (WorksheetCopy). Fills and fonts count by identity (the callers' constants); each entry
# keeps them, so that no other object can take their id while the workbook lives.
_CELL_STYLES: WeakKeyDictionary = WeakKeyDictionary()


def cell(ws, value, *, wrap: bool = False, fill: PatternFill | None = None,
         font: Font | None = None, number_format: str | None = None) -> WriteOnlyCell:
    """A write-only cell whose text can never run as a formula."""
    if isinstance(value, float) and value != value:  # NaN from pandas
        value = None
    c = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        # openpyxl stores any string starting with "=" as a formula: force plain text
        c.data_type = "s"
    if isinstance(value, (dt.datetime, dt.date)):
        number_format = number_format or DATETIME_FORMAT
    styles = _CELL_STYLES.setdefault(ws.parent, {})
    key = (wrap, number_format, id(fill), id(font))
    known = styles.get(key)
    if known is None:
        if number_format:
            c.number_format = number_format
        c.alignment = WRAP if wrap else TOP
        if fill is not None:
            c.fill = fill
        if font is not None:
            c.font = font
        styles[key] = (copy(c._style), fill, font)
    else:
        c._style = copy(known[0])
    return c


def header_cells(ws, labels: list[str]) -> list[WriteOnlyCell]:
    """Bold white-on-blue header cells."""
    return [cell(ws, label, wrap=True, font=HEADER_FONT, fill=HEADER_FILL) for label in labels]


def display_width(text: str) -> int:
    """Columns a text needs: wide (CJK) characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def safe_file_stem(name: str) -> str:
    """A file name stem safe on every OS, whatever an agent or shop name contains."""
    stem = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", name).strip(" .")
    stem = re.sub(r"^(CON|PRN|AUX|NUL|COM\d|LPT\d)$", r"_\1", stem, flags=re.IGNORECASE)
    return stem[:80] or "_"
