"""pandera models for the typed inputs, and the column types that pass 1 coerces to.

Validation runs in two passes (a failed pandera `coerce` hides later failures): pass 1
casts text to types in DuckDB and rejects what does not cast (`COLUMN_TYPES`); pass 2 runs
these models on the typed columns and rejects what fails a check. The models use pandera's
polars backend: DuckDB hands the typed columns over as Arrow, which polars reads without a
copy and checks on all cores (pandas would first copy every string into a Python object).
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from core.labels import RESULT_CHOICES

# canonical order status ← export values (聚水潭 Chinese and API names, 旺店通, platforms)
ORDER_STATUS = {
    "待付款": "UNPAID", "WAITPAY": "UNPAID", "未付款": "UNPAID",
    "待审核": "PAID", "WAITCONFIRM": "PAID", "已付款待审核": "PAID", "已付款": "PAID",
    "已审核": "PAID", "CONFIRMED": "PAID", "待发货": "PAID", "已客审待财审": "PAID",
    "发货中": "PAID", "DELIVERING": "PAID", "部分发货": "PAID",
    "已发货": "SHIPPED", "SENT": "SHIPPED", "已出库": "SHIPPED",
    "已完成": "COMPLETED", "FINISHED": "COMPLETED", "已签收": "COMPLETED", "确认收货": "COMPLETED",
    "交易成功": "COMPLETED",
    "已取消": "CANCELLED", "CANCELLED": "CANCELLED", "交易关闭": "CANCELLED", "订单关闭": "CANCELLED",
    "异常": "EXCEPTION", "QUESTION": "EXCEPTION", "售后中": "EXCEPTION", "退款中": "EXCEPTION",
}

COLUMN_TYPES = {
    "order_lines": {
        "created_at": "timestamp", "paid_at": "timestamp", "shipped_at": "timestamp",
        "promised_ship_by": "timestamp", "amount": "number", "qty": "number", "price": "number",
    },
    "inventory": {"on_hand": "number", "locked": "number", "incoming_qty": "number",
                  "incoming_eta": "timestamp"},
    "tracking_csv": {"event_time": "timestamp"},
    "agents": {"capacity": "number"},
    "feedback": {"handled_at": "timestamp", "file_time": "timestamp"},
}


class OrderLine(pa.DataFrameModel):
    """One ERP order line after type coercion."""

    order_id: str = pa.Field(nullable=False, str_length={"min_value": 1})
    status: str = pa.Field(nullable=False, isin=sorted(set(ORDER_STATUS.values())))
    sku: str = pa.Field(nullable=False)
    qty: float = pa.Field(nullable=False, gt=0)
    price: float = pa.Field(nullable=True, ge=0)
    amount: float = pa.Field(nullable=True, ge=0)

    class Config:
        strict = False


class InventoryRow(pa.DataFrameModel):
    """One SKU × warehouse stock row."""

    sku: str = pa.Field(nullable=False)
    warehouse: str = pa.Field(nullable=False)
    on_hand: float = pa.Field(nullable=False)
    incoming_qty: float = pa.Field(nullable=True, ge=0)

    class Config:
        strict = False


class TrackingEvent(pa.DataFrameModel):
    """One courier scan event."""

    tracking_no: str = pa.Field(nullable=False, str_length={"min_value": 1})
    event_time: pl.Datetime = pa.Field(nullable=False)

    class Config:
        strict = False


class Agent(pa.DataFrameModel):
    """One roster entry."""

    agent_id: str = pa.Field(nullable=False, str_matches=r"^[0-9A-Za-z_.\-\u4e00-\u9fff]+$")
    capacity: float = pa.Field(nullable=True, ge=0)

    class Config:
        strict = False


class FeedbackRow(pa.DataFrameModel):
    """One row of a worklist an agent handed back."""

    anomaly_key: str = pa.Field(nullable=False, str_length={"min_value": 1})
    result: str = pa.Field(nullable=False, isin=RESULT_CHOICES)

    class Config:
        strict = False


MODELS = {
    "order_lines": OrderLine,
    "inventory": InventoryRow,
    "tracking_csv": TrackingEvent,
    "agents": Agent,
    "feedback": FeedbackRow,
}

CHECK_REASONS = {
    "not_nullable": "required value is empty",
    "greater_than(0)": "must be greater than 0",
    "greater_than_or_equal_to(0)": "must not be negative",
    "str_length(1, None)": "required value is empty",
    "isin": "unknown value",
    "str_matches": "has characters not allowed in an id (letters, digits, _ . - and Chinese only)",
}
