"""What agents hand back changes the next runs: each transition at its edges, numbers agents
corrected, history, rule-tuning figures, bad hand-backs, and backfills equal to nightly runs."""

import csv
import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from core.config import load_config
from flows import pipeline
from tests.helpers import AS_OF, ROOT, hours_before, order

SAMPLE = ROOT / "sample_data"
HEADER_ROW = 2
TZ = dt.timezone(dt.timedelta(hours=8))  # Asia/Shanghai, the configured timezone
DAY1, DAY2, DAY3 = (AS_OF + dt.timedelta(days=d) for d in (0, 1, 2))


class Shop:
    """An inbox, its output folder and state, run day after day like the nightly job."""

    def __init__(self, tmp_path: Path, inbox: Path, config=None):
        self.inbox, self.out = inbox, tmp_path / "out"
        self.config = config or load_config()

    def run(self, as_of: dt.datetime) -> Path:
        paths = pipeline.RunPaths(inbox=self.inbox, out=self.out,
                                  state=self.out / "state.duckdb", as_of=as_of)
        return pipeline.run_pipeline(paths, self.config)

    def hand_back(self, folder: Path, marks: dict[int, dict], saved_at: dt.datetime,
                  name: str = "unassigned.xlsx") -> dict[int, str]:
        """Fill rows of a worklist (row number → {header: value}), save it into the inbox's
        feedback folder with the given modification time; returns row → anomaly_key."""
        wb = load_workbook(folder / "worklists" / name)
        ws = wb.worksheets[0]
        header = [c.value for c in ws[HEADER_ROW]]
        keys = {}
        for row, values in marks.items():
            for title, value in values.items():
                ws.cell(row, header.index(title) + 1).value = value
            keys[row] = ws.cell(row, header.index("anomaly_key") + 1).value
        target = self.inbox / "feedback" / name
        target.parent.mkdir(exist_ok=True)
        wb.save(target)
        stamp = saved_at.replace(tzinfo=TZ).timestamp()
        os.utime(target, (stamp, stamp))
        return keys


def rows_of(folder: Path) -> dict[str, dict]:
    with (folder / "anomalies.csv").open(encoding="utf-8-sig") as fh:
        return {r["anomaly_key"]: r for r in csv.DictReader(fh)}


def listed(folder: Path) -> set[str]:
    """The anomaly keys of every worklist row of a run."""
    keys = set()
    for path in (folder / "worklists").glob("*.xlsx"):
        ws = load_workbook(path).worksheets[0]
        header = [c.value for c in ws[HEADER_ROW]]
        keys |= {r[header.index("anomaly_key")]
                 for r in ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True)}
    return keys


