"""Worklist workbooks as an agent opens them: order, dropdown, panes, filter, safety."""

import pandas as pd
import pytest
from openpyxl import load_workbook

from core.labels import RESULT_CHOICES, WORKLIST_COLUMNS


@pytest.fixture(scope="module")
def workbooks(sample_run):
    return sorted((sample_run / "worklists").glob("*.xlsx"))


def _header(ws):
    return [c.value for c in next(ws.iter_rows(min_row=1, max_row=1))]


def test_one_workbook_per_agent_with_work_and_one_unassigned(workbooks):
    names = [p.stem for p in workbooks]
    assert "unassigned" in names
    assert "kf04" not in names  # inactive in agents.csv
    assert {"kf01", "kf05"} <= set(names)


def test_rows_sorted_by_tier_then_score(workbooks):
    for path in workbooks:
        ws = load_workbook(path)["待办"]
        header = _header(ws)
        rows = [(r[header.index("优先级")], r[header.index("得分")])
                for r in ws.iter_rows(min_row=2, values_only=True)]
        assert rows == sorted(rows, key=lambda r: (r[0], -r[1])), path.name


def test_sheet_setup(workbooks):
    ws = load_workbook(workbooks[0])["待办"]
    header = _header(ws)
    assert header == [zh for _, zh, _, _ in WORKLIST_COLUMNS]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:{ws.cell(1, len(header)).column_letter}{ws.max_row}"
    (dv,) = ws.data_validations.dataValidation
    assert dv.formula1 == '"' + ",".join(RESULT_CHOICES) + '"'
    result_col = ws.cell(1, header.index("处理结果") + 1).column_letter
    assert str(dv.sqref) == f"{result_col}2:{result_col}{ws.max_row}"
    key_col = ws.cell(1, header.index("anomaly_key") + 1).column_letter
    assert ws.column_dimensions[key_col].hidden
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$1:$1"
    assert "说明" in load_workbook(workbooks[0]).sheetnames


def test_personal_data_is_masked(workbooks):
    for path in workbooks:
        ws = load_workbook(path)["待办"]
        header = _header(ws)
        for row in ws.iter_rows(min_row=2, values_only=True):
            phone, name = row[header.index("收货手机")], row[header.index("收货人")]
            assert phone is None or (len(phone) == 11 and phone[3:7] == "****"), phone
            assert name is None or set(name[1:]) == {"*"}, name


def test_formula_text_stays_text(workbooks):
    cells = [c for p in workbooks for row in load_workbook(p)["待办"].iter_rows(min_row=2)
             for c in row if isinstance(c.value, str) and c.value.startswith("=")]
    assert cells, "the sample plants a =HYPERLINK buyer message"
    assert all(c.data_type == "s" for c in cells)


def test_a_second_reader_sees_the_same_values(workbooks):
    for path in workbooks:
        ours = pd.read_excel(path, sheet_name="待办", engine="openpyxl", dtype=str)
        calamine = pd.read_excel(path, sheet_name="待办", engine="calamine", dtype=str)
        pd.testing.assert_frame_equal(ours, calamine, check_dtype=False)


def test_scripts_and_remarks_follow_the_subtype(workbooks):
    from core.registry import RULES

    seen = set()
    for path in workbooks:
        ws = load_workbook(path)["待办"]
        header = _header(ws)
        for row in ws.iter_rows(min_row=2, values_only=True):
            agent = path.stem if path.stem != "unassigned" else "客服ID"
            code = row[header.index("anomaly_key")]
            assert code
            remark = row[header.index("备注模板")]
            assert agent in remark and "2026-11-20" in remark, remark
            seen.add((row[header.index("参考话术")], row[header.index("建议处理")]))
    expected = RULES["DELIVERY_EXCEPTION"].handling_for("REFUSED")
    assert expected["action"] != RULES["DELIVERY_EXCEPTION"].handling["action"]
    assert any(script == expected["script"] and action == expected["action"]
               for script, action in seen)
    assert any(action == RULES["STALLED"].handling["action"] for _, action in seen)
