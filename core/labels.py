"""User-facing labels in one catalog: anomaly names, reasons, actions, scripts, headers.

Code and data use English codes (UNPICKED, NO_TRACE, ...); everything an agent or lead reads
comes from here. What belongs to one rule (its names, subtypes, reason templates, actions,
scripts, remarks, flags and text fragments) comes from the rule's metadata in the registry;
what is common to every run (worklist headers, sheet names, result choices) is written below.
Reason templates are rendered in DuckDB with `format()`: `{0}` is the elapsed hours, `{1}` the
threshold hours, `{2}` a rule-specific detail text.
"""

from __future__ import annotations

from core.registry import LANGS, RULES

TYPE_LABELS = {lang: {code: rule.label[lang] for code, rule in RULES.items()} for lang in LANGS}
SUBTYPE_LABELS = {lang: {sub.code: sub.label[lang] for rule in RULES.values()
                         for sub in rule.subtypes} for lang in LANGS}

RESULT_CHOICES = ["未处理", "已联系客户", "已催件", "已补发", "已退款", "已改单号", "已解决", "误报"]

# worklist columns: (key, zh header, en header, width in characters)
WORKLIST_COLUMNS = [
    ("priority", "优先级", "Priority", 7),
    ("score", "得分", "Score", 6),
    ("anomaly_label", "异常类型", "Anomaly", 12),
    ("subtype_label", "细分", "Subtype", 14),
    ("other_anomalies", "其他异常", "Other anomalies", 16),
    ("order_id", "内部订单号", "Order id", 14),
    ("platform_order_id", "线上订单号", "Platform order", 20),
    ("shop", "店铺", "Shop", 14),
    ("warehouse", "发货仓", "Warehouse", 9),
    ("carrier", "快递公司", "Carrier", 10),
    ("tracking_no", "快递单号", "Tracking no", 18),
    ("receiver", "收货人", "Receiver", 8),
    ("phone", "收货手机", "Phone", 13),
    ("province", "省", "Province", 8),
    ("amount", "实付金额", "Amount", 9),
    ("buyer_message", "买家留言", "Buyer message", 20),
    ("paid_at", "付款时间", "Paid at", 16),
    ("shipped_at", "发货时间", "Shipped at", 16),
    ("latest_event", "最新轨迹", "Latest event", 30),
    ("latest_event_at", "轨迹时间", "Event time", 16),
    ("elapsed_hours", "已过小时", "Hours", 8),
    ("threshold_hours", "阈值小时", "Threshold", 8),
    ("days_open", "挂单天数", "Days open", 8),
    ("reason", "原因", "Reason", 48),
    ("action", "建议处理", "Suggested action", 36),
    ("script", "参考话术", "Reference script", 48),
    ("remark", "备注模板", "Remark template", 22),
    ("flag", "建议旗帜", "Flag", 8),
    ("result", "处理结果", "Result", 12),
    ("note", "处理备注", "Note", 24),
    ("anomaly_key", "anomaly_key", "anomaly_key", 18),
]

SHEET_NAMES = {
    "zh": {"worklist": "待办", "help": "说明"},
    "en": {"worklist": "Worklist", "help": "Help"},
}

UNASSIGNED = "unassigned"

SUMMARY_LABELS = {
    "zh": {"overview": "概览", "by_carrier": "按快递", "by_shop": "按店铺", "by_zone": "按区域",
           "by_agent": "按客服", "trend": "趋势", "data_quality": "数据质量", "type": "异常类型",
           "total": "合计", "carrier": "快递公司", "shop": "店铺", "zone": "发货仓 / 区域",
           "agent": "客服", "date": "日期", "zone_suffix": "区", "rejects": "被拒行（文件）",
           "warnings": "警告（文件）", "chart_by_type": "各类异常数量（按优先级）",
           "chart_by_carrier": "各快递公司异常数量", "chart_trend": "近期各次运行的异常数量"},
    "en": {"overview": "Overview", "by_carrier": "By carrier", "by_shop": "By shop",
           "by_zone": "By zone", "by_agent": "By agent", "trend": "Trend",
           "data_quality": "Data quality", "type": "Anomaly", "total": "Total",
           "carrier": "Carrier", "shop": "Shop", "zone": "Warehouse / zone", "agent": "Agent",
           "date": "Date", "zone_suffix": "", "rejects": "Rejected rows (file)",
           "warnings": "Warnings (file)", "chart_by_type": "Anomalies by type and tier",
           "chart_by_carrier": "Anomalies by carrier", "chart_trend": "Anomalies per run"},
}

PRIORITY_REASON = "；{0}（得分 {1:.0f}：严重度 {2:.1f}，超阈值 {3:.0f}%，金额 {4:.0f} 元，已挂 {5} 天）"
REPEAT_NOTE = "；{0}后仍未解决，再次跟进"


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
    flat["priority_reason"] = PRIORITY_REASON
    flat["repeat_note"] = REPEAT_NOTE
    return flat


LABELS = _labels()
