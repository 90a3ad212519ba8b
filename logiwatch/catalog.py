"""User-facing labels in one catalog: anomaly names, reasons, actions, scripts, headers.

Code and data use English codes (UNPICKED, NO_TRACE, ...); everything an agent or lead reads
comes from here. Reason templates are rendered in DuckDB with `format()`: `{0}` is the
elapsed hours, `{1}` the threshold hours, `{2}` a rule-specific detail text.
"""

from __future__ import annotations

TYPE_LABELS = {
    "zh": {
        "UNPICKED": "揽收超时",
        "STALLED": "物流停滞",
        "WRONG_TRACKING_NO": "单号异常",
        "OUT_OF_STOCK": "缺货",
        "LATE_SHIPMENT": "发货超时",
        "DELIVERY_EXCEPTION": "派送异常",
        "PROXY_SIGNED": "代签提醒",
    },
    "en": {
        "UNPICKED": "Not picked up",
        "STALLED": "Tracking stalled",
        "WRONG_TRACKING_NO": "Tracking number problem",
        "OUT_OF_STOCK": "Out of stock",
        "LATE_SHIPMENT": "Late shipment",
        "DELIVERY_EXCEPTION": "Delivery exception",
        "PROXY_SIGNED": "Signed by proxy",
    },
}

SUBTYPE_LABELS = {
    "NO_TRACE": "无任何轨迹",
    "WAITING_PICKUP": "已下单待揽收",
    "ZONE1": "一区",
    "ZONE2": "二区",
    "ZONE3": "三区",
    "MISSING": "缺少单号",
    "MANGLED": "单号被Excel损坏",
    "BAD_FORMAT": "单号格式错误",
    "CARRIER_MISMATCH": "单号与快递公司不符",
    "FORWARDED": "已转单",
    "DUPLICATE": "单号重复",
    "BEFORE_SHIP": "轨迹早于付款",
    "DEST_MISMATCH": "派送省份不符",
    "ALLOCATION": "库存不足",
    "ERP_MARKED": "ERP标记缺货",
    "SLA": "超过发货时效",
    "PROMISED": "超过承诺发货时间",
    "REFUSED": "拒收",
    "RETURNING": "退回中",
    "RETURNED": "已退签",
    "UNREACHABLE": "无法联系收件人",
    "OUT_OF_AREA": "超区",
    "HELD": "滞留",
    "DAMAGED": "破损",
    "LOCKER_UNCOLLECTED": "驿站/快递柜未取",
    "OTHER": "其他疑难",
    "SIGNED_PROXY": "他人代签",
    "SIGNED_LOCKER": "驿站/快递柜签收",
}

# (type, subtype or "*") → reason template; {0} elapsed h, {1} threshold h, {2} detail
REASONS = {
    ("UNPICKED", "NO_TRACE"): "发货后 {0:.1f} 小时未揽收，无任何物流轨迹（阈值 {1:g} 小时{2}）",
    ("UNPICKED", "WAITING_PICKUP"): "发货后 {0:.1f} 小时仍只有下单/待揽收记录（阈值 {1:g} 小时{2}）",
    ("STALLED", "*"): "物流 {0:.1f} 小时无更新（{2}，阈值 {1:g} 小时）",
    ("WRONG_TRACKING_NO", "*"): "快递单号异常：{2}",
    ("OUT_OF_STOCK", "ALLOCATION"): "付款 {0:.1f} 小时仍未发货，库存不足：{2}",
    ("OUT_OF_STOCK", "ERP_MARKED"): "ERP 标记缺货（{2}），付款已 {0:.1f} 小时",
    ("LATE_SHIPMENT", "*"): "付款后 {0:.1f} 小时未发货（{2}，时限 {1:g} 小时）",
    ("DELIVERY_EXCEPTION", "*"): "派送异常：{2}，已 {0:.1f} 小时",
    ("PROXY_SIGNED", "*"): "{0:.1f} 小时前{2}，请提前告知客户包裹位置",
}

