"""summary.xlsx as a team lead opens it: what was checked, the backlog against capacity,
anomaly rates, ageing, one colour per tier, Chinese throughout, counts that add up."""

import csv
import re

import pandas as pd
import pytest
from openpyxl import load_workbook

from core.labels import SUMMARY_LABELS, TIER_COLOURS, TYPE_LABELS
from tests.helpers import ROOT

LABELS = SUMMARY_LABELS["zh"]
SAMPLE = ROOT / "sample_data"


@pytest.fixture(scope="module")
def summary(sample_run):
    return load_workbook(sample_run / "summary.xlsx")


@pytest.fixture(scope="module")
def anomalies(sample_run):
    with (sample_run / "anomalies.csv").open(encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def _frame(sample_run, sheet, skip=0):
    return pd.read_excel(sample_run / "summary.xlsx", sheet_name=LABELS[sheet],
                         engine="calamine", skiprows=skip)


def _figures(summary):
    ws = summary[LABELS["overview"]]
    return {row[0]: row[1] for row in ws.iter_rows(values_only=True) if row[0]}


def test_sheets_and_native_charts(summary):
    assert summary.sheetnames == [LABELS[k] for k in (
        "overview", "by_carrier", "by_shop", "by_zone", "by_agent", "ageing", "trend",
        "rule_tuning", "data_quality")]
    for sheet in ("overview", "by_carrier", "ageing", "trend"):
        assert [type(c).__name__ for c in summary[LABELS[sheet]]._charts] == ["BarChart"], sheet


def test_one_colour_per_tier_in_the_charts(summary):
    for sheet in ("overview", "ageing"):
        (chart,) = summary[LABELS[sheet]]._charts
        fills = [s.graphicalProperties.solidFill.srgbClr for s in chart.series]
        colours = [getattr(f, "val", f) for f in fills]
        assert colours == [TIER_COLOURS[t] for t in ("P1", "P2", "P3")], sheet


def test_overview_says_as_of_what_was_checked_and_the_backlog(summary, anomalies, sample_run):
    figures = _figures(summary)
    assert figures[LABELS["as_of"]] == "2026-11-20 08:00"
    with (SAMPLE / "orders.csv").open(encoding="gbk") as fh:
        next(fh)
        lines = [(i + 3, r["内部订单号"]) for i, r in enumerate(csv.DictReader(fh))
                 if r["内部订单号"] != "合计"]  # spreadsheet rows: title, header, data
    with (sample_run / "rejects.csv").open(encoding="utf-8-sig") as fh:
        rejected = {int(r["row"]) for r in csv.DictReader(fh) if r["file"] == "orders.csv"}
    assert rejected
    # an order is checked when at least one of its lines was accepted
    assert figures[LABELS["orders_checked"]] == len({o for row, o in lines if row not in rejected})
    assert figures[LABELS["anomalies"]] == len(anomalies)
    assert figures[LABELS["p1"]] == sum(a["priority"] == "P1" for a in anomalies)
    unassigned = {a["order_id"] for a in anomalies if not a["agent_id"]}
    assert figures[LABELS["unassigned_backlog"]] == len(unassigned)
    with (SAMPLE / "agents.csv").open(encoding="utf-8") as fh:
        capacity = sum(int(r["capacity"]) for r in csv.DictReader(fh) if r["active"] == "Y")
    assert figures[LABELS["capacity"]] == capacity
    with_anomalies = len({a["order_id"] for a in anomalies})
    assert with_anomalies > capacity  # the sample has more work than agents
    warning = next(k for k in figures if k.startswith("注意"))
    assert f"{with_anomalies} 单" in warning and f"{capacity} 单" in warning


def test_type_table_counts_match_anomalies_csv(sample_run, anomalies):
    table = _frame(sample_run, "overview", skip=11)  # under nine figures and the warning
    assert list(table.columns)[:5] == [LABELS["type"], "P1（条）", "P2（条）", "P3（条）",
                                       "合计（条）"]
    by_label = dict(zip(table[LABELS["type"]], table["合计（条）"]))
    for code, label in TYPE_LABELS["zh"].items():
        assert by_label[label] == sum(a["anomaly_type"] == code for a in anomalies)
    assert (table[["P1（条）", "P2（条）", "P3（条）"]].sum(axis=1) == table["合计（条）"]).all()


def test_rates_against_what_was_checked(sample_run, anomalies, summary):
    carriers = _frame(sample_run, "by_carrier")
    parcels = {}
    for a in anomalies:
        if a["tracking_no"]:
            parcels.setdefault(a["carrier"], set()).add(a["tracking_no"])
    for row in carriers.itertuples(index=False):
        carrier, checked, hit, rate = row[:4]
        if carrier in parcels:
            assert hit == len(parcels[carrier]), carrier
        assert rate == pytest.approx(hit / checked), carrier
    assert carriers["检查包裹（个）"].sum() == _figures(summary)[LABELS["parcels_checked"]]
    shops = _frame(sample_run, "by_shop")
    orders_by_shop = {}
    for a in anomalies:
        orders_by_shop.setdefault(a["shop"], set()).add(a["order_id"])
    for row in shops.itertuples(index=False):
        assert row[2] == len(orders_by_shop.get(row[0], ())) and row[3] == pytest.approx(
            row[2] / row[1])
    assert shops["检查订单（单）"].sum() == _figures(summary)[LABELS["orders_checked"]]
    for sheet in ("by_carrier", "by_shop", "by_zone"):
        assert _frame(sample_run, sheet)["合计（条）"].sum() == len(anomalies), sheet


def test_agents_and_ageing_add_up(sample_run, anomalies):
    agents = _frame(sample_run, "by_agent")
    assert "unassigned" not in set(agents[LABELS["agent"]])
    unassigned = agents[agents[LABELS["agent"]] == LABELS["unassigned"]]
    assert int(unassigned["合计（条）"].iloc[0]) == sum(not a["agent_id"] for a in anomalies)
    ageing = _frame(sample_run, "ageing")
    assert ageing["合计（条）"].sum() == len(anomalies)


def test_chinese_throughout_with_units(summary):
    for ws in summary.worksheets:
        for row in ws.iter_rows(values_only=True):
            for value in row:
                if isinstance(value, str) and ws.title != LABELS["data_quality"]:
                    assert not re.fullmatch(r"[a-z]+(_[a-z]+)+", value), (ws.title, value)
    ws = summary[LABELS["data_quality"]]
    header = [c.value for c in ws[1]]
    assert header == ["文件", "类型", "读取行", "接受行", "被拒行", "空行", "合计行",
                      "留待以后（交回时间晚于截至）"]
    values = [c for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    for name in ("orders.csv", "inventory.csv", "tracking.jsonl", "agents.csv"):
        assert name in values
    assert "两件" in values


def test_the_trend_reads_with_one_run(summary):
    ws = summary[LABELS["trend"]]
    assert ws.max_row == 2  # one run kept: one row of data under the header
    (chart,) = ws._charts
    assert len(chart.series) == len(TYPE_LABELS["zh"])
