"""The fleet summary: per shop and date the counts by type and tier, rejected rows, duration
and status, as `fleet.csv` and `fleet.xlsx` in the fleet's output folder."""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from core.labels import TYPE_LABELS
from reports.excel import cell, header_cells

COLUMNS = ("shop", "date", "status", "anomalies", "orders", "P1", "P2", "P3", "rejected_rows",
           "seconds", "error")
HEADERS_ZH = {"shop": "店铺", "date": "日期", "status": "状态", "anomalies": "异常（条）",
              "orders": "有异常的订单（单）", "P1": "P1（条）", "P2": "P2（条）", "P3": "P3（条）",
              "rejected_rows": "被拒行", "seconds": "用时（秒）", "error": "错误"}


def write_fleet_summary(rows: list[dict], out: Path) -> tuple[Path, Path]:
    """Write fleet.csv (English column names, for scripts) and fleet.xlsx (Chinese, for leads),
    one row per shop and date, failed shops first."""
    types = list(TYPE_LABELS["zh"])
    ordered = sorted(rows, key=lambda r: (r["status"] == "ok", r["shop"], r["date"]))
    out.mkdir(parents=True, exist_ok=True)
    csv_path, xlsx_path = out / "fleet.csv", out / "fleet.xlsx"
    with csv_path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([*COLUMNS, *types])
        for row in ordered:
            by_type = row.get("by_type") or {}
            writer.writerow([row.get(c) for c in COLUMNS] + [by_type.get(t, 0) for t in types])
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("门店汇总")
    ws.freeze_panes = "C2"
    ws.append(header_cells(ws, [HEADERS_ZH[c] for c in COLUMNS]
                           + [f"{TYPE_LABELS['zh'][t]}（条）" for t in types]))
    for row in ordered:
        by_type = row.get("by_type") or {}
        cells = [cell(ws, row.get(c)) for c in COLUMNS] + [cell(ws, by_type.get(t, 0))
                                                           for t in types]
        if row["status"] != "ok":
            cells[2].font = Font(bold=True, color="C00000")
        ws.append(cells)
    wb.save(xlsx_path)
    return csv_path, xlsx_path