# per anomaly type: suggested action, reference script (话术), remark template, flag colour
ACTIONS = {
    "UNPICKED": {
        "action": "在快递群催揽收，核实是否丢件；超时未揽收可补发或退款",
        "script": "小主您好，您的包裹已打包发出，快递还未揽收，这边已经帮您联系快递催促，有更新第一时间告诉您～",
        "remark": "已催件 {agent} {date}",
        "flag": "红",
    },
    "STALLED": {
        "action": "在快递群催件并截图给客户；24 小时仍无更新则补发或退款",
        "script": "小主，这边已经给您联系快递催件，麻烦您再关注下物流，如24小时仍无物流更新，麻烦您再联系我们，这边第一时间给您处理",
        "remark": "已催件 {agent} {date}",
        "flag": "蓝",
    },
    "WRONG_TRACKING_NO": {
        "action": "与仓库核对底单，在后台更正快递单号/快递公司，并把正确单号留言给客户",
        "script": "小主您好，您的快递单号已为您核实更新，新的单号是【单号】，您可以用新单号查询物流哦～",
        "remark": "已改单号 {agent} {date}",
        "flag": "蓝",
    },
    "OUT_OF_STOCK": {
        "action": "确认到货时间，留言告知客户并给出方案（等待/换货/退款）；24 小时未回复电话联系",
        "script": "小主非常抱歉，您拍的宝贝暂时缺货，预计【到货日期】到货，您看是等待到货还是为您更换其他款式/办理退款呢？",
        "remark": "缺货已告知 {agent} {date}",
        "flag": "紫",
    },
    "LATE_SHIPMENT": {
        "action": "联系仓库确认发货时间，主动告知客户，必要时给予补偿",
        "script": "小主您好，您的订单仓库正在加急处理，预计【日期】发出，给您带来不便非常抱歉～",
        "remark": "已催发货 {agent} {date}",
        "flag": "紫",
    },
    "DELIVERY_EXCEPTION": {
        "action": "联系快递核实异常原因，先告知客户，再协商补发/退款/改派",
        "script": "小主您好，您的包裹派送遇到了问题（【原因】），这边已经联系快递处理，会第一时间给您反馈～",
        "remark": "已催件 {agent} {date}",
        "flag": "红",
    },
    "PROXY_SIGNED": {
        "action": "告知客户包裹代签/驿站位置，避免签收未收到投诉",
        "script": "小主您好，您的包裹已由【代收点】代为签收，请您及时领取，如未收到请联系我们～",
        "remark": "已告知代签 {agent} {date}",
        "flag": "黄",
    },
}

# (type, subtype) → what differs from the type's entry in ACTIONS (the rest falls back to it)
SUBTYPE_ACTIONS = {
    ("UNPICKED", "WAITING_PICKUP"): {
        "action": "联系快递网点安排上门揽收；仍不揽收则换快递重新发货并更新单号"},
    ("WRONG_TRACKING_NO", "MISSING"): {
        "action": "联系仓库补录快递单号并回填 ERP 后台",
        "script": "小主您好，您的包裹已发出，快递单号稍后同步给您，您可以在订单里查看物流哦～",
        "remark": "已补单号 {agent} {date}"},
    ("WRONG_TRACKING_NO", "MANGLED"): {
        "action": "单号被 Excel 改坏：到 ERP 或底单核对原单号，并按 README 的导出说明重新导出"},
    ("WRONG_TRACKING_NO", "DUPLICATE"): {
        "action": "与仓库核对两单的底单，确认哪一单单号录错并更正"},
    ("WRONG_TRACKING_NO", "FORWARDED"): {
        "action": "快递已转单：查询新单号，在后台更新并留言告知客户"},
    ("WRONG_TRACKING_NO", "BEFORE_SHIP"): {
        "action": "单号属于旧包裹：让仓库核对底单并更正单号"},
    ("WRONG_TRACKING_NO", "DEST_MISMATCH"): {
        "action": "派送地与收货地不符：联系快递拦截或改派，核实是否发错包裹", "flag": "红"},
    ("LATE_SHIPMENT", "PROMISED"): {
        "action": "已超过承诺发货时间（平台可能处罚）：立即催仓库发货并主动告知客户", "flag": "红"},
    ("DELIVERY_EXCEPTION", "REFUSED"): {
        "action": "联系客户确认拒收原因，协商退款或重新发货",
        "script": "小主您好，快递显示包裹被拒收了，请问是遇到什么问题了吗？这边马上为您处理～"},
    ("DELIVERY_EXCEPTION", "UNREACHABLE"): {
        "action": "快递联系不上收件人：核对收货电话，提醒客户留意来电",
        "script": "小主您好，快递员联系不上您，麻烦您留意一下来电，或告诉我们方便收货的时间～"},
    ("DELIVERY_EXCEPTION", "OUT_OF_AREA"): {
        "action": "收货地址超区：与客户确认可派送地址或自提点，联系快递改派"},
    ("DELIVERY_EXCEPTION", "DAMAGED"): {
        "action": "包裹破损：联系快递核实并留证，为客户补发或退款",
        "script": "小主非常抱歉，快递反馈包裹在运输中破损，这边马上为您补发或退款，给您添麻烦了～"},
    ("DELIVERY_EXCEPTION", "LOCKER_UNCOLLECTED"): {
        "action": "提醒客户到驿站/快递柜取件，避免超时退回",
        "script": "小主您好，您的包裹已到【驿站/快递柜】，请凭取件码尽快领取哦～", "flag": "黄"},
    ("DELIVERY_EXCEPTION", "RETURNING"): {
        "action": "包裹退回中：与客户确认重新发货或退款，并联系快递拦截"},
    ("DELIVERY_EXCEPTION", "RETURNED"): {
        "action": "包裹已退回：仓库验收入库，与客户确认重新发货或退款"},
    ("PROXY_SIGNED", "SIGNED_LOCKER"): {
        "script": "小主您好，您的包裹已放在【驿站/快递柜】，请凭取件码及时领取，如未收到请联系我们～"},
}

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

