"""ERP header profiles: export header → canonical column, per ERP.

Another ERP is a new entry here (a header map), not new code. The headers are those of the
ERPs' own export templates and of public importer code for them (docs/contracts.md lists the
聚水潭 profile).
"""

from __future__ import annotations

from dataclasses import dataclass

ORDER_COLUMNS = (
    "order_id", "platform_order_id", "shop", "status", "question_type", "created_at", "paid_at",
    "shipped_at", "promised_ship_by", "carrier", "tracking_no", "receiver_name", "receiver_phone",
    "province", "city", "district", "region", "address", "amount", "buyer_message",
    "seller_remark", "flag",
    "warehouse", "order_type", "sku", "sku_name", "qty", "price",
)
# a tuple names alternatives: 省 (聚水潭) or the combined 省市县 of 旺店通
ORDER_REQUIRED = (
    "order_id", "status", "paid_at", "shipped_at", "carrier", "tracking_no", "receiver_name",
    "receiver_phone", ("province", "region"), "warehouse", "sku", "qty",
)
INVENTORY_COLUMNS = ("sku", "warehouse", "on_hand", "locked", "incoming_qty", "incoming_eta")
INVENTORY_REQUIRED = ("sku", "warehouse", "on_hand")
TRACKING_CSV_COLUMNS = ("tracking_no", "carrier", "event_time", "state", "status_code",
                        "status_text", "context", "area")
TRACKING_CSV_REQUIRED = ("tracking_no", "event_time")
# the fields of a Kuaidi100 document read (a push with `lastResult`, or a bare query
# response), as DuckDB's JSON readers take them: every value as text, whatever its JSON type
_KUAIDI100_EVENT = {"time": "VARCHAR", "ftime": "VARCHAR", "context": "VARCHAR",
                    "areaName": "VARCHAR", "status": "VARCHAR", "statusCode": "VARCHAR"}
KUAIDI100_DOCUMENT = {
    "status": "VARCHAR", "message": "VARCHAR", "autoCheck": "VARCHAR", "comOld": "VARCHAR",
    "comNew": "VARCHAR",
    "lastResult": {"nu": "VARCHAR", "com": "VARCHAR", "state": "VARCHAR", "message": "VARCHAR",
                   "data": [_KUAIDI100_EVENT]},
    "nu": "VARCHAR", "com": "VARCHAR", "state": "VARCHAR", "data": [_KUAIDI100_EVENT],
}
AGENT_COLUMNS = ("agent_id", "name", "team", "capacity", "active")
AGENT_REQUIRED = ("agent_id",)
FEEDBACK_COLUMNS = ("anomaly_key", "order_id", "result", "note", "new_tracking_no", "handled_at")
FEEDBACK_REQUIRED = ("anomaly_key", "result")


@dataclass(frozen=True)
class Profile:
    """A named header map: export header (as the ERP writes it) → canonical column."""

    name: str
    headers: dict[str, str]

    def header_for(self, column: str) -> str:
        """The export header this profile expects for a canonical column (for messages)."""
        for header, canonical in self.headers.items():
            if canonical == column:
                return header
        return column


JUSHUITAN = Profile("jushuitan", {
    "内部订单号": "order_id", "线上订单号": "platform_order_id", "店铺": "shop",
    "订单状态": "status", "异常类型": "question_type", "下单时间": "created_at",
    "付款时间": "paid_at", "发货时间": "shipped_at", "承诺发货时间": "promised_ship_by",
    "快递公司": "carrier", "快递单号": "tracking_no", "收货人": "receiver_name",
    "收货手机": "receiver_phone", "省": "province", "市": "city", "区县": "district",
    "详细地址": "address", "实付金额": "amount", "买家留言": "buyer_message",
    "卖家备注": "seller_remark", "旗帜": "flag", "发货仓": "warehouse", "订单类型": "order_type",
    "商品编码": "sku", "商品名称": "sku_name", "数量": "qty", "单价": "price",
})

WANGDIANTONG = Profile("wangdiantong", {
    "订单编号": "order_id", "原始单号": "platform_order_id", "店铺名称": "shop",
    "订单状态": "status", "订单类型": "order_type", "交易时间": "created_at",
    "付款时间": "paid_at", "发货时间": "shipped_at", "物流公司": "carrier",
    "物流单号": "tracking_no", "收件人": "receiver_name", "手机": "receiver_phone",
    "省份": "province", "城市": "city", "区县": "district", "省市县": "region", "地址": "address",
    "实付金额": "amount", "买家留言": "buyer_message", "客服备注": "seller_remark",
    "仓库": "warehouse", "商家编码": "sku", "货品名称": "sku_name", "货品数量": "qty",
    "单价": "price", "异常原因": "question_type", "标记": "flag",
})

GENERIC = Profile("generic", {c: c for c in ORDER_COLUMNS})

ORDER_PROFILES = {p.name: p for p in (JUSHUITAN, WANGDIANTONG, GENERIC)}

INVENTORY_PROFILE = Profile("inventory", {
    "商品编码": "sku", "仓库": "warehouse", "实际库存": "on_hand", "订单占有数": "locked",
    "采购在途数": "incoming_qty", "预计到货日期": "incoming_eta",
    **{c: c for c in INVENTORY_COLUMNS},
})

TRACKING_CSV_PROFILE = Profile("tracking_csv", {
    "快递单号": "tracking_no", "快递公司": "carrier", "时间": "event_time", "状态码": "state",
    "高级状态码": "status_code", "状态": "status_text", "轨迹": "context", "地区": "area",
    **{c: c for c in TRACKING_CSV_COLUMNS},
})

AGENT_PROFILE = Profile("agents", {
    "客服ID": "agent_id", "姓名": "name", "组": "team", "每日容量": "capacity", "在岗": "active",
    **{c: c for c in AGENT_COLUMNS},
})


# a returned worklist: the hidden anomaly_key and what the agent filled in (zh or en headers)
FEEDBACK_PROFILE = Profile("worklist", {
    "anomaly_key": "anomaly_key", "内部订单号": "order_id", "Order id": "order_id",
    "处理结果": "result", "Result": "result", "处理备注": "note", "Note": "note",
    "新单号": "new_tracking_no", "New tracking no": "new_tracking_no",
    "处理时间": "handled_at", "Handled at": "handled_at",
})


def order_profiles(configured: str) -> list[Profile]:
    """Candidate profiles for an orders export: the configured one, or all of them for "auto"."""
    return list(ORDER_PROFILES.values()) if configured == "auto" else [ORDER_PROFILES[configured]]
