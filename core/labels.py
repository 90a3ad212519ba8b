"""User-facing labels in one catalog: anomaly names, reasons, actions, scripts, headers.

Code and data use English codes (UNPICKED, NO_TRACE, ...); everything an agent or lead reads
comes from here. What belongs to one rule (its names, subtypes, reason templates, actions,
scripts, remarks, flags and text fragments) comes from the rule's metadata in the registry;
what is common to every run (worklist headers, sheet names, result choices) is written below.
Reason templates are rendered in DuckDB with `format()`: `{0}` is the elapsed hours, `{1}` the
threshold hours, `{2}` a rule-specific detail text.
"""

from __future__ import annotations

from typing import NamedTuple

from core.registry import LANGS, RULES

TYPE_LABELS = {lang: {code: rule.label[lang] for code, rule in RULES.items()} for lang in LANGS}
SUBTYPE_LABELS = {lang: {sub.code: sub.label[lang] for rule in RULES.values()
                         for sub in rule.subtypes} for lang in LANGS}

# what an agent can record, in the seeds' routine (the first is the untouched default); an
# English worklist offers the English names, read back as the Chinese ones
RESULT_CHOICES = ["未处理", "已联系客户", "已催件", "等待客户回复", "已补发", "已退款", "已补偿",
                  "已改单号", "已改地址", "已拦截", "已解决", "误报"]
RESULT_CHOICES_EN = ["Not done", "Contacted customer", "Chased courier", "Awaiting customer",
                     "Reshipped", "Refunded", "Compensated", "Number corrected",
                     "Address changed", "Intercepted", "Resolved", "False positive"]
RESULT_FROM_EN = dict(zip(RESULT_CHOICES_EN, RESULT_CHOICES))
# what each result means for the problem's lifecycle (未处理 means nothing was done)
RESULT_KINDS = {"已联系客户": "contact", "已催件": "contact", "等待客户回复": "contact",
                "已补发": "resolved", "已退款": "resolved", "已补偿": "resolved",
                "已改单号": "resolved", "已改地址": "resolved", "已拦截": "resolved",
                "已解决": "resolved", "误报": "false_positive"}

class Column(NamedTuple):
    """A worklist column: its key in `worklist_rows`, headers, width (characters), and what
    it means for the agent (the 说明 sheet)."""

    key: str
    zh: str
    en: str
    width: int
    help_zh: str
    help_en: str


