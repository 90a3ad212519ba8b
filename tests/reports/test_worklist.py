"""Worklist workbooks as an agent opens them at 9 a.m.: the first screen is the work, the lead
problem is the root cause, reasons in plain Chinese, placeholders filled, the seeds' columns."""

import csv
import datetime as dt
import re

import duckdb
import pandas as pd
import pytest
from openpyxl import load_workbook

from core.config import load_config
from core.labels import (FIRST_SCREEN, FLAG_COLOURS, RESULT_CHOICES, SHEET_NAMES,
                         SUBTYPE_LABELS, TYPE_LABELS, WORKLIST_COLUMNS)
from core.registry import RULES
from reports.worklist import write_worklists
from tests.helpers import AS_OF, ROOT

HEADER_ROW = 2
BY_KEY = {c.key: c.zh for c in WORKLIST_COLUMNS}
AGENT_FACING = ("problem", "action", "script", "reason", "other_anomalies", "remark")
CARRIER_CODES = ("shunfeng", "zhongtong", "yuantong", "shentong", "yunda", "jtexpress", "ems",
                 "youzhengguonei", "debangkuaidi")


@pytest.fixture(scope="module")
def workbooks(sample_run):
    return sorted((sample_run / "worklists").glob("*.xlsx"))


@pytest.fixture(scope="module")
def rows(workbooks):
    """Every worklist row as {key: value}, with its workbook's stem under '_file'."""
    found = []
    for path in workbooks:
        ws = load_workbook(path)["待办"]
        header = [c.value for c in ws[HEADER_ROW]]
        keys = [next(c.key for c in WORKLIST_COLUMNS if c.zh == h) for h in header]
        for cells in ws.iter_rows(min_row=HEADER_ROW + 1):
            row = {k: c.value for k, c in zip(keys, cells)}
            row["_file"], row["_cells"] = path.stem, dict(zip(keys, cells))
            found.append(row)
    assert len(found) > 100
    return found


