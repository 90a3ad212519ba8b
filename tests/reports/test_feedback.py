"""Worklists handed back: validated like any export, remembered, and a repeat ranks higher."""

import csv
import datetime as dt
import os
import shutil

from openpyxl import load_workbook

from flows import pipeline
from core.config import load_config
from tests.helpers import AS_OF, ROOT

SAMPLE = ROOT / "sample_data"


def _run(tmp_path, inbox, as_of):
    config = load_config(SAMPLE / "logiwatch.toml")
    paths = pipeline.RunPaths(inbox=inbox, out=tmp_path / "out", state=tmp_path / "s.duckdb",
                              as_of=as_of)
    return pipeline.run_pipeline(paths, config)


def _saved_at(path, when):
    """Date a handed-back file (its modification time, Asia/Shanghai local time)."""
    stamp = when.replace(tzinfo=dt.timezone(dt.timedelta(hours=8))).timestamp()
    os.utime(path, (stamp, stamp))


def _rows(folder):
    with (folder / "anomalies.csv").open(encoding="utf-8-sig") as fh:
        return {r["anomaly_key"]: r for r in csv.DictReader(fh)}


def test_contacted_problem_still_open_ranks_higher_and_says_why(tmp_path):
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLE, inbox, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    day_before = AS_OF.replace(day=19)
    # the problems still open two days later (a scratch run): the chased one is one of them
    still_open = set(_rows(_run(tmp_path / "scratch", inbox, AS_OF.replace(day=21))))
    first = _run(tmp_path, inbox, day_before)
    # kf01 works the list: one row chased, one a typo in the result, the rest untouched
    wb = load_workbook(first / "worklists" / "kf01.xlsx")
    ws = wb["待办"]
    header = [c.value for c in ws[2]]  # row 1 is the title
    result, key = header.index("处理结果") + 1, header.index("anomaly_key") + 1
    row = next(r for r in range(3, ws.max_row + 1) if ws.cell(r, key).value in still_open)
    typo = 3 if row != 3 else 4
    ws.cell(row, result).value = "已催件"
    ws.cell(typo, result).value = "催了"
    chased = ws.cell(row, key).value
    (inbox / "feedback").mkdir()
    wb.save(inbox / "feedback" / "kf01.xlsx")
    _saved_at(inbox / "feedback" / "kf01.xlsx", day_before + dt.timedelta(hours=3))

    # 21 hours after the contact (recontact_after 24 h): held back, the typo is a reject
    second = _run(tmp_path, inbox, AS_OF)
    assert chased not in _rows(second) and chased in _rows(first)
    with (second / "rejects.csv").open(encoding="utf-8-sig") as fh:
        rejects = list(csv.DictReader(fh))
    assert [(r["file"], r["row"], r["column"], r["value"]) for r in rejects
            if r["file"] == "kf01.xlsx"] == [("kf01.xlsx", str(typo), "处理结果", "催了")]

    # the day after, still open: listed again, higher, saying what was done and when,
    # remembered although the file is gone
    (inbox / "feedback" / "kf01.xlsx").unlink()
    third = _run(tmp_path, inbox, AS_OF.replace(day=21))
    before, after = _rows(first)[chased], _rows(third)[chased]
    assert "11-19 已催件，仍未解决，再次跟进" in after["reason"]
    others = [k for k in _rows(third) if k in _rows(first) and k != chased]
    assert all("仍未解决" not in _rows(third)[k]["reason"] for k in others)
    assert float(after["score"]) > float(before["score"])
