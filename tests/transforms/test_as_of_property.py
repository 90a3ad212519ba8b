"""Property: a run at as_of = T on the full data equals a run on the data cut at T.

Everything time-stamped after T is removed from the second copy: orders created later,
payments and shipments later (a later shipment also takes its tracking number), and later
events. The export's statuses are snapshots, not time-stamped, so both copies keep them.
"""

import datetime as dt

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import run_rules

BASE = dt.datetime(2026, 11, 10, 0, 0)
NUMBERS = ["73100000000001", "73100000000002", "SF1385628716739", "ZT12345"]
RECEIVERS = [("张三", "13800001111"), ("李四", "13900002222")]
PROVINCES = ["浙江", "广东", "新疆"]
CODES = ["101", "103", "1002", "5", "3", "303", "304", "501", "14", "206", "6", "4", "7"]


def _time(minutes: int) -> dt.datetime:
    return BASE + dt.timedelta(minutes=minutes)


def _fmt(t):
    return None if t is None else t.strftime("%Y-%m-%d %H:%M:%S")


HOUR = 60  # times are whole minutes, so thresholds ± 1 minute come up
order_st = st.fixed_dictionaries({
    "paid": st.one_of(st.none(), st.integers(0, 150 * HOUR)),
    "ship_delay": st.one_of(st.none(), st.integers(HOUR // 2, 80 * HOUR)),
    "cancelled": st.booleans(),
    "number": st.one_of(st.none(), st.sampled_from(NUMBERS)),
    "receiver": st.sampled_from(RECEIVERS),
    "province": st.sampled_from(PROVINCES),
    "sku": st.sampled_from(["SKU-1", "SKU-2"]),
    "qty": st.integers(1, 3),
    "promised": st.one_of(st.none(), st.integers(HOUR, 60 * HOUR)),
    "erp_short": st.booleans(),
    # the parcel's scans, in hours after shipping (before it too: an old number)
    "events": st.lists(st.tuples(st.integers(-30 * HOUR, 120 * HOUR), st.sampled_from(CODES),
                                 st.sampled_from(PROVINCES)), max_size=5),
})


def _rows(orders, cut: dt.datetime | None):
    """Order lines and events as text rows; with `cut`, everything after it removed."""
    lines, kept_events = [], []
    for i, o in enumerate(orders):
        paid = None if o["paid"] is None else _time(o["paid"])
        created = (paid or BASE) - dt.timedelta(hours=1)
        shipped = None if paid is None or o["ship_delay"] is None else \
            paid + dt.timedelta(minutes=o["ship_delay"])
        promised = None if paid is None or o["promised"] is None else \
            paid + dt.timedelta(minutes=o["promised"])
        number = o["number"] if shipped else None
        for minutes, code, province in o["events"] if number else ():
            t = shipped + dt.timedelta(minutes=minutes)
            if cut is None or t <= cut:
                kept_events.append({"tracking_no": number, "event_time": _fmt(t),
                                    "status_code": code, "context": "扫描",
                                    "area": f"{province},某市"})
        if cut is not None:
            if created > cut:
                continue
            if paid is not None and paid > cut:
                paid = promised = None
            if shipped is not None and shipped > cut:
                shipped = number = None
        lines.append({
            "order_id": f"O{i}", "status": "已取消" if o["cancelled"] else "已发货",
            "question_type": "缺货" if o["erp_short"] else None,
            "created_at": _fmt(created), "paid_at": _fmt(paid), "shipped_at": _fmt(shipped),
            "promised_ship_by": _fmt(promised), "carrier": "中通快递", "tracking_no": number,
            "receiver_name": o["receiver"][0], "receiver_phone": o["receiver"][1],
            "province": o["province"], "warehouse": "杭州仓", "sku": o["sku"],
            "qty": str(o["qty"]), "amount": "10"})
    return lines, kept_events


def _cut_offs(lines, events) -> list[dt.datetime]:
    """Cut-offs where rules change their mind: every time in the data plus 0, 24, 48 or
    72 hours, each ± 1 minute."""
    stamps = {dt.datetime.fromisoformat(v) for row in (*lines, *events) for k, v in row.items()
              if v and k in ("paid_at", "shipped_at", "promised_ship_by", "event_time")}
    return sorted({t + dt.timedelta(hours=h, minutes=m) for t in stamps
                   for h in (0, 24, 48, 72) for m in (-1, 0, 1)}) or [BASE]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(orders=st.lists(order_st, min_size=1, max_size=6), data=st.data())
def test_run_at_t_equals_run_on_data_cut_at_t(orders, data):
    as_of = data.draw(st.sampled_from(_cut_offs(*_rows(orders, None))), label="as_of")
    inventory = [{"sku": "SKU-1", "warehouse": "杭州仓", "on_hand": "2"}]
    full_orders, full_events = _rows(orders, None)
    cut_orders, cut_events = _rows(orders, as_of)
    full = run_rules(orders=full_orders, events=full_events, inventory=inventory, as_of=as_of)
    truncated = run_rules(orders=cut_orders, events=cut_events, inventory=inventory,
                          as_of=as_of)
    columns = ["anomaly_type", "subtype", "order_id", "tracking_no", "elapsed_hours",
               "threshold_hours", "detail"]
    pd.testing.assert_frame_equal(full[columns], truncated[columns])
