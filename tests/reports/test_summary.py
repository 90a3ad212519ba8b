"""summary.xlsx as a team lead opens it: sheets, counts that add up, native charts."""

import csv

import pandas as pd
from openpyxl import load_workbook

from core.labels import SUMMARY_LABELS, TYPE_LABELS

LABELS = SUMMARY_LABELS["zh"]


def test_sheets_and_charts(sample_run):
    wb = load_workbook(sample_run / "summary.xlsx")
    assert wb.sheetnames == [LABELS[k] for k in ("overview", "by_carrier", "by_shop", "by_zone",
                                                 "by_agent", "trend", "data_quality")]
    assert [type(c).__name__ for c in wb[LABELS["overview"]]._charts] == ["BarChart"]
    assert [type(c).__name__ for c in wb[LABELS["by_carrier"]]._charts] == ["BarChart"]
    assert [type(c).__name__ for c in wb[LABELS["trend"]]._charts] == ["LineChart"]


def test_counts_match_anomalies_csv(sample_run):
    with (sample_run / "anomalies.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    overview = pd.read_excel(sample_run / "summary.xlsx", sheet_name=LABELS["overview"],
                             engine="calamine")
    by_label = dict(zip(overview[LABELS["type"]], overview[LABELS["total"]]))
    for code, label in TYPE_LABELS["zh"].items():
        assert by_label[label] == sum(r["anomaly_type"] == code for r in rows)
    assert (overview[["P1", "P2", "P3"]].sum(axis=1) == overview[LABELS["total"]]).all()
    for sheet in ("by_carrier", "by_shop", "by_zone", "by_agent"):
        frame = pd.read_excel(sample_run / "summary.xlsx", sheet_name=LABELS[sheet],
                              engine="calamine")
        assert frame[LABELS["total"]].sum() == len(rows), sheet


def test_data_quality_sheet_lists_every_input_and_the_reject(sample_run):
    ws = load_workbook(sample_run / "summary.xlsx")[LABELS["data_quality"]]
    values = [c for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    for name in ("orders.csv", "inventory.csv", "tracking.jsonl", "agents.csv"):
        assert name in values
    assert "两件" in values
