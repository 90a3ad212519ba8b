"""`summary.xlsx` for team leads: what the run checked and found, the backlog against the
agents' capacity, anomaly rates per carrier, shop and warehouse/zone, ageing, a trend over
the runs kept in the output folder, and data quality. Native Excel charts, one colour per
tier (the worklists' colours), every count with its unit, Chinese by default."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from core.labels import SUMMARY_LABELS, TIER_COLOURS, TYPE_LABELS
from reports.excel import cell, header_cells

MAX_REJECTS_SHOWN = 1000
TIERS = ("P1", "P2", "P3")
PERCENT = "0.0%"
AGE_BUCKETS = ((0, 0), (1, 1), (2, 3), (4, 7), (8, None))


def _sheet(wb: Workbook, title: str, widths: list[int], freeze: str | None = None):
    ws = wb.create_sheet(title)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    if freeze:
        ws.freeze_panes = freeze
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    return ws


def _table(ws, header: list[str], rows: list[list], formats: dict[int, str] | None = None):
    ws.append(header_cells(ws, header))
    for row in rows:
        ws.append([cell(ws, v, number_format=(formats or {}).get(i)) for i, v in enumerate(row)])


def _bar(ws, title: str, first_row: int, n_rows: int, first_col: int, n_series: int,
         anchor: str, colours: list[str] | None = None, y_title: str = "") -> None:
    """A stacked column chart of a table whose header is at `first_row`."""
    chart = BarChart()
    chart.type, chart.grouping, chart.overlap = "col", "stacked", 100
    chart.title, chart.height, chart.width = title, 9, 22
    chart.y_axis.title = y_title
    data = Reference(ws, min_col=first_col, max_col=first_col + n_series - 1,
                     min_row=first_row, max_row=first_row + n_rows)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=first_row + 1,
                                   max_row=first_row + n_rows))
    for series, colour in zip(chart.series, colours or []):
        series.graphicalProperties.solidFill = colour
        series.graphicalProperties.line.solidFill = colour
    ws.add_chart(chart, anchor)


def _facts(con: duckdb.DuckDBPyConnection, labels: dict) -> None:
    con.execute(f"""
        create or replace temp table summary_facts as
        select a.anomaly_type, a.priority, a.order_id, a.tracking_no, a.days_open,
               coalesce(a.carrier, '—') as carrier, coalesce(a.shop, '—') as shop,
               coalesce(a.warehouse, '—') || ' / ' || o.zone || {labels['zone_suffix']!r} as zone,
               coalesce(a.agent_id, {labels['unassigned']!r}) as agent
        from anomalies a join stg_orders o using (order_id)
    """)


def _rates(con, dimension: str, types: list[str], per: str, zone_suffix: str) -> list[list]:
    """Per value of `dimension`: checked, anomalous, rate, then counts per type and total.
    `per` is "parcel" (carrier: parcels checked) or "order" (shop, zone)."""
    if per == "parcel":
        checked_sql = """
            select coalesce(o.carrier, '—') as key, count(distinct p.tracking_no) as checked
            from stg_parcels p join stg_orders o using (order_id) group by 1"""
        hit_sql = f"""select {dimension} as key, count(distinct tracking_no) as hit
                      from summary_facts where tracking_no is not null group by 1"""
    else:
        source = {"shop": "coalesce(shop, '—')",
                  "zone": "coalesce(warehouse, '—') || ' / ' || zone || $suffix"}[dimension]
        checked_sql = f"select {source} as key, count(*) as checked from stg_orders group by 1"
        hit_sql = f"""select {dimension} as key, count(distinct order_id) as hit
                      from summary_facts group by 1"""
    params = {"suffix": zone_suffix} if "$suffix" in checked_sql else {}
    checked = dict(con.execute(checked_sql, params).fetchall())
    hit = dict(con.execute(hit_sql).fetchall())
    counts: dict[str, dict[str, int]] = {}
    for key, kind, n in con.execute(f"select {dimension}, anomaly_type, count(*) "
                                    "from summary_facts group by all").fetchall():
        counts.setdefault(key, {})[kind] = n
    rows = []
    for key in set(checked) | set(counts):
        n_checked, n_hit = checked.get(key, 0), hit.get(key, 0)
        by_type = counts.get(key, {})
        rows.append([key, n_checked, n_hit, n_hit / n_checked if n_checked else None,
                     *(by_type.get(t, 0) for t in types), sum(by_type.values())])
    return sorted(rows, key=lambda r: (-(r[3] or 0), -r[-1], str(r[0])))


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
    """Write summary.xlsx from the run's `anomalies`, `stg_orders`, `stg_parcels`, `agents`."""
    labels = SUMMARY_LABELS[lang]
    types = list(TYPE_LABELS[lang])
    type_names = [f"{TYPE_LABELS[lang][t]}{labels['unit_anomalies']}" for t in types]
    _facts(con, labels)
    wb = Workbook(write_only=True)
    by_type = dict(con.execute("select anomaly_type, count(*) from summary_facts group by 1")
                   .fetchall())
    _overview(con, wb, labels, lang, types, by_type)
    tiers_colours = [TIER_COLOURS[t] for t in TIERS]

    for key, dimension, per in (("by_carrier", "carrier", "parcel"), ("by_shop", "shop", "order"),
                                ("by_zone", "zone", "order")):
        rows = _rates(con, dimension, types, per, labels["zone_suffix"])
        ws = _sheet(wb, labels[key], [22, 14, 14, 10] + [12] * (len(types) + 1), "B2")
        _table(ws, [labels[dimension], labels[f"checked_{per}"], labels[f"anomalous_{per}"],
                    labels["rate"], *type_names, labels["total"] + labels["unit_anomalies"]],
               rows, {3: PERCENT})
        if rows:
            _bar(ws, labels[f"chart_{key}"], 1, min(len(rows), 15), 5, len(types),
                 f"B{len(rows) + 4}", y_title=labels["unit_anomalies"].strip("（）"))

    agent_rows = con.execute(f"""
        select agent, count(distinct order_id),
               {", ".join(f"count(*) filter (where priority = '{t}')" for t in TIERS)}, count(*)
        from summary_facts group by agent order by agent = $u, agent
    """, {"u": labels["unassigned"]}).fetchall()
    ws = _sheet(wb, labels["by_agent"], [18, 14, 12, 12, 12, 14], "B2")
    _table(ws, [labels["agent"], labels["orders"] + labels["unit_orders"],
                *(t + labels["unit_anomalies"] for t in TIERS),
                labels["total"] + labels["unit_anomalies"]], [list(r) for r in agent_rows])

    ageing = []
    for low, high in AGE_BUCKETS:
        bound = f"days_open >= {low}" + (f" and days_open <= {high}" if high is not None else "")
        counts = dict(con.execute(f"select priority, count(*) from summary_facts where {bound} "
                                  "group by 1").fetchall())
        name = labels["age_exact"].format(low) if low == high else (
            labels["age_range"].format(low, high) if high else labels["age_over"].format(low - 1))
        ageing.append([name, *(counts.get(t, 0) for t in TIERS), sum(counts.values())])
    ws = _sheet(wb, labels["ageing"], [20, 12, 12, 12, 14], "B2")
    _table(ws, [labels["days_open"], *(t + labels["unit_anomalies"] for t in TIERS),
                labels["total"] + labels["unit_anomalies"]], ageing)
    _bar(ws, labels["chart_ageing"], 1, len(ageing), 2, len(TIERS), "G2", tiers_colours,
         labels["unit_anomalies"].strip("（）"))

    trend = _trend(out, day, by_type)
    rows = [[d, *(counts.get(t, 0) for t in types), sum(counts.values())] for d, counts in trend]
    ws = _sheet(wb, labels["trend"], [14] + [12] * (len(types) + 1), "B2")
    _table(ws, [labels["date"], *type_names, labels["total"] + labels["unit_anomalies"]], rows)
    # stacked columns read with one run as with thirty (a line needs two points)
    _bar(ws, labels["chart_trend"], 1, len(rows), 2, len(types), f"B{len(rows) + 4}",
         y_title=labels["unit_anomalies"].strip("（）"))

    _rule_tuning(con, wb, labels, lang)
    _data_quality(con, wb, labels, inputs)
    wb.save(path)


