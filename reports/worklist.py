"""One worklist workbook per agent (and one for unassigned orders), Chinese labels.

Rows come sorted by tier then score from `worklist_rows`; the agent fills 处理结果 from a
dropdown and 处理备注. Header frozen, filter on, widths fit Chinese text, long text
wrapped, priority coloured, personal data masked (in SQL), nothing runs as a formula.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
from openpyxl import Workbook
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from core.labels import (RESULT_CHOICES, SHEET_NAMES, SUBTYPE_LABELS, TYPE_LABELS, UNASSIGNED,
                         WORKLIST_COLUMNS)
from core.registry import RULES
from reports.excel import cell, header_cells, safe_file_stem

PRIORITY_FILLS = {
    "P1": PatternFill("solid", fgColor="F8CBAD"),
    "P2": PatternFill("solid", fgColor="FFE699"),
    "P3": PatternFill("solid", fgColor="E2EFDA"),
}
WRAPPED = {"reason", "action", "script", "latest_event", "other_anomalies"}
NUMBER_FORMATS = {"amount": "0.00", "score": "0.0", "elapsed_hours": "0.0",
                  "threshold_hours": "0.#", "days_open": "0"}


def write_worklist(rows: list[dict], path: Path, lang: str = "zh") -> None:
    """Write one worklist workbook from already-sorted worklist rows."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(SHEET_NAMES[lang]["worklist"])
    keys = [k for k, *_ in WORKLIST_COLUMNS]
    headers = [zh if lang == "zh" else en for _, zh, en, _ in WORKLIST_COLUMNS]
    for i, (key, _, _, width) in enumerate(WORKLIST_COLUMNS, start=1):
        dim = ws.column_dimensions[get_column_letter(i)]
        dim.width = width
        if key == "anomaly_key":
            dim.hidden = True
    ws.freeze_panes = "A2"
    last_col = get_column_letter(len(keys))
    last_row = len(rows) + 1
    ws.auto_filter.ref = f"A1:{last_col}{last_row}"
    result_col = get_column_letter(keys.index("result") + 1)
    dv = DataValidation(type="list", formula1='"' + ",".join(RESULT_CHOICES) + '"',
                        allow_blank=True, showErrorMessage=True,
                        errorTitle="处理结果", error="请从下拉列表中选择")
    dv.add(f"{result_col}2:{result_col}{max(last_row, 2)}")
    ws.data_validations.append(dv)  # write-only sheets lack add_data_validation
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.append(header_cells(ws, headers))
    for row in rows:
        ws.append([
            cell(ws, row.get(k), wrap=k in WRAPPED, number_format=NUMBER_FORMATS.get(k),
                 fill=PRIORITY_FILLS.get(row.get("priority")) if k == "priority" else None)
            for k in keys
        ])
    _help_sheet(wb, lang)
    wb.save(path)


def _help_sheet(wb: Workbook, lang: str) -> None:
    """说明: every anomaly type with its action, and every column."""
    ws = wb.create_sheet(SHEET_NAMES[lang]["help"])
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 90
    ws.append(header_cells(ws, ["异常类型", "说明与建议处理"] if lang == "zh"
                           else ["Anomaly", "What to do"]))
    for code, label in TYPE_LABELS[lang].items():
        ws.append([cell(ws, f"{label}（{code}）"),
                   cell(ws, RULES[code].handling.get("action", ""), wrap=True)])
    ws.append([])
    ws.append(header_cells(ws, ["列", "含义"] if lang == "zh" else ["Column", "Meaning"]))
    for key, zh, en, _ in WORKLIST_COLUMNS:
        ws.append([cell(ws, zh if lang == "zh" else en), cell(ws, key)])
    ws.append([])
    ws.append(header_cells(ws, ["细分", "含义"] if lang == "zh" else ["Subtype", "Meaning"]))
    for code, label in SUBTYPE_LABELS[lang].items():
        ws.append([cell(ws, code), cell(ws, label)])


def write_worklists(con: duckdb.DuckDBPyConnection, folder: Path, agent_ids: list[str],
                    unassigned_max_rows: int, lang: str = "zh") -> list[str]:
    """One workbook per agent with rows, plus `unassigned.xlsx`; returns the file names.

    Agents see every row assigned to them; the unassigned workbook keeps the highest
    priorities up to `unassigned_max_rows` (the rest stays in anomalies.csv).
    """
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    targets = [(a, "agent_id = $agent", {"agent": a}) for a in agent_ids]
    targets.append((UNASSIGNED, "agent_id is null", {}))
    for name, where, params in targets:
        limit = f" limit {int(unassigned_max_rows)}" if name == UNASSIGNED else ""
        frame = con.execute(
            f"select * from worklist_rows where {where} order by priority, score desc, order_id"
            f"{limit}", params).df()
        if frame.empty and name != UNASSIGNED:
            continue
        rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
        if lang == "en":  # what the agent reads; scripts and remarks stay Chinese (customers)
            for row in rows:
                row["anomaly_label"] = TYPE_LABELS["en"][row["anomaly_type"]]
                row["subtype_label"] = SUBTYPE_LABELS["en"].get(row["subtype"], row["subtype"])
        file_name = f"{safe_file_stem(name)}.xlsx"
        write_worklist(rows, folder / file_name, lang)
        written.append(file_name)
    return written
