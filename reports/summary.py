"""`summary.xlsx` for team leads: counts by type × carrier, shop, zone and agent, a trend over
the runs kept in the output folder, native Excel charts, and a data-quality sheet."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.utils import get_column_letter

from core.labels import SUMMARY_LABELS, TYPE_LABELS, UNASSIGNED
from reports.excel import cell, header_cells

MAX_REJECTS_SHOWN = 1000


def _pivot(con: duckdb.DuckDBPyConnection, dimension: str, types: list[str]) -> list[list]:
    """Rows of (dimension value, count per anomaly type…, total), largest total first."""
    rows = con.execute(f"""
        select {dimension} as key, anomaly_type, count(*) as n
        from summary_facts group by all
    """).fetchall()
    table: dict[str, dict[str, int]] = {}
    for key, anomaly_type, n in rows:
        table.setdefault(key if key is not None else "—", {})[anomaly_type] = n
    out = [[key, *(counts.get(t, 0) for t in types), sum(counts.values())]
           for key, counts in table.items()]
    return sorted(out, key=lambda r: (-r[-1], str(r[0])))


def _sheet(wb: Workbook, title: str, header: list[str], rows: list[list], widths=None):
    ws = wb.create_sheet(title)
    for i, width in enumerate(widths or [16] + [12] * (len(header) - 1), start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "B2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.append(header_cells(ws, header))
    for row in rows:
        ws.append([cell(ws, v) for v in row])
    return ws


def _bar(ws, title: str, n_rows: int, n_series: int, anchor: str, stacked: bool = False):
    chart = BarChart()
    chart.type = "col"
    chart.title = title
    chart.height, chart.width = 9, 22
    if stacked:
        chart.grouping, chart.overlap = "stacked", 100
    data = Reference(ws, min_col=2, max_col=1 + n_series, min_row=1, max_row=1 + n_rows)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=1 + n_rows))
    ws.add_chart(chart, anchor)


def _trend(out: Path, current_day: str, current: dict[str, int]) -> list[tuple[str, dict]]:
    """(date, counts by type) of the runs kept in the output folder, this run included."""
    runs = {}
    for manifest in sorted(out.glob("*/manifest.json")):
        day = manifest.parent.name
        if day < current_day:
            data = json.loads(manifest.read_text(encoding="utf-8"))
            runs[day] = data["anomalies"]["by_type"]
    runs[current_day] = current
    return sorted(runs.items())


def write_summary(con: duckdb.DuckDBPyConnection, path: Path, *, out: Path, day: str,
                  inputs: list[dict], lang: str = "zh") -> None:
    """Write summary.xlsx from the run's `anomalies` (and `stg_orders` for zones)."""
    labels = SUMMARY_LABELS[lang]
    types = list(TYPE_LABELS[lang])
    type_names = [TYPE_LABELS[lang][t] for t in types]
    con.execute(f"""
        create or replace temp table summary_facts as
        select a.anomaly_type, a.priority, coalesce(a.carrier, '—') as carrier,
               coalesce(a.shop, '—') as shop,
               coalesce(a.warehouse, '—') || ' / ' || o.zone || {labels['zone_suffix']!r} as zone,
               coalesce(a.agent_id, {UNASSIGNED!r}) as agent
        from anomalies a join stg_orders o using (order_id)
    """)
    wb = Workbook(write_only=True)

    by_type = dict(con.execute("select anomaly_type, count(*) from summary_facts group by 1")
                   .fetchall())
    by_tier = {(t, p): n for t, p, n in con.execute(
        "select anomaly_type, priority, count(*) from summary_facts group by 1, 2").fetchall()}
    overview = [[TYPE_LABELS[lang][t], *(by_tier.get((t, p), 0) for p in ("P1", "P2", "P3")),
                 by_type.get(t, 0)] for t in types]
    ws = _sheet(wb, labels["overview"], [labels["type"], "P1", "P2", "P3", labels["total"]],
                overview)
    _bar(ws, labels["chart_by_type"], len(overview), 3, "G2", stacked=True)

    for key, dimension in (("by_carrier", "carrier"), ("by_shop", "shop"), ("by_zone", "zone"),
                           ("by_agent", "agent")):
        rows = _pivot(con, dimension, types)
        ws = _sheet(wb, labels[key], [labels[dimension], *type_names, labels["total"]], rows,
                    widths=[22] + [11] * (len(types) + 1))
        if key == "by_carrier" and rows:
            _bar(ws, labels["chart_by_carrier"], len(rows), len(types), "B" + str(len(rows) + 4),
                 stacked=True)

    trend = _trend(out, day, by_type)
    rows = [[d, *(counts.get(t, 0) for t in types), sum(counts.values())] for d, counts in trend]
    ws = _sheet(wb, labels["trend"], [labels["date"], *type_names, labels["total"]], rows)
    chart = LineChart()
    chart.title, chart.height, chart.width = labels["chart_trend"], 9, 22
    chart.add_data(Reference(ws, min_col=2, max_col=len(types) + 2, min_row=1,
                             max_row=len(rows) + 1), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=len(rows) + 1))
    ws.add_chart(chart, "B" + str(len(rows) + 4))

    _data_quality(con, wb, labels, inputs)
    wb.save(path)


def _data_quality(con, wb: Workbook, labels: dict, inputs: list[dict]) -> None:
    ws = wb.create_sheet(labels["data_quality"])
    for i, width in enumerate([24, 14, 14, 40, 60], start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    columns = ["file", "kind", "rows_read", "rows_accepted", "rows_rejected",
               "rows_dropped_blank", "rows_dropped_total"]
    ws.append(header_cells(ws, columns))
    for f in inputs:
        ws.append([cell(ws, f[c]) for c in columns])
    ws.append([])
    ws.append(header_cells(ws, [labels["rejects"], "row", "column", "value", "reason"]))
    for row in con.execute('select file, "row", "column", value, reason from rejects '
                           f'order by file, "row" limit {MAX_REJECTS_SHOWN}').fetchall():
        ws.append([cell(ws, v) for v in row])
    ws.append([])
    ws.append(header_cells(ws, [labels["warnings"], "row", "column", "value", "message"]))
    for row in con.execute('select file, "row", "column", value, message from warnings '
                           f'order by kind, file, "row" limit {MAX_REJECTS_SHOWN}').fetchall():
        ws.append([cell(ws, v) for v in row])