def _rule_tuning(con, wb: Workbook, labels: dict, lang: str) -> None:
    """Per rule and subtype over the metrics window: false-positive rate, resolution rate and
    the median time to resolve, from what agents handed back (`rule_metrics`)."""
    from core.labels import SUBTYPE_LABELS

    ws = _sheet(wb, labels["rule_tuning"], [16, 20, 12, 12, 12, 10, 12, 10, 16], "C3")
    days = con.execute("select any_value(window_days) from rule_metrics").fetchone()[0] or 30
    ws.append([cell(ws, labels["tuning_note"].format(days=days))])
    rows = [[TYPE_LABELS[lang].get(t, t), SUBTYPE_LABELS[lang].get(s, s), found, worked, fp,
             fp_rate, resolved, resolution_rate, median_hours]
            for t, s, found, worked, fp, fp_rate, resolved, resolution_rate, median_hours, _
            in con.execute("select * from rule_metrics").fetchall()]
    _table(ws, [labels[k] for k in ("type", "subtype", "found", "worked", "false_positives",
                                    "false_positive_rate", "resolved", "resolution_rate",
                                    "median_hours")], rows, {5: PERCENT, 7: PERCENT})



def _overview(con, wb: Workbook, labels: dict, lang: str, types: list[str],
              by_type: dict[str, int]) -> None:
    """Key figures, the backlog against capacity (with a warning when work exceeds it), then
    anomalies by type and tier with a chart coloured by tier."""
    as_of, orders_checked, parcels_checked = con.execute("""
        select strftime((select max(as_of) from anomalies), '%Y-%m-%d %H:%M'),
               (select count(*) from stg_orders),
               (select count(distinct tracking_no) from stg_parcels)
    """).fetchone()
    total, orders, p1, unassigned_orders, assigned_orders = con.execute("""
        select count(*), count(distinct order_id), count(*) filter (where priority = 'P1'),
               count(distinct order_id) filter (where agent_id is null),
               count(distinct order_id) filter (where agent_id is not null)
        from anomalies
    """).fetchone()
    capacity = con.execute("""
        select coalesce(sum(try_cast(capacity as integer)), 0) from agents
        where coalesce(lower(trim(active)), 'y') not in ('0', 'n', 'no', 'false', '否', '停用')
    """).fetchone()[0]
    ws = _sheet(wb, labels["overview"], [26, 14, 12, 12, 14, 16])
    figures = [
        (labels["as_of"], as_of or "—"),
        (labels["orders_checked"], orders_checked),
        (labels["parcels_checked"], parcels_checked),
        (labels["anomalies"], total),
        (labels["orders_with_anomalies"], orders),
        (labels["p1"], p1),
        (labels["assigned"], assigned_orders),
        (labels["unassigned_backlog"], unassigned_orders),
        (labels["capacity"], capacity),
    ]
    for name, value in figures:
        ws.append([cell(ws, name), cell(ws, value)])
    warning = labels["over_capacity"].format(orders=orders, capacity=capacity,
                                             left=unassigned_orders) \
        if orders > capacity else labels["within_capacity"]
    note = cell(ws, warning, wrap=False)
    note.font = Font(bold=True, color="C00000" if orders > capacity else "38761D")
    ws.append([note])
    ws.append([])
    by_tier = {(t, p): n for t, p, n in con.execute(
        "select anomaly_type, priority, count(*) from summary_facts group by 1, 2").fetchall()}
    orders_by_type = dict(con.execute(
        "select anomaly_type, count(distinct order_id) from summary_facts group by 1").fetchall())
    table_row = len(figures) + 3
    _table(ws, [labels["type"], *(t + labels["unit_anomalies"] for t in TIERS),
                labels["total"] + labels["unit_anomalies"],
                labels["orders"] + labels["unit_orders"]],
           [[TYPE_LABELS[lang][t], *(by_tier.get((t, p), 0) for p in TIERS), by_type.get(t, 0),
             orders_by_type.get(t, 0)] for t in types])
    _bar(ws, labels["chart_by_type"], table_row, len(types), 2, len(TIERS), "H2",
         [TIER_COLOURS[t] for t in TIERS], labels["unit_anomalies"].strip("（）"))


def _data_quality(con, wb: Workbook, labels: dict, inputs: list[dict]) -> None:
    ws = _sheet(wb, labels["data_quality"], [24, 14, 12, 12, 40, 60])
    columns = ["file", "kind", "rows_read", "rows_accepted", "rows_rejected",
               "rows_dropped_blank", "rows_dropped_total", "rows_dated_later"]
    _table(ws, [labels[f"dq_{c}"] for c in columns], [[f[c] for c in columns] for f in inputs])
    ws.append([])
    rejects = con.execute('select file, "row", "column", value, reason from rejects '
                          f'order by file, "row" limit {MAX_REJECTS_SHOWN}').fetchall()
    _table(ws, [labels["rejects"], labels["dq_row"], labels["dq_column"], labels["dq_value"],
                labels["dq_reason"]], [list(r) for r in rejects])
    ws.append([])
    warnings = con.execute('select file, "row", "column", value, message from warnings '
                           f'order by kind, file, "row" limit {MAX_REJECTS_SHOWN}').fetchall()
    _table(ws, [labels["warnings"], labels["dq_row"], labels["dq_column"], labels["dq_value"],
                labels["dq_message"]], [list(r) for r in warnings])
