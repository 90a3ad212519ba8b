"""One worklist workbook per agent (and one for unassigned orders), laid out for the work.

Row 1 says whose list it is and for which cut-off; row 2 is the header; one row per order
follows, sorted by tier, score, how far overdue and amount (from `worklist_rows`). The first
screen is the work (priority, order, problem, what to do and say, the result and note the
agent fills); the facts follow to the right. Panes are frozen at the order number, rows are
tall enough for wrapped text, the parcel look-up is a cell hyperlink (never a formula), flag
cells carry their colour, and printing shows the first screen.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from core.labels import (FIRST_SCREEN, FLAG_COLOURS, HIDDEN_COLUMNS, RESULT_CHOICES,
                         RESULT_CHOICES_EN, SHEET_NAMES, SUBTYPE_LABELS, TIER_COLOURS,
                         TYPE_LABELS, UNASSIGNED, WORKLIST_COLUMNS)
from reports.excel import display_width
from core.registry import RULES
from reports.excel import cell, header_cells, safe_file_stem

TIER_FILLS = {tier: PatternFill("solid", fgColor=colour) for tier, colour in TIER_COLOURS.items()}
FLAG_FILLS = {flag: PatternFill("solid", fgColor=colour) for flag, colour in FLAG_COLOURS.items()}
WRAPPED = {"problem", "action", "script", "reason", "other_anomalies", "remark", "seller_remark",
           "products", "latest_event", "buyer_message", "note", "score_parts"}
NUMBER_FORMATS = {"amount": "0.00", "score": "0.0", "elapsed_hours": "0.0",
                  "threshold_hours": "0.#", "days_open": "0"}
LINK_FONT = Font(color="0563C1", underline="single")
PRIORITY_FONT = Font(bold=True)
TITLE_FONT = Font(bold=True, size=13)
ROW_HEIGHT = 64  # points: four lines of wrapped text
HEADER_ROW = 2


def _value_cell(ws, key: str, row: dict):
    value = row.get(key)
    if value is None:
        # nothing to show: no cell at all, which looks the same (the columns agents fill
        # hold "", so they keep their cells and styles)
        return None
    link = row.get("lookup_url") if key == "lookup" else None
    fill = font = None
    if key == "priority":
        fill, font = TIER_FILLS.get(value), PRIORITY_FONT
    elif key in ("flag", "erp_flag"):
        fill = FLAG_FILLS.get(value)
    elif link:
        font = LINK_FONT
    c = cell(ws, value, wrap=key in WRAPPED, number_format=NUMBER_FORMATS.get(key), fill=fill,
             font=font)
    if link:
        c.hyperlink = link
    return c


def write_worklist(rows: list[dict], path: Path, lang: str = "zh", title: str = "") -> None:
    """Write one worklist workbook from already-sorted worklist rows."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(SHEET_NAMES[lang]["worklist"])
    keys = [c.key for c in WORKLIST_COLUMNS]
    choices = RESULT_CHOICES if lang == "zh" else RESULT_CHOICES_EN
    for i, column in enumerate(WORKLIST_COLUMNS, start=1):
        dim = ws.column_dimensions[get_column_letter(i)]
        # wide enough for the header's longest word (it wraps between words)
        header = column.zh if lang == "zh" else column.en
        dim.width = max(column.width, max(display_width(w) for w in header.split()) + 2)
        dim.hidden = column.key in HIDDEN_COLUMNS
    first_data, last_row = HEADER_ROW + 1, HEADER_ROW + len(rows)
    for r in range(first_data, last_row + 1):
        ws.row_dimensions[r].height = ROW_HEIGHT
    ws.row_dimensions[HEADER_ROW].height = 30
    # panes frozen below the header and right of the order number
    ws.freeze_panes = f"{get_column_letter(keys.index('order_id') + 2)}{first_data}"
    last_col = get_column_letter(len(keys))
    ws.auto_filter.ref = f"A{HEADER_ROW}:{last_col}{max(last_row, first_data)}"
    result_col = get_column_letter(keys.index("result") + 1)
    dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"',
                        allow_blank=True, showErrorMessage=True,
                        errorTitle="处理结果" if lang == "zh" else "Result",
                        error="请从下拉列表中选择" if lang == "zh" else "Choose from the list")
    dv.add(f"{result_col}{first_data}:{result_col}{max(last_row, first_data)}")
    ws.data_validations.append(dv)  # write-only sheets lack add_data_validation
    # printing: the first screen, header repeated, landscape, fitted to the width
    ws.print_title_rows = f"1:{HEADER_ROW}"
    ws.print_area = f"A1:{get_column_letter(len(FIRST_SCREEN))}{max(last_row, first_data)}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    title_cell = cell(ws, title)
    title_cell.font = TITLE_FONT
    ws.append([title_cell])
    ws.append(header_cells(ws, [c.zh if lang == "zh" else c.en for c in WORKLIST_COLUMNS]))
    for row in rows:
        ws.append([_value_cell(ws, k, row) for k in keys])
    _help_sheet(wb, lang)
    wb.save(path)


