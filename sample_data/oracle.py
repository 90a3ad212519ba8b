"""The docs/contracts.md, rules rules written plainly over the generator's own model, as a second opinion.

The generator labels what it plants for the sample date by construction; for other as-of
dates (earlier runs, a date inside a promotion) the labels come from this oracle. It reads
the generator's objects, never the exported files or the rule SQL, so it is an independent
implementation of docs/contracts.md; at the sample date the generator checks that both agree.
Loops over orders are fine here: the sample is small.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections import defaultdict
from pathlib import Path

HOUR = dt.timedelta(hours=1)
THRESHOLDS = {"unpicked": 24, "unpicked_promo": 72, "zone": {1: 24, 2: 48, 3: 48},
              "ship_sla": 48, "locker_uncollected": 48, "proxy_signed_window": 24}
DEFAULT_ZONES = {"zone1": ["浙江", "江苏", "上海", "安徽"],
                 "zone3": ["新疆", "西藏", "青海", "甘肃", "宁夏", "内蒙古", "海南"]}
# Kuaidi100 codes the generator uses → docs/domain.md, courier scans status (and exception subtype)
STATUS = {"101": "ORDERED", "103": "PICKED_UP", "1002": "IN_TRANSIT", "5": "OUT_FOR_DELIVERY",
          "3": "SIGNED", "301": "SIGNED", "303": "SIGNED_PROXY", "304": "SIGNED_LOCKER",
          "501": "AT_LOCKER", "14": "REFUSED", "203": "REFUSED", "6": "RETURNING",
          "4": "RETURN_SIGNED", "2": "PROBLEM", "206": "PROBLEM", "207": "PROBLEM",
          "208": "PROBLEM", "209": "PROBLEM", "7": "FORWARDED"}
EXCEPTION_SUBTYPE = {"14": "REFUSED", "203": "REFUSED", "6": "RETURNING", "4": "RETURNED",
                     "206": "UNREACHABLE", "207": "OUT_OF_AREA", "208": "HELD", "209": "DAMAGED",
                     "2": "OTHER", "501": "LOCKER_UNCOLLECTED"}
TERMINAL = {"SIGNED", "SIGNED_PROXY", "SIGNED_LOCKER", "RETURN_SIGNED", "CANCELLED"}
DELIVERED = {"OUT_FOR_DELIVERY", "SIGNED", "SIGNED_PROXY", "SIGNED_LOCKER"}
SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市")


def short_province(name: str) -> str:
    for suffix in SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def load_sample_config(path: Path) -> tuple[dict, list[tuple[dt.datetime, dt.datetime]]]:
    """Zone tables per warehouse and promotion windows of the sample's configuration."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    zones = {"default": DEFAULT_ZONES, **data.get("zones", {})}
    promos = [(dt.datetime.fromisoformat(p["start"]), dt.datetime.fromisoformat(p["end"]))
              for p in data.get("promotions", [])]
    return zones, promos


def expected_anomalies(sample, as_of: dt.datetime, zones: dict, promos: list
                       ) -> set[tuple[str, str, str, str]]:
    """(type, subtype, order_id, tracking_no) of every anomaly a run at `as_of` must report."""
    events = defaultdict(list)  # number → [(time, code, area)]
    com_new = {}
    for push in sample.pushes:
        result = push["lastResult"]
        for e in result["data"]:
            t = dt.datetime.fromisoformat(e["time"])
            if t <= as_of:
                events[result["nu"]].append((t, e["statusCode"], e["areaName"]))
        if push.get("comNew"):
            com_new[result["nu"]] = push["comNew"]
    found: set[tuple[str, str, str, str]] = set()
    shipped, awaiting = [], []
    for o in sample.orders:
        if o.created_at > as_of:
            continue
        cancelled = o.status == "已取消"
        paid = o.paid_at is not None and o.paid_at <= as_of
        is_shipped = o.shipped_at is not None and o.shipped_at <= as_of and not cancelled
        if is_shipped:
            shipped.append(o)
        elif paid and not cancelled:
            awaiting.append(o)
    by_number = defaultdict(list)  # number → shipped orders that carry it
    for o in shipped:
        for number in _numbers(o):
            by_number[number].append(o)
    for o in shipped:
        _tracking_rules(o, as_of, events, com_new, zones, promos, by_number, found)
    _awaiting_rules(awaiting, as_of, sample.stock_export, found)
    return found