# WRONG_TRACKING_NO: one fragment per subtype that applies, joined into the reason;
# format() arguments are named in each comment
WRONG_NUMBER_DETAILS = {
    "MISSING": "已发货但没有快递单号",                                    # —
    "MANGLED": "单号 {0} 已被 Excel 改坏（{1}），无法还原，请核对底单",     # raw, damage
    "BAD_FORMAT": "单号 {0} 不符合任何已知快递公司的单号规则或校验位",       # number
    "CARRIER_MISMATCH": "单号 {0} 不符合 {1} 的单号规则，疑似 {2} 的单号",  # number, carrier, candidates
    "FORWARDED": "快递已转单/快递100识别为 {0}",                            # new carrier
    "DUPLICATE": "同一单号也用在订单 {0}（不同收货人）",                    # other orders
    "BEFORE_SHIP": "首条轨迹 {0} 早于付款时间 {1}，单号可能属于旧包裹",      # first event, paid
    "DEST_MISMATCH": "派送地 {0} 与收货省份 {1} 不符",                      # event province, receiver
}

PRIORITY_REASON = "；{0}（得分 {1:.0f}：严重度 {2:.1f}，超阈值 {3:.0f}%，金额 {4:.0f} 元，已挂 {5} 天）"
STALLED_ZONE = {1: "一区", 2: "二区", 3: "三区"}
PROMOTION_NOTE = "，大促期间 {0}"
KUAIDI100_ABORT = "；快递100停止查询：{0}"
REPEAT_NOTE = "；{0}后仍未解决，再次跟进"


def _labels() -> dict[str, str]:
    """Flat key → text table loaded into DuckDB as `labels` (SQL reads it via label())."""
    flat = {f"type.{k}": v for k, v in TYPE_LABELS["zh"].items()}
    flat |= {f"subtype.{k}": v for k, v in SUBTYPE_LABELS.items()}
    flat |= {f"reason.{t}.{s}": v for (t, s), v in REASONS.items()}
    flat |= {f"wrong_no.{k}": v for k, v in WRONG_NUMBER_DETAILS.items()}
    flat |= {f"zone.{k}": v for k, v in STALLED_ZONE.items()}
    flat |= {f"action.{t}": v["action"] for t, v in ACTIONS.items()}
    flat |= {f"script.{t}": v["script"] for t, v in ACTIONS.items()}
    flat |= {f"remark.{t}": v["remark"] for t, v in ACTIONS.items()}
    flat |= {f"flag.{t}": v["flag"] for t, v in ACTIONS.items()}
    for (t, sub), texts in SUBTYPE_ACTIONS.items():
        flat |= {f"{key}.{t}.{sub}": text for key, text in texts.items()}
    flat["priority_reason"] = PRIORITY_REASON
    flat["promotion_note"] = PROMOTION_NOTE
    flat["kuaidi100_abort"] = KUAIDI100_ABORT
    flat["repeat_note"] = REPEAT_NOTE
    return flat


LABELS = _labels()
