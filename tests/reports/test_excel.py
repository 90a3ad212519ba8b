"""The shared cell helper: each kind of cell keeps its own style, in every workbook written,
though the style is set once per workbook and copied to the next cells of its kind."""

import datetime as dt

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill

from reports.excel import cell

RED = PatternFill("solid", fgColor="FFC7CE")
BOLD = Font(bold=True)


def _write(path, rows):
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("s")
    for row in rows:
        ws.append(row)
    wb.save(path)
    return load_workbook(path)["s"]


def _kinds(ws):
    return [
        cell(ws, "plain"),
        cell(ws, "wrapped", wrap=True),
        cell(ws, 3.25, number_format="0.0"),
        cell(ws, dt.datetime(2026, 11, 20, 8, 0)),
        cell(ws, "P1", fill=RED, font=BOLD),
        cell(ws, "=HYPERLINK(\"x\")"),
    ]


def _check(row):
    plain, wrapped, number, when, tier, formula = row
    assert plain.alignment.vertical == "top" and not plain.alignment.wrap_text
    assert wrapped.alignment.vertical == "top" and wrapped.alignment.wrap_text
    assert number.number_format == "0.0" and not number.font.b
    assert when.number_format == "yyyy-mm-dd hh:mm" and when.value == dt.datetime(2026, 11, 20, 8)
    assert tier.font.b and tier.fill.fgColor.rgb.endswith("FFC7CE")
    assert not plain.font.b and plain.fill.fill_type is None
    assert formula.data_type == "s" and formula.value.startswith("=")


def test_every_kind_of_cell_keeps_its_style_row_after_row(tmp_path):
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("s")
    for _ in range(3):  # the second and third rows copy the styles the first one set
        ws.append(_kinds(ws))
    wb.save(tmp_path / "a.xlsx")
    for row in load_workbook(tmp_path / "a.xlsx")["s"].iter_rows():
        _check(row)


def test_a_second_workbook_gets_its_own_styles(tmp_path):
    # style indices belong to a workbook: the second one, whose styles are registered in
    # another order, must not take the first one's
    first = Workbook(write_only=True)
    ws = first.create_sheet("s")
    ws.append(_kinds(ws))
    first.save(tmp_path / "a.xlsx")
    second = Workbook(write_only=True)
    ws = second.create_sheet("s")
    ws.append(list(reversed(_kinds(ws))))
    ws.append(list(reversed(_kinds(ws))))
    second.save(tmp_path / "b.xlsx")
    for row in load_workbook(tmp_path / "b.xlsx")["s"].iter_rows():
        _check(list(reversed(row)))