def _numbers(o) -> list[str]:
    return [n for n in o.tracking_no.split(",") if n]


def _tracking_rules(o, as_of, events, com_new, zones, promos, by_number, found) -> None:
    numbers = _numbers(o)
    if not numbers:
        found.add(("WRONG_TRACKING_NO", "MISSING", o.order_id, ""))
    province = short_province(o.province)
    table = zones.get(o.warehouse, zones["default"])
    zone = 1 if province in table["zone1"] else 3 if province in table["zone3"] else 2
    in_promo = any(start <= o.shipped_at <= end for start, end in promos)
    for number in numbers:
        issue = o.number_issue.get(number)
        history = sorted(events.get(number.removesuffix(".0"), []))
        statuses = [STATUS[c] for _, c, _ in history]
        elapsed_ship = (as_of - o.shipped_at) / HOUR
        # WRONG_TRACKING_NO, most specific first
        subtype = issue
        if subtype is None and ("FORWARDED" in statuses or
                                com_new.get(number, o.carrier_code) != o.carrier_code):
            subtype = "FORWARDED"
        if subtype is None and any(p.receiver != o.receiver for p in by_number[number]):
            subtype = "DUPLICATE"
        if subtype is None and history and history[0][0] < o.paid_at - HOUR:
            subtype = "BEFORE_SHIP"
        if subtype is None and any(STATUS[c] in DELIVERED and
                                   short_province(area.split(",")[0]) != province
                                   for _, c, area in history if area):
            subtype = "DEST_MISMATCH"
        if subtype:
            found.add(("WRONG_TRACKING_NO", subtype, o.order_id, number))
        if issue == "MANGLED":
            continue  # not a usable number
        number = number.removesuffix(".0")  # float damage is repaired
        if all(s == "ORDERED" for s in statuses):
            threshold = THRESHOLDS["unpicked_promo" if in_promo else "unpicked"]
            if elapsed_ship > threshold:
                found.add(("UNPICKED", "WAITING_PICKUP" if statuses else "NO_TRACE",
                           o.order_id, number))
            continue
        latest_time, latest_code, _ = history[-1]
        latest = STATUS[latest_code]
        elapsed = (as_of - latest_time) / HOUR
        if not TERMINAL & set(statuses) and latest not in (
                "PROBLEM", "REFUSED", "RETURNING", "FORWARDED", "AT_LOCKER"):
            if elapsed > THRESHOLDS["zone"][zone]:
                found.add(("STALLED", f"ZONE{zone}", o.order_id, number))
        if latest in ("PROBLEM", "REFUSED", "RETURNING", "RETURN_SIGNED") or (
                latest == "AT_LOCKER" and elapsed > THRESHOLDS["locker_uncollected"]):
            found.add(("DELIVERY_EXCEPTION", EXCEPTION_SUBTYPE[latest_code], o.order_id, number))
        if latest in ("SIGNED_PROXY", "SIGNED_LOCKER") and \
                elapsed <= THRESHOLDS["proxy_signed_window"]:
            found.add(("PROXY_SIGNED", latest, o.order_id, number))


def _awaiting_rules(awaiting, as_of, stock, found) -> None:
    left = dict(stock)
    short = set()
    queue = [(o.paid_at, o.order_id, i, o, sku, qty) for o in awaiting
             for i, (sku, qty) in enumerate(o.lines)]
    for _, _, _, o, sku, qty in sorted(queue, key=lambda q: q[:3]):
        key = (o.warehouse, sku)
        if key not in left:
            continue  # not in the stock export: a warning, not a stock-out
        if left[key] < qty:
            short.add(o.order_id)
        left[key] = max(left[key] - qty, 0)
    for o in awaiting:
        if o.order_id in short:
            found.add(("OUT_OF_STOCK", "ALLOCATION", o.order_id, ""))
        elif "缺货" in o.question_type:
            found.add(("OUT_OF_STOCK", "ERP_MARKED", o.order_id, ""))
        deadline = o.promised_ship_by or o.paid_at + THRESHOLDS["ship_sla"] * HOUR
        if as_of > deadline:
            found.add(("LATE_SHIPMENT", "PROMISED" if o.promised_ship_by else "SLA",
                       o.order_id, ""))