# the first screen (about 150 characters wide) is the work: which order, what is wrong, what
# to do and say, and what the agent records; the facts follow to the right
WORKLIST_COLUMNS = [
    Column("priority", "优先级", "Priority", 6, "P1 最急，先做；同一级内越靠上越急",
           "P1 is the most urgent; within a tier, higher rows first"),
    Column("order_id", "内部订单号", "Order id", 15, "ERP 内部订单号，用它在 ERP 里找订单",
           "the ERP's order id: find the order with it"),
    Column("problem", "问题", "Problem", 18, "这一单的主要问题（根本原因）",
           "the order's main problem (its root cause)"),
    Column("action", "建议处理", "What to do", 30, "建议的处理步骤", "the suggested steps"),
    Column("script", "参考话术", "Customer script (Chinese)", 36,
           "可直接发给客户的话术；【】里的内容请自己补上",
           "what to tell the customer, in Chinese; fill in what stands in 【】"),
    Column("result", "处理结果", "Result", 11, "处理后从下拉列表选择结果（必填）",
           "after working the row, choose the result from the list"),
    Column("note", "处理备注", "Note", 18, "补充说明，例如客户的回复", "anything to add, e.g. the "
           "customer's answer"),
    Column("new_tracking_no", "新单号", "New tracking no", 14,
           "改单号或补发时填写新的快递单号", "the new number after a correction or reshipment"),
    Column("handled_at", "处理时间", "Handled at", 16,
           "处理这一单的时间，可不填：不填时按交回文件的保存时间算",
           "when you worked the row; leave it empty to use the file's saved time"),
    Column("next_follow_up", "下次跟进", "Follow up at", 16,
           "联系客户或催件后，到这个时间仍未解决再跟进", "when to look again if still open"),
    Column("reason", "原因", "Why", 40, "为什么这一单被列出来", "why the order is listed"),
    Column("other_anomalies", "其他异常", "Other problems", 30, "这一单的其他问题（每行一个）",
           "the order's other problems, one a line"),
    Column("remark", "备注模板", "ERP remark (Chinese)", 24, "处理后写进 ERP 卖家备注的内容",
           "the remark to write into the ERP after working the row, in Chinese"),
    Column("flag", "建议旗帜", "Flag to set", 8, "建议在 ERP 里插的旗帜颜色",
           "the flag colour to set in the ERP"),
    Column("seller_remark", "现有卖家备注", "Seller remark", 22, "ERP 里已有的卖家备注，处理前先看",
           "the ERP's remark so far: read it before acting"),
    Column("erp_flag", "现有旗帜", "ERP flag", 8, "ERP 里已有的旗帜", "the ERP's flag so far"),
    Column("last_action", "上次处理", "Last action", 14, "上次记录的处理结果和日期",
           "the last recorded result and its date"),
    Column("days_open", "挂单天数", "Days open", 8, "这个问题第一次出现到现在的天数",
           "days since the problem was first seen"),
    Column("overdue", "超出时限", "Overdue by", 10, "超出时限多久", "how far past the limit"),
    Column("platform_order_id", "线上订单号", "Platform order", 20, "平台订单号（淘宝/京东…）",
           "the marketplace's order number"),
    Column("shop", "店铺", "Shop", 14, "店铺", "shop"),
    Column("products", "商品", "Products", 26, "商品名称×数量（商品编码）", "product × quantity "
           "(SKU)"),
    Column("warehouse", "发货仓", "Warehouse", 9, "发货仓", "shipping warehouse"),
    Column("carrier", "快递公司", "Carrier", 10, "快递公司", "carrier"),
    Column("tracking_no", "快递单号", "Tracking no", 18, "这一单的所有快递单号",
           "every tracking number of the order"),
    Column("lookup", "查物流", "Look up", 18, "点击在快递100查询这个包裹",
           "click to look the parcel up on Kuaidi100"),
    Column("receiver", "收货人", "Receiver", 8, "收货人（已脱敏）", "receiver (masked)"),
    Column("phone", "收货手机", "Phone", 13, "收货手机（已脱敏）", "receiver's phone (masked)"),
    Column("province", "省", "Province", 8, "收货省份", "receiver's province"),
    Column("amount", "实付金额", "Amount", 9, "实付金额（元）", "amount paid (yuan)"),
    Column("buyer_message", "买家留言", "Buyer message", 20, "买家留言", "buyer's message"),
    Column("paid_at", "付款时间", "Paid at", 16, "付款时间", "paid at"),
    Column("shipped_at", "发货时间", "Shipped at", 16, "发货时间", "shipped at"),
    Column("latest_event", "最新轨迹", "Latest scan", 30, "最新一条物流轨迹",
           "the latest tracking scan"),
    Column("latest_event_at", "轨迹时间", "Scan time", 16, "最新轨迹的时间", "its time"),
    Column("elapsed_hours", "已过小时", "Hours", 8, "从参考时间到现在的小时数",
           "hours since the reference time"),
    Column("threshold_hours", "时限小时", "Limit (h)", 8, "这类问题的时限（小时）",
           "the limit for this problem, hours"),
    Column("score", "得分", "Score", 6, "优先级得分（0–100）", "priority score (0–100)"),
    Column("score_parts", "得分明细", "Score parts", 44, "得分由哪几部分组成",
           "what the score is made of"),
    Column("anomaly_key", "anomaly_key", "anomaly_key", 18, "（隐藏）问题编号，交回时请勿修改",
           "(hidden) the problem's key: leave it as it is"),
]
FIRST_SCREEN = ("priority", "order_id", "problem", "action", "script", "result", "note")
HIDDEN_COLUMNS = ("anomaly_key",)

# ERP flag colours (插旗) as cell fills
FLAG_COLOURS = {"红": "FF6B6B", "黄": "FFD966", "绿": "8FD19E", "蓝": "6FA8DC", "紫": "B4A7D6"}
# one colour per tier, in worklists and charts alike
TIER_COLOURS = {"P1": "E06666", "P2": "F6B26B", "P3": "93C47D"}

SHEET_NAMES = {
    "zh": {"worklist": "待办", "help": "说明"},
    "en": {"worklist": "Worklist", "help": "Help"},
}

UNASSIGNED = "unassigned"  # the file name and key of the unassigned worklist