@pytest.fixture(scope="module")
def anomalies(sample_run):
    with (sample_run / "anomalies.csv").open(encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def _hours(text):
    if not text:
        return 0.0
    number, unit = text.split()
    return float(number) * (24 if unit == "天" else 1)


def test_one_workbook_per_agent_with_work_and_one_unassigned(workbooks):
    names = [p.stem for p in workbooks]
    assert "unassigned" in names
    assert "kf04" not in names  # inactive in agents.csv
    assert {"kf01", "kf05"} <= set(names)


def test_the_title_names_the_agent_the_cut_off_and_the_count(workbooks):
    ws = load_workbook(next(p for p in workbooks if p.stem == "kf01"))["待办"]
    n = ws.max_row - HEADER_ROW
    assert ws["A1"].value.startswith("小林（kf01）的待办")  # agents.csv: kf01 is 小林
    assert "数据截至 2026-11-20 08:00" in ws["A1"].value and f"共 {n} 单" in ws["A1"].value
    ws = load_workbook(next(p for p in workbooks if p.stem == "unassigned"))["待办"]
    assert ws["A1"].value.startswith("未分配")


def test_the_first_screen_is_the_work(workbooks):
    ws = load_workbook(workbooks[0])["待办"]
    header = [c.value for c in ws[HEADER_ROW]]
    first = [BY_KEY[k] for k in FIRST_SCREEN]
    assert header[:len(first)] == first
    assert {"优先级", "内部订单号", "问题", "建议处理", "参考话术", "处理结果", "处理备注"} <= set(first)
    widths = [ws.column_dimensions[ws.cell(HEADER_ROW, i + 1).column_letter].width
              for i in range(len(first))]
    assert sum(widths) <= 150
    # frozen below the header and right of the order number, which stays in view
    assert ws.freeze_panes == "C3" and header[1] == "内部订单号"
    assert all(ws.row_dimensions[r].height >= 45 for r in range(HEADER_ROW + 1, ws.max_row + 1))
    assert ws.print_area == f"'待办'!$A$1:${ws.cell(1, len(first)).column_letter}${ws.max_row}"
    assert ws.print_title_rows == "$1:$2" and ws.page_setup.orientation == "landscape"


def test_sheet_setup(workbooks):
    ws = load_workbook(workbooks[0])["待办"]
    header = [c.value for c in ws[HEADER_ROW]]
    assert header == [c.zh for c in WORKLIST_COLUMNS]
    last = ws.cell(HEADER_ROW, len(header)).column_letter
    assert ws.auto_filter.ref == f"A{HEADER_ROW}:{last}{ws.max_row}"
    (dv,) = ws.data_validations.dataValidation
    assert dv.formula1 == '"' + ",".join(RESULT_CHOICES) + '"'
    result_col = ws.cell(HEADER_ROW, header.index("处理结果") + 1).column_letter
    assert str(dv.sqref) == f"{result_col}{HEADER_ROW + 1}:{result_col}{ws.max_row}"
    key_col = ws.cell(HEADER_ROW, header.index("anomaly_key") + 1).column_letter
    assert ws.column_dimensions[key_col].hidden


def test_rows_sorted_by_tier_score_then_how_far_overdue(workbooks, rows):
    for path in workbooks:
        mine = [(r["priority"], -r["score"], -_hours(r["overdue"])) for r in rows
                if r["_file"] == path.stem]
        assert mine == sorted(mine), path.name


def test_the_lead_problem_is_the_root_cause(rows, anomalies):
    by_order = {}
    for a in anomalies:
        by_order.setdefault(a["order_id"], set()).add(a["anomaly_type"])
    checked = 0
    for row in rows:
        types = by_order[row["order_id"]]
        causes = {t for t in types if set(RULES[t].explains) & types}
        if causes:
            lead = row["problem"].split("·")[0]
            assert lead in {TYPE_LABELS["zh"][t] for t in causes}, row["order_id"]
            checked += 1
    assert checked >= 5, "the sample plants orders with a cause and its symptom"


def test_no_backslash_n_in_agent_facing_text(rows):
    texts = [r[k] for r in rows for k in AGENT_FACING if r[k]]
    assert texts and not [t for t in texts if "\\n" in t]


def test_other_problems_are_one_a_line_below_the_root_cause(tmp_path):
    """One order, two parcels: an SF number stated as 中通 (wrong number, and not picked up)
    and a 中通 parcel not picked up: the wrong number leads, the two others are two lines."""
    from core.config import load_config
    from flows import pipeline
    from tests.helpers import hours_before, order

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    line = order("O1", shipped_at=hours_before(40), tracking_no="SF1385628716739,73100000000001")
    with (inbox / "orders.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(line))
        writer.writeheader()
        writer.writerow(line)
    paths = pipeline.RunPaths(inbox=inbox, out=tmp_path / "out", state=tmp_path / "s.duckdb",
                              as_of=AS_OF)
    folder = pipeline.run_pipeline(paths, load_config())
    ws = load_workbook(folder / "worklists" / "unassigned.xlsx")["待办"]
    header = [c.value for c in ws[HEADER_ROW]]
    (row,) = ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True)
    assert row[header.index("问题")] == "单号异常·单号与快递公司不符"
    others = row[header.index("其他异常")].split("\n")
    assert len(others) == 2 and all(o.startswith("揽收超时/无任何轨迹：") for o in others)


def test_agent_facing_text_has_no_code_names(rows):
    codes = set(RULES) | {s.code for rule in RULES.values() for s in rule.subtypes}
    for row in rows:
        for key in AGENT_FACING:
            text = row[key] or ""
            assert not re.search(r"README|\.csv|\.md\b|[a-z]+_[a-z_]+|%", text), (key, text)
            assert not any(code in text for code in CARRIER_CODES), (key, text)
            assert not any(re.search(rf"\b{c}\b", text) for c in codes), (key, text)


def test_reasons_count_days_past_48_hours(rows):
    durations = [m for r in rows for m in re.findall(r"([\d.]+) (小时|天)", r["reason"] or "")]
    assert durations
    for number, unit in durations:
        assert (unit == "天" and float(number) * 24 > 47.9) or \
            (unit == "小时" and float(number) <= 48), (number, unit)


def test_score_parts_have_their_own_column(rows):
    for row in rows:
        assert "得分" not in (row["reason"] or "")
        total, *parts = re.findall(r"[\d.]+", row["score_parts"])
        assert float(total) == pytest.approx(min(100, sum(map(float, parts))), abs=0.3)
        assert float(total) == row["score"]


def test_what_the_run_knows_is_filled_in(rows):
    agent_rows = [r for r in rows if r["_file"] != "unassigned"]
    assert all(r["_file"] in r["remark"] and "2026-11-20" in r["remark"] for r in agent_rows)
    assert not any("客服ID" in (r["remark"] or "") for r in agent_rows)
    pickup = re.compile(r"丰巢|驿站|快递柜|门卫|代收点")
    named = [r for r in rows if pickup.search(r["latest_event"] or "")
             and r["problem"].split("·")[0] in ("代签提醒", "派送异常")]
    assert named, "the sample plants locker and proxy signatures"
    for row in named:
        assert "【驿站/快递柜】" not in row["script"] and "【代收点】" not in row["script"], row
    refused = [r for r in rows if r["problem"] == "派送异常·拒收"]
    assert refused and all("【原因】" not in r["script"] for r in refused)


def test_restock_date_is_filled_when_the_stock_export_has_it(rows):
    with (ROOT / "sample_data" / "inventory.csv").open(encoding="utf-8-sig") as fh:
        eta = {r["商品编码"]: r["预计到货日期"] for r in csv.DictReader(fh) if r["预计到货日期"]}
    stock_outs = [r for r in rows if r["problem"].startswith("缺货")]
    with_eta = [r for r in stock_outs if any(f"（{sku}）" in r["products"] for sku in eta)]
    assert with_eta
    for row in with_eta:
        assert "【到货日期】" not in row["script"] and "月" in row["script"], row["script"]


def test_the_seeds_columns(rows):
    with (ROOT / "sample_data" / "orders.csv").open(encoding="gbk") as fh:
        next(fh)  # the export's title row
        orders = {r["内部订单号"]: r for r in csv.DictReader(fh)}
    for row in rows:
        order = orders[row["order_id"]]
        assert (row["seller_remark"] or "") == order["卖家备注"]
        assert (row["erp_flag"] or "") == order["旗帜"]
        assert order["商品名称"] in row["products"]
        assert row["next_follow_up"] == AS_OF + dt.timedelta(hours=24)
        assert row["new_tracking_no"] in (None, "")
        cells = row["_cells"]
        if row["lookup"]:
            link = cells["lookup"].hyperlink.target
            assert link.startswith("https://www.kuaidi100.com/chaxun?") and row["lookup"] in link
            assert cells["lookup"].data_type == "s"
        for key in ("flag", "erp_flag"):
            if row[key]:
                assert cells[key].fill.fgColor.rgb.endswith(FLAG_COLOURS[row[key]])
    assert any(r["lookup"] for r in rows) and any(r["seller_remark"] for r in rows)


def test_remark_template_follows_the_action(rows):
    for row in rows:
        code, sub = row["problem"].split("·")
        rule = next(r for c, r in RULES.items() if TYPE_LABELS["zh"][c] == code)
        subtype = next(s.code for s in rule.subtypes if SUBTYPE_LABELS["zh"][s.code] == sub)
        template = rule.handling_for(subtype)["remark"]
        assert row["remark"].split(" ")[0] == template.split(" ")[0], row["order_id"]
    refused = [r for r in rows if r["problem"] == "派送异常·拒收"]
    assert refused and all(not r["remark"].startswith("已催件") for r in refused)


def test_help_sheet_is_written_for_agents(workbooks):
    ws = load_workbook(workbooks[0])["说明"]
    text = [c for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert all(choice in text for choice in RESULT_CHOICES)
    assert not [t for t in text if re.fullmatch(r"[a-z]+(_[a-z]+)+", t)]
    assert any("feedback" in t for t in text)


def test_personal_data_is_masked(rows):
    for row in rows:
        phone, name = row["phone"], row["receiver"]
        assert phone is None or (len(phone) == 11 and phone[3:7] == "****"), phone
        assert name is None or set(name[1:]) == {"*"}, name


def test_formula_text_stays_text(rows):
    cells = [c for r in rows for c in r["_cells"].values()
             if isinstance(c.value, str) and c.value.startswith("=")]
    assert cells, "the sample plants a =HYPERLINK buyer message"
    assert all(c.data_type == "s" for c in cells)


def test_a_second_reader_sees_the_same_values(workbooks):
    for path in workbooks:
        ours = pd.read_excel(path, sheet_name="待办", engine="openpyxl", dtype=str, header=1)
        calamine = pd.read_excel(path, sheet_name="待办", engine="calamine", dtype=str,
                                 header=1)
        pd.testing.assert_frame_equal(ours, calamine, check_dtype=False)


def test_scripts_and_actions_follow_the_subtype(rows):
    seen = {(r["script"], r["action"]) for r in rows}
    expected = RULES["DELIVERY_EXCEPTION"].handling_for("REFUSED")
    assert expected["action"] != RULES["DELIVERY_EXCEPTION"].handling["action"]
    assert any(action == expected["action"] for _, action in seen)
    assert any(action == RULES["STALLED"].handling["action"] for _, action in seen)


def test_unassigned_keeps_the_most_urgent_rows_up_to_its_cap(tmp_path):
    # a list longer than the cap keeps its top rows in the worklist order: tier, score, how
    # far overdue, amount, order id; the agents' lists are never cut
    con = duckdb.connect()
    con.execute("create table anomalies as select timestamp '2026-11-20 08:00' as as_of")
    con.execute("create table agents (agent_id varchar, name varchar)")
    con.execute("""
        create table worklist_rows as
        select case when i % 7 = 0 then 'kf01' end as agent_id,
               'P' || (1 + i % 3) as priority, (i * 37 % 100)::double as score,
               (i % 5)::double as overdue_hours, (i % 4 * 10)::double as amount,
               'O' || lpad(i::varchar, 4, '0') as order_id
        from range(60) r(i)
    """)
    write_worklists(con, tmp_path, ["kf01"], unassigned_max_rows=10)
    order = ("priority, score desc, overdue_hours desc nulls last, amount desc nulls last, "
             "order_id")
    expected = [r[0] for r in con.execute(
        f"select order_id from worklist_rows where agent_id is null order by {order} limit 10"
    ).fetchall()]
    assigned = con.execute("select count(*) from worklist_rows where agent_id = 'kf01'"
                           ).fetchone()[0]
    con.close()

    def order_ids(name):
        ws = load_workbook(tmp_path / name)[SHEET_NAMES["zh"]["worklist"]]
        column = [c.zh for c in WORKLIST_COLUMNS].index("内部订单号")
        return [r[column] for r in ws.iter_rows(min_row=3, values_only=True)]

    assert order_ids("unassigned.xlsx") == expected
    assert len(order_ids("kf01.xlsx")) == assigned > 0


def test_a_cap_on_unassigned_rows_leaves_every_shown_row_as_it_was(sample_run, tmp_path):
    # worklist_rows builds only the rows the workbooks show: with a smaller cap, the agents'
    # workbooks are unchanged and the unassigned one is the first rows of the uncapped one
    from flows import pipeline

    config = load_config(ROOT / "sample_data" / "logiwatch.toml",
                         {"worklist": {"unassigned_max_rows": 3}})
    paths = pipeline.RunPaths(inbox=ROOT / "sample_data", out=tmp_path,
                              state=tmp_path / "state.duckdb", as_of=AS_OF)
    capped = pipeline.run_pipeline(paths, config)

    def values(folder, name):
        ws = load_workbook(folder / "worklists" / name)[SHEET_NAMES["zh"]["worklist"]]
        return [r for r in ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True)]

    names = sorted(p.name for p in (sample_run / "worklists").glob("*.xlsx"))
    assert names == sorted(p.name for p in (capped / "worklists").glob("*.xlsx"))
    full = values(sample_run, "unassigned.xlsx")
    assert len(full) > 3 and values(capped, "unassigned.xlsx") == full[:3]
    for name in names:
        if name != "unassigned.xlsx":
            assert values(capped, name) == values(sample_run, name), name
