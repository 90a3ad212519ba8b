"""English workbooks, and how work is spread over agents from run to run."""

import csv
import shutil

import pandas as pd
from openpyxl import load_workbook

from flows import pipeline
from core.labels import TYPE_LABELS, WORKLIST_COLUMNS
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
    header = [c.value for c in wb["Worklist"][1]]
    assert header == [en for _, _, en, _ in WORKLIST_COLUMNS]
    types = {r[header.index("Anomaly")] for r in wb["Worklist"].iter_rows(min_row=2,
                                                                          values_only=True)}
    assert types <= set(TYPE_LABELS["en"].values())
    assert "Overview" in load_workbook(folder / "summary.xlsx").sheetnames


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