HELP_ZH = [
    "每天早上从第一行往下处理：P1 最急，同一级里越靠上越急。",
    "先看“现有卖家备注”和“现有旗帜”，别重复处理同事已经处理过的订单。",
    "按“建议处理”操作，用“参考话术”联系客户（【】里的内容请自己补上）。",
    "处理后在“处理结果”里选一项，需要时写“处理备注”；改单号或补发时把新单号填在“新单号”。",
    "把“备注模板”写进 ERP 的卖家备注，并插上“建议旗帜”的颜色。",
    "下班前把这个文件放回收件箱的 feedback 文件夹：明天的清单会记住你的处理。",
]
HELP_EN = [
    "Work from the top every morning: P1 is the most urgent, higher rows first within a tier.",
    "Read the ERP's seller remark and flag first, so no order is handled twice.",
    "Follow 'What to do' and send the customer script (Chinese; fill in what stands in 【】).",
    "Choose a result from the list, add a note if needed; put a new tracking number in its "
    "column after a correction or reshipment.",
    "Write the ERP remark into the order's seller remark and set the suggested flag.",
    "Put this file back into the inbox's feedback folder: tomorrow's list remembers your work.",
]
RESULT_HELP = {
    "未处理": "还没处理（默认）",
    "已联系客户": "已经联系了客户，等问题解决",
    "已催件": "已在快递群催件",
    "等待客户回复": "已联系客户，等客户回复",
    "已补发": "已重新发货",
    "已退款": "已退款",
    "已补偿": "已给客户补偿（优惠券、红包等）",
    "已改单号": "已改正快递单号（新单号填在“新单号”）",
    "已改地址": "已按客户要求修改地址",
    "已拦截": "已联系快递拦截包裹",
    "已解决": "问题已经解决",
    "误报": "这一单其实没有问题",
}


RESULT_HELP_EN = {
    "Not done": "not worked yet (the default)",
    "Contacted customer": "the customer was contacted; waiting for the problem to be solved",
    "Chased courier": "the courier was chased in the courier group",
    "Awaiting customer": "the customer was contacted and has not answered yet",
    "Reshipped": "the order was shipped again",
    "Refunded": "the order was refunded",
    "Compensated": "the customer got a compensation (coupon, red packet …)",
    "Number corrected": "the tracking number was corrected (put it in 'New tracking no')",
    "Address changed": "the address was changed as the customer asked",
    "Intercepted": "the courier was asked to stop the parcel",
    "Resolved": "the problem is solved",
    "False positive": "nothing was wrong with this order",
}