def tiny_inbox(tmp_path: Path, lines: list[dict], events: list[dict] = ()) -> Path:
    """An inbox with orders (generic headers) and flat tracking events, no agents."""
    inbox = tmp_path / "inbox"
    inbox.mkdir(exist_ok=True)
    with (inbox / "orders.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(lines[0]))
        writer.writeheader()
        writer.writerows(lines)
    with (inbox / "tracking.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["快递单号", "快递公司", "时间", "状态码", "轨迹"])
        writer.writeheader()
        writer.writerows(events)
    return inbox


def unpicked_shop(tmp_path):
    """One 中通 parcel shipped 40 h before DAY1 with no scan: UNPICKED every day."""
    return Shop(tmp_path, tiny_inbox(tmp_path, [order("O1", shipped_at=hours_before(40))]))


@pytest.mark.parametrize("minutes, shown", [(-1, False), (0, True), (1, True)])
def test_a_contact_is_held_back_until_recontact_after(tmp_path, minutes, shown):
    shop = unpicked_shop(tmp_path)
    day1 = shop.run(DAY1)
    handled = DAY2 - dt.timedelta(hours=24, minutes=minutes)
    # dated by its 处理时间 cell: 24 h before DAY2, give or take a minute
    (key,) = shop.hand_back(day1, {3: {"处理结果": "已催件", "处理时间": handled}},
                            saved_at=DAY1 + dt.timedelta(hours=4)).values()
    day2 = shop.run(DAY2)
    assert (key in listed(day2)) is shown
    assert (key in rows_of(day2)) is shown
    if shown:
        reason = rows_of(day2)[key]["reason"]
        assert f"{handled:%m-%d} 已催件，仍未解决，再次跟进" in reason
        repeat = load_config().priority.weight_repeat
        assert float(rows_of(day2)[key]["score"]) > float(rows_of(day1)[key]["score"]) + repeat - 1


def test_a_false_positive_stays_hidden_while_the_facts_are_unchanged(tmp_path):
    shop = unpicked_shop(tmp_path)
    day1 = shop.run(DAY1)
    (key,) = shop.hand_back(day1, {3: {"处理结果": "误报"}},
                            saved_at=DAY1 + dt.timedelta(hours=4)).values()
    for day in (DAY2, DAY3):
        folder = shop.run(day)
        assert key not in listed(folder) and key not in rows_of(folder)


def test_new_facts_after_a_false_positive_raise_it_again_saying_so(tmp_path):
    shop = unpicked_shop(tmp_path)
    day1 = shop.run(DAY1)
    (key,) = shop.hand_back(day1, {3: {"处理结果": "误报"}},
                            saved_at=DAY1 + dt.timedelta(hours=4)).values()
    # a new scan: the waybill was created, still no pickup (UNPICKED / WAITING_PICKUP)
    with (shop.inbox / "tracking.csv").open("a", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerow(["73100000000001", "zhongtong",
                                 (DAY1 + dt.timedelta(hours=6)).strftime("%Y-%m-%d %H:%M:%S"),
                                 "102", "已下单，等待揽收"])
    day2 = shop.run(DAY2)
    assert key in listed(day2)
    assert "标为误报，之后有了新情况" in rows_of(day2)[key]["reason"]


@pytest.mark.parametrize("hours_after, shown", [(47.9, False), (48.1, True)])
def test_a_resolution_that_did_not_hold_reopens_after_the_grace_period(tmp_path, hours_after,
                                                                      shown):
    shop = unpicked_shop(tmp_path)
    day1 = shop.run(DAY1)
    handled = DAY2 - dt.timedelta(hours=hours_after)
    (key,) = shop.hand_back(day1, {3: {"处理结果": "已补发", "处理时间": handled}},
                            saved_at=DAY1 - dt.timedelta(hours=1)).values()
    day2 = shop.run(DAY2)
    assert (key in listed(day2)) is shown
    if shown:
        assert "已处理（已补发），但问题仍在，重新打开" in rows_of(day2)[key]["reason"]


def test_a_corrected_number_is_tracked_from_then_on(tmp_path):
    """An SF number typed under 中通: the agent corrects it (已改单号, 新单号)."""
    shop = Shop(tmp_path, tiny_inbox(tmp_path, [order("O1", shipped_at=hours_before(40),
                                                      tracking_no="SF1385628716739")]))
    day1 = shop.run(DAY1)
    assert {r["subtype"] for r in rows_of(day1).values()} >= {"CARRIER_MISMATCH"}
    shop.hand_back(day1, {3: {"处理结果": "已改单号", "新单号": "73100000000009"}},
                   saved_at=DAY1 + dt.timedelta(hours=2))
    day2 = shop.run(DAY2)
    found = rows_of(day2).values()
    assert {r["tracking_no"] for r in found} == {"73100000000009"}
    assert "CARRIER_MISMATCH" not in {r["subtype"] for r in found}
    with (day2 / "warnings.csv").open(encoding="utf-8-sig") as fh:
        warnings = [w for w in csv.DictReader(fh) if w["kind"] == "tracking_no_corrected"]
    assert warnings and "73100000000009" in warnings[0]["message"]
    ws = load_workbook(day2 / "worklists" / "unassigned.xlsx").worksheets[0]
    header = [c.value for c in ws[HEADER_ROW]]
    (row,) = ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True)
    assert "已改单号 → 73100000000009" in row[header.index("上次处理")]
    assert row[header.index("快递单号")] == "73100000000009"


def test_history_prints_an_orders_problems_and_actions(tmp_path):
    shop = unpicked_shop(tmp_path)
    day1 = shop.run(DAY1)
    shop.hand_back(day1, {3: {"处理结果": "已催件", "处理备注": "快递群已催"}},
                   saved_at=DAY1 + dt.timedelta(hours=4))
    shop.run(DAY2)
    logiwatch = Path(sys.executable).parent / "logiwatch"
    result = subprocess.run([str(logiwatch), "history", "O1", "--out", str(shop.out)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "order O1: 1 problems, 1 actions"
    assert "UNPICKED/NO_TRACE 73100000000001" in lines[1] and "in 2 runs" in lines[1]
    assert "now 处理中（暂不列出）" in lines[1]
    assert lines[2] == (f"  {DAY1 + dt.timedelta(hours=4):%Y-%m-%d %H:%M} unassigned 已催件 "
                        "快递群已催 (unassigned.xlsx, row 3)")
    missing = subprocess.run([str(logiwatch), "history", "O9", "--out", str(shop.out)],
                             capture_output=True, text=True)
    assert missing.returncode == 2
    assert missing.stderr.strip() == (f"error: {shop.out / 'state.duckdb'}: order O9 is in no "
                                      "run of this state file")


def test_rule_tuning_figures(tmp_path):
    lines = [order(f"O{i}", shipped_at=hours_before(40), tracking_no=f"7310000000000{i}")
             for i in range(1, 5)]
    shop = Shop(tmp_path, tiny_inbox(tmp_path, lines))
    day1 = shop.run(DAY1)
    shop.hand_back(day1, {3: {"处理结果": "误报"}, 4: {"处理结果": "已解决"},
                          5: {"处理结果": "已催件"}}, saved_at=DAY1 + dt.timedelta(hours=6))
    day2 = shop.run(DAY2)
    ws = load_workbook(day2 / "summary.xlsx")["规则调优"]
    header = [c.value for c in ws[2]]
    (row,) = [dict(zip(header, r)) for r in ws.iter_rows(min_row=3, values_only=True)]
    assert (row["异常类型"], row["细分"]) == ("揽收超时", "无任何轨迹")
    assert row["发现（个问题）"] == 4 and row["已处理（个）"] == 3 and row["误报（个）"] == 1
    assert row["误报率"] == pytest.approx(1 / 3) and row["解决率"] == pytest.approx(1 / 4)
    assert row["解决用时中位数（小时）"] == 6.0  # first seen DAY1, resolved DAY1 + 6 h


def test_bad_hand_backs_are_rejects_and_the_rest_is_used(tmp_path):
    shop = unpicked_shop(tmp_path)
    day1 = shop.run(DAY1)
    keys = shop.hand_back(day1, {3: {"处理结果": "已催件"}},
                          saved_at=DAY1 + dt.timedelta(hours=4))
    feedback = shop.inbox / "feedback"
    # edited headers: not readable as a worklist
    wb = load_workbook(feedback / "unassigned.xlsx")
    wb.worksheets[0].cell(HEADER_ROW, 6).value = "结果"
    wb.save(feedback / "edited.xlsx")
    # an unknown result and a key no run listed
    wb = load_workbook(feedback / "unassigned.xlsx")
    ws = wb.worksheets[0]
    ws.append([None] * 50)
    header = [c.value for c in ws[HEADER_ROW]]
    ws.cell(3, header.index("处理结果") + 1).value = "催了"
    ws.cell(4, header.index("处理结果") + 1).value = "已解决"
    ws.cell(4, header.index("anomaly_key") + 1).value = "0000000000000000"
    wb.save(feedback / "typos.xlsx")
    # the older layout: header in row 1, no 新单号 / 处理时间 columns
    old = load_workbook(feedback / "unassigned.xlsx")
    ws = old.worksheets[0]
    ws.delete_rows(1)
    old.save(feedback / "older.xlsx")
    for name in ("edited.xlsx", "typos.xlsx", "older.xlsx"):
        stamp = (DAY1 + dt.timedelta(hours=5)).replace(tzinfo=TZ).timestamp()
        os.utime(feedback / name, (stamp, stamp))
    day2 = shop.run(DAY2)
    with (day2 / "rejects.csv").open(encoding="utf-8-sig") as fh:
        rejects = {(r["file"], r["row"], r["column"]): r["reason"] for r in csv.DictReader(fh)}
    assert ("edited.xlsx", "1", "处理结果") in rejects or \
        any(f == "edited.xlsx" for f, _, _ in rejects)
    assert ("typos.xlsx", "3", "处理结果") in rejects
    assert ("typos.xlsx", "4", "anomaly_key") in rejects
    assert "no run listed this problem" in rejects[("typos.xlsx", "4", "anomaly_key")]
    # the good rows were used: the chased problem is held back today
    assert keys[3] not in listed(day2)


def test_a_backfill_over_days_with_hand_backs_equals_the_nightly_runs(tmp_path):
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLE, inbox, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    nightly = Shop(tmp_path / "nightly", inbox, load_config(SAMPLE / "logiwatch.toml"))
    first = nightly.run(DAY1 - dt.timedelta(days=2))
    nightly.hand_back(first, {3: {"处理结果": "已催件"}, 4: {"处理结果": "误报"},
                              5: {"处理结果": "已解决"}},
                      saved_at=DAY1 - dt.timedelta(days=2, hours=-3), name="kf01.xlsx")
    days = [DAY1 - dt.timedelta(days=1), DAY1]
    nights = [first] + [nightly.run(d) for d in days]
    backfill = Shop(tmp_path / "backfill", inbox, nightly.config)
    replayed = [backfill.run(d) for d in [DAY1 - dt.timedelta(days=2), *days]]
    for night, again in zip(nights, replayed):
        assert (night / "anomalies.csv").read_bytes() == (again / "anomalies.csv").read_bytes()
        assert listed(night) == listed(again)