SUMMARY_LABELS = {
    "zh": {"overview": "概览", "by_carrier": "按快递", "by_shop": "按店铺", "by_zone": "按区域",
           "by_agent": "按客服", "ageing": "挂单时长", "trend": "趋势", "data_quality": "数据质量",
           "type": "异常类型", "total": "合计", "carrier": "快递公司", "shop": "店铺",
           "zone": "发货仓 / 区域", "agent": "客服", "date": "日期", "zone_suffix": "区",
           "unassigned": "未分配", "orders": "订单", "days_open": "挂单天数",
           "unit_anomalies": "（条）", "unit_orders": "（单）", "unit_parcels": "（个）",
           "checked_parcel": "检查包裹（个）", "anomalous_parcel": "有异常包裹（个）",
           "checked_order": "检查订单（单）", "anomalous_order": "有异常订单（单）", "rate": "异常率",
           "as_of": "数据截至", "orders_checked": "检查订单（单）", "parcels_checked": "检查包裹（个）",
           "anomalies": "异常（条）", "orders_with_anomalies": "有异常的订单（单）",
           "p1": "P1 异常（条）", "assigned": "已分配给客服的订单（单）",
           "unassigned_backlog": "未分配积压（单）", "capacity": "在岗客服容量（单）",
           "over_capacity": "注意：有异常的订单 {orders} 单超过在岗客服容量 {capacity} 单，"
                            "{left} 单未分配，在 unassigned.xlsx 里（按优先级排在前面的已分配）",
           "within_capacity": "所有有异常的订单都已分配给客服",
           "age_exact": "{0} 天", "age_range": "{0}–{1} 天", "age_over": "{0} 天以上",
           "rejects": "被拒的行（文件）", "warnings": "警告（文件）",
           "dq_file": "文件", "dq_kind": "类型", "dq_rows_read": "读取行",
           "dq_rows_accepted": "接受行", "dq_rows_rejected": "被拒行", "dq_rows_dropped_blank": "空行",
           "dq_rows_dropped_total": "合计行", "dq_rows_dated_later": "留待以后（交回时间晚于截至）",
           "dq_row": "行号", "dq_column": "列", "dq_value": "值",
           "dq_reason": "原因", "dq_message": "说明",
           "chart_by_type": "各类异常数量（按优先级）", "chart_by_carrier": "各快递公司异常数量",
           "chart_by_shop": "各店铺异常数量", "chart_by_zone": "各区域异常数量",
           "chart_ageing": "异常挂单天数（按优先级）", "chart_trend": "近期各次运行的异常数量",
           "rule_tuning": "规则调优", "subtype": "细分",
           "tuning_note": "近 {days} 天里每条规则的表现：误报率高说明阈值太紧，"
                          "解决率低或解决慢说明处理方法要改。数字来自客服交回的处理结果。",
           "found": "发现（个问题）", "worked": "已处理（个）", "false_positives": "误报（个）",
           "false_positive_rate": "误报率", "resolved": "已解决（个）", "resolution_rate": "解决率",
           "median_hours": "解决用时中位数（小时）"},
    "en": {"overview": "Overview", "by_carrier": "By carrier", "by_shop": "By shop",
           "by_zone": "By zone", "by_agent": "By agent", "ageing": "Ageing", "trend": "Trend",
           "data_quality": "Data quality", "type": "Anomaly", "total": "Total",
           "carrier": "Carrier", "shop": "Shop", "zone": "Warehouse / zone", "agent": "Agent",
           "date": "Date", "zone_suffix": "", "unassigned": "Unassigned", "orders": "Orders",
           "days_open": "Days open", "unit_anomalies": " (anomalies)", "unit_orders": " (orders)",
           "unit_parcels": " (parcels)", "checked_parcel": "Parcels checked",
           "anomalous_parcel": "Parcels with anomalies", "checked_order": "Orders checked",
           "anomalous_order": "Orders with anomalies", "rate": "Anomaly rate", "as_of": "Data up to", "orders_checked": "Orders checked",
           "parcels_checked": "Parcels checked", "anomalies": "Anomalies",
           "orders_with_anomalies": "Orders with anomalies", "p1": "P1 anomalies",
           "assigned": "Orders assigned to agents", "unassigned_backlog": "Unassigned backlog "
           "(orders)", "capacity": "Active agents' capacity (orders)",
           "over_capacity": "Warning: {orders} orders with anomalies exceed the active agents' "
                            "capacity of {capacity}; {left} are unassigned, in unassigned.xlsx "
                            "(the highest priorities were assigned first)",
           "within_capacity": "Every order with anomalies is assigned to an agent",
           "age_exact": "{0} days", "age_range": "{0}–{1} days", "age_over": "over {0} days",
           "rejects": "Rejected rows (file)", "warnings": "Warnings (file)", "dq_file": "File",
           "dq_kind": "Kind", "dq_rows_read": "Rows read", "dq_rows_accepted": "Accepted",
           "dq_rows_rejected": "Rejected", "dq_rows_dropped_blank": "Blank rows",
           "dq_rows_dropped_total": "Total rows", "dq_rows_dated_later": "Dated after the cut-off",
           "dq_row": "Row", "dq_column": "Column",
           "dq_value": "Value", "dq_reason": "Reason", "dq_message": "Message",
           "chart_by_type": "Anomalies by type and tier", "chart_by_carrier": "Anomalies by "
           "carrier", "chart_by_shop": "Anomalies by shop", "chart_by_zone": "Anomalies by zone",
           "chart_ageing": "Anomalies by days open and tier", "chart_trend": "Anomalies per run",
           "rule_tuning": "Rule tuning", "subtype": "Subtype",
           "tuning_note": "Each rule over the last {days} days: a high "
                          "false-positive rate says the threshold is too tight; a low or slow "
                          "resolution says the handling should change. From agents' results.",
           "found": "Problems found", "worked": "Worked", "false_positives": "False positives",
           "false_positive_rate": "False-positive rate", "resolved": "Resolved",
           "resolution_rate": "Resolution rate", "median_hours": "Median hours to resolve"},
}