def _help_sheet(wb: Workbook, lang: str) -> None:
    """说明, written for agents: how to work the list, what each result means, each column,
    and each problem with what to do about it."""
    zh = lang == "zh"
    ws = wb.create_sheet(SHEET_NAMES[lang]["help"])
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 90
    ws.append(header_cells(ws, ["怎么用这张清单", ""] if zh else ["How to work this list", ""]))
    for i, line in enumerate(HELP_ZH if zh else HELP_EN, start=1):
        ws.append([cell(ws, i), cell(ws, line, wrap=True)])
    ws.append([])
    ws.append(header_cells(ws, ["处理结果", "什么时候选"] if zh else ["Result", "When"]))
    for choice, english in zip(RESULT_CHOICES, RESULT_CHOICES_EN):
        ws.append([cell(ws, choice if zh else english),
                   cell(ws, RESULT_HELP[choice] if zh else RESULT_HELP_EN[english], wrap=True)])
    ws.append([])
    ws.append(header_cells(ws, ["列", "含义"] if zh else ["Column", "Meaning"]))
    for column in WORKLIST_COLUMNS:
        if column.key not in HIDDEN_COLUMNS:
            ws.append([cell(ws, column.zh if zh else column.en),
                       cell(ws, column.help_zh if zh else column.help_en, wrap=True)])
    ws.append([])
    ws.append(header_cells(ws, ["问题", "建议处理"] if zh else ["Problem", "What to do"]))
    for code, rule in RULES.items():
        for sub in rule.subtypes:
            ws.append([cell(ws, f"{TYPE_LABELS[lang][code]}·{SUBTYPE_LABELS[lang][sub.code]}"),
                       cell(ws, rule.handling_for(sub.code)["action" if zh else "action_en"],
                            wrap=True)])


def _title(con: duckdb.DuckDBPyConnection, name: str, rows: list[dict], lang: str,
           as_of_text: str) -> str:
    p1 = sum(r.get("priority") == "P1" for r in rows)
    if name == UNASSIGNED:
        who = "未分配（超出坐席容量）" if lang == "zh" else "Unassigned (over capacity)"
    else:
        found = con.execute("select any_value(name) from agents where agent_id = $a",
                            {"a": name}).fetchone()
        who = f"{found[0]}（{name}）" if found and found[0] else name
    if lang == "zh":
        return f"{who}的待办 · 数据截至 {as_of_text} · 共 {len(rows)} 单，其中 P1 {p1} 单"
    return f"Worklist of {who} · data up to {as_of_text} · {len(rows)} orders, {p1} P1"


def write_worklists(con: duckdb.DuckDBPyConnection, folder: Path, agent_ids: list[str],
                    unassigned_max_rows: int, lang: str = "zh") -> list[str]:
    """One workbook per agent with rows, plus `unassigned.xlsx`; returns the file names.

    Agents see every row assigned to them; the unassigned workbook keeps the highest
    priorities up to `unassigned_max_rows` (the rest stays in anomalies.csv).
    """
    folder.mkdir(parents=True, exist_ok=True)
    as_of = con.execute("select strftime(max(as_of), '%Y-%m-%d %H:%M') from anomalies"
                        ).fetchone()[0] or ""
    written = []
    targets = [(a, "agent_id = $agent", {"agent": a}) for a in agent_ids]
    targets.append((UNASSIGNED, "agent_id is null", {}))
    for name, where, params in targets:
        limit = f" limit {int(unassigned_max_rows)}" if name == UNASSIGNED else ""
        frame = con.execute(
            f"select * from worklist_rows where {where} "
            f"order by priority, score desc, overdue_hours desc nulls last, "
            f"amount desc nulls last, order_id{limit}", params).df()
        if frame.empty and name != UNASSIGNED:
            continue
        rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
        if lang == "en":  # what the agent reads; scripts and remarks stay Chinese (customers)
            for row in rows:
                row["problem"] = (f"{TYPE_LABELS['en'][row['anomaly_type']]} · "
                                  f"{SUBTYPE_LABELS['en'].get(row['subtype'], row['subtype'])}")
                row["reason"], row["action"] = row["reason_en"], row["action_en"]
                row["other_anomalies"] = row["other_anomalies_en"]
                row["result"] = RESULT_CHOICES_EN[0]
        file_name = f"{safe_file_stem(name)}.xlsx"
        write_worklist(rows, folder / file_name, lang, _title(con, name, rows, lang, as_of))
        written.append(file_name)
    return written
