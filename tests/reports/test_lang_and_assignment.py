"""English workbooks, and how work is spread over agents from run to run."""

import csv
import datetime as dt
import os
import re
import shutil

import pandas as pd
from openpyxl import load_workbook

from flows import pipeline
from core.labels import RESULT_CHOICES_EN, SUBTYPE_LABELS, TYPE_LABELS, WORKLIST_COLUMNS
from core.registry import RULES
from core.config import load_config
from tests.helpers import AS_OF, ROOT

SAMPLE = ROOT / "sample_data"


def _run(tmp_path, inbox=SAMPLE, as_of=AS_OF, **overrides):
    config = load_config(SAMPLE / "logiwatch.toml", overrides or None)
    paths = pipeline.RunPaths(inbox=inbox, out=tmp_path / "out", state=tmp_path / "s.duckdb",
                              as_of=as_of)
    return pipeline.run_pipeline(paths, config)


def _assignments(folder):
    with (folder / "anomalies.csv").open(encoding="utf-8-sig") as fh:
        return {r["order_id"]: r["agent_id"] for r in csv.DictReader(fh)}


def test_english_workbooks(tmp_path):
    folder = _run(tmp_path, worklist={"lang": "en"})
    wb = load_workbook(next((folder / "worklists").glob("kf*.xlsx")))
    assert wb.sheetnames == ["Worklist", "Help"]
    ws = wb["Worklist"]
    assert ws["A1"].value.startswith("Worklist of ")
    header = [c.value for c in ws[2]]
    assert header == [c.en for c in WORKLIST_COLUMNS]
    for i, title in enumerate(header, start=1):  # no header is cut ("Priorit")
        width = ws.column_dimensions[ws.cell(2, i).column_letter].width
        assert width >= max(len(word) for word in title.split()) + 1, title
    (dv,) = ws.data_validations.dataValidation
    assert dv.formula1 == '"' + ",".join(RESULT_CHOICES_EN) + '"'
    rows = [dict(zip(header, r)) for r in ws.iter_rows(min_row=3, values_only=True)]
    english = {f"{TYPE_LABELS['en'][t]} · {SUBTYPE_LABELS['en'][s.code]}"
               for t, rule in RULES.items() for s in rule.subtypes}
    assert rows and all(r["Problem"] in english for r in rows)
    for r in rows:  # reasons and actions are English sentences (data such as names aside)
        assert r["What to do"].isascii() and re.match(r"[A-Z]", r["Why"]), r
        assert r["Result"] == "Not done"
    help_text = [c for row in wb["Help"].iter_rows(values_only=True) for c in row
                 if isinstance(c, str)]
    assert all(choice in help_text for choice in RESULT_CHOICES_EN)
    assert not [t for t in help_text if re.search(r"[\u4e00-\u9fff]", t)
                and t not in header and "【】" not in t]
    summary = load_workbook(folder / "summary.xlsx")
    assert summary.sheetnames[0] == "Overview"
    assert "Unassigned" in [r[0] for r in summary["By agent"].iter_rows(values_only=True)]


def test_an_english_hand_back_reads_as_the_chinese_result(tmp_path):
    first = _run(tmp_path, as_of=AS_OF.replace(day=19), worklist={"lang": "en"})
    wb = load_workbook(first / "worklists" / "kf01.xlsx")
    ws = wb["Worklist"]
    header = [c.value for c in ws[2]]
    ws.cell(3, header.index("Result") + 1).value = "Chased courier"
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLE, inbox, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    (inbox / "feedback").mkdir()
    wb.save(inbox / "feedback" / "kf01.xlsx")
    # handed back at 07:00 on the 19th: a contact 25 h before the 20th's run, so listed again
    stamp = dt.datetime(2026, 11, 19, 7, tzinfo=dt.timezone(dt.timedelta(hours=8))).timestamp()
    os.utime(inbox / "feedback" / "kf01.xlsx", (stamp, stamp))
    second = _run(tmp_path, inbox=inbox)
    with (second / "rejects.csv").open(encoding="utf-8-sig") as fh:
        assert not [r for r in csv.DictReader(fh) if r["file"] == "kf01.xlsx"]
    key = ws.cell(3, header.index("anomaly_key") + 1).value
    with (second / "anomalies.csv").open(encoding="utf-8-sig") as fh:
        rows = {r["anomaly_key"]: r for r in csv.DictReader(fh)}
    assert key in rows and "已催件，仍未解决" in rows[key]["reason"]


def test_capacity_is_respected_and_overflow_is_unassigned(sample_run):
    assigned = _assignments(sample_run)
    with (SAMPLE / "agents.csv").open(encoding="utf-8") as fh:
        roster = {r["agent_id"]: r for r in csv.DictReader(fh)}
    per_agent = pd.Series([a for a in assigned.values() if a]).value_counts().to_dict()
    for agent, n in per_agent.items():
        assert roster[agent]["active"] == "Y"
        assert n <= int(roster[agent]["capacity"]), agent
    unassigned = [o for o, a in assigned.items() if not a]
    assert unassigned, "the sample has more work than capacity"
    # the work kept by agents outranks the overflow within each team
    with (sample_run / "anomalies.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    best = {}
    for r in rows:
        key = (r["priority"], -float(r["score"]))
        best[r["order_id"]] = min(best.get(r["order_id"], key), key)
    split = {}
    for team in {r["team"] for r in rows}:
        orders = {r["order_id"] for r in rows if r["team"] == team}
        split[team] = ([best[o] for o in orders if assigned[o]],
                       [best[o] for o in orders if not assigned[o]])
    overflowing = {team: parts for team, parts in split.items() if all(parts)}
    assert overflowing, "the sample has a team with both kept and overflow work"
    for team, (kept, over) in overflowing.items():
        assert max(kept) <= min(over), team


def test_an_open_problem_stays_with_its_agent(tmp_path):
    first = _assignments(_run(tmp_path, as_of=AS_OF.replace(day=19)))
    second = _assignments(_run(tmp_path))
    carried = {o for o in first if first[o] and o in second}
    assert carried
    moved = {o for o in carried if second[o] != first[o]}
    assert not moved


def test_an_inactive_agent_gets_no_work_and_work_moves(tmp_path):
    before = _assignments(_run(tmp_path, as_of=AS_OF.replace(day=19)))
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLE, inbox, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    text = (inbox / "agents.csv").read_text(encoding="utf-8").replace("kf01,小林,售中,30,Y",
                                                                      "kf01,小林,售中,30,N")
    (inbox / "agents.csv").write_text(text, encoding="utf-8")
    after = _assignments(_run(tmp_path, inbox=inbox))
    assert "kf01" in before.values()
    assert "kf01" not in after.values()