# anomalies.csv: why this priority, in words ({0} tier, {1} the reasons joined)
PRIORITY_TEXTS = {
    "priority_reason": "；{0}：{1}",
    "priority_overdue": "超出时限 {0}",
    "priority_amount": "金额 {0:g} 元",
    "priority_days_open": "已挂 {0} 天",
    "severity.high": "问题严重",
    "severity.medium": "问题中等",
    "severity.low": "问题较轻",
    # the worklist's own column: the score and its parts
    "score_parts": "{0:g} = 严重度 {1:g} + 超时 {2:g} + 金额 {3:g} + 挂单 {4:g} + 再次跟进 {5:g}",
}
# what an agent recorded, in the reason of a problem shown again ({0} result, {1} its date)
LIFECYCLE_NOTES = {
    "repeat": "；{1} {0}，仍未解决，再次跟进",
    "reopened": "；{1} 已处理（{0}），但问题仍在，重新打开",
    "new_facts": "；{1} 标为误报，之后有了新情况（新轨迹、新单号或订单变化），请再确认",
}
LIFECYCLE_NOTES_EN = {
    "repeat": "; {1} {0}, still open: follow up again",
    "reopened": "; {1} handled ({0}) but the problem is still there: reopened",
    "new_facts": "; {1} marked false positive, new facts since (a scan, a number or the order "
                 "changed): check again",
}


def _labels() -> dict[str, str]:
    """Flat key → text table loaded into DuckDB as `labels` (SQL reads it via label()):
    `type.<T>`, `subtype.<S>`, and per type and subtype `reason|action|script|remark|flag`
    (`.<T>` for the rule's own text, `.<T>.<S>` where a subtype differs), the rules' text
    fragments under their own keys, and the common texts."""
    flat = {f"type.{code}": rule.label["zh"] for code, rule in RULES.items()}
    flat |= {f"subtype.{code}": label for code, label in SUBTYPE_LABELS["zh"].items()}
    for code, rule in RULES.items():
        flat |= {f"{key}.{code}": text for key, text in rule.handling.items()}
        for sub in rule.subtypes:
            flat |= {f"{key}.{code}.{sub.code}": text for key, text in sub.handling.items()}
        flat |= rule.texts
    flat |= PRIORITY_TEXTS
    flat |= {f"lifecycle_note.{k}": v for k, v in LIFECYCLE_NOTES.items()}
    flat |= {f"lifecycle_note_en.{k}": v for k, v in LIFECYCLE_NOTES_EN.items()}
    flat |= {f"type_en.{code}": rule.label["en"] for code, rule in RULES.items()}
    flat |= {f"subtype_en.{code}": label for code, label in SUBTYPE_LABELS["en"].items()}
    flat |= {f"result_en.{zh}": en for en, zh in RESULT_FROM_EN.items()}
    return flat


LABELS = _labels()
