"""The same anomalies whether a parcel's history arrives with Kuaidi100's codes or as a flat
export of time and text: every real history of the corpus (tests/fixtures/scan_texts/) run
both ways, at every moment of its life and days after its last scan. A history coded in a
carrier's own scheme (中通's actions, 顺丰's opcodes, 菜鸟's states, 快递鸟's) arrives with the
Kuaidi100 code of the same canonical status, as an export from an aggregator would."""

import datetime as dt
from collections import defaultdict

import duckdb

from core.config import load_config
from tests.helpers import coded_corpus, load, order
from transforms.detect import build_staging, detect

# a number of the right shape per carrier, so the number rules stay quiet
CARRIERS = {"yuantong": ("圆通速递", "YT{:013d}"), "jd": ("京东物流", "JDX{:012d}"),
            "shunfeng": ("顺丰速运", "SF{:013d}"), "youzhengguonei": ("中国邮政", "98{:011d}"),
            "yunda": ("韵达快递", "4{:014d}"), "shentong": ("申通快递", "77{:013d}"),
            "zhongtong": ("中通快递", "73{:012d}"), "huitongkuaidi": ("百世快递", "JT{:013d}"),
            "debangkuaidi": ("德邦快递", "DPK{:012d}")}
# a canonical status as the Kuaidi100 code an aggregator would give it
KUAIDI100_OF = {"ORDERED": "101", "PICKED_UP": "1", "IN_TRANSIT": "0", "OUT_FOR_DELIVERY": "5",
                "AT_LOCKER": "501", "SIGNED": "3", "SIGNED_PROXY": "303", "SIGNED_LOCKER": "304",
                "RETURNING": "6", "RETURN_SIGNED": "4", "REFUSED": "14", "PROBLEM": "2",
                "FORWARDED": "7", "CANCELLED": "401"}
# every moment of a history's life is one parcel: the history cut after each of its events,
# moved so that event is the last one seen at END; the runs then look at all of them a minute
# after that event and hours later, past the stalled and locker thresholds
END = dt.datetime(2026, 11, 20, 8, 0)
AFTER_LAST_SCAN = (1 / 60, 1, 30, 60, 100)  # hours


def _histories() -> list[list[dict]]:
    """Each source's events of one carrier, in time order, each with its Kuaidi100 code and name."""
    by_source = defaultdict(list)
    for row, scheme, code, status in coded_corpus():
        if scheme == "kuaidi100":
            coded = {"status_code": code, "status_text": row["status_name"]}
        else:
            coded = {"status_code": KUAIDI100_OF[status], "status_text": None}
        by_source[(row["source"], row["carrier"])].append({**row, **coded})
    return [sorted(h, key=lambda r: r["time"]) for h in by_source.values()]


def _exports() -> tuple[list[dict], list[dict], list[dict], set[dt.datetime]]:
    """Orders, the events with codes, the same events as flat text, and the moments to run."""
    orders, coded, flat = [], [], []
    parcel = 0
    for history in _histories():
        carrier, shape = CARRIERS[history[0]["carrier"]]
        for cut in range(1, len(history) + 1):
            parcel += 1
            seen = history[:cut]
            times = [dt.datetime.fromisoformat(r["time"]) for r in seen]
            shift = END - times[-1]
            number = shape.format(parcel)
            first = times[0] + shift
            orders.append(order(f"O{parcel}", carrier=carrier, tracking_no=number,
                                created_at=str(first - dt.timedelta(hours=3)),
                                paid_at=str(first - dt.timedelta(hours=2)),
                                shipped_at=str(first - dt.timedelta(hours=1))))
            for row, time in zip(seen, times):
                at = str(time + shift)
                coded.append({"tracking_no": number, "event_time": at, "context": row["context"],
                              "status_code": row["status_code"],
                              "status_text": row["status_text"]})
                flat.append({"tracking_no": number, "event_time": at, "context": row["context"]})
    moments = {END + dt.timedelta(hours=h) for h in AFTER_LAST_SCAN}
    return orders, coded, flat, moments


def _anomalies(orders, events, moments) -> dict[dt.datetime, set[tuple]]:
    """(type, subtype, order) of every rule's rows at each moment."""
    config = load_config()
    con = duckdb.connect()
    try:
        load(con, orders=orders, events=events)
        found = {}
        for as_of in sorted(moments):
            build_staging(con, config, as_of)
            detect(con, config, as_of)
            found[as_of] = set(con.execute(
                "select anomaly_type, subtype, order_id from detected").fetchall())
        return found
    finally:
        con.close()


def test_a_history_with_codes_and_as_flat_text_raises_the_same_anomalies():
    orders, coded, flat, moments = _exports()
    with_codes = _anomalies(orders, coded, moments)
    from_text = _anomalies(orders, flat, moments)
    for as_of in sorted(moments):
        assert from_text[as_of] == with_codes[as_of], as_of
    # the histories reach the states where codes and texts used to part
    seen = {(t, s) for rows in with_codes.values() for t, s, _ in rows}
    assert ("DELIVERY_EXCEPTION", "LOCKER_UNCOLLECTED") in seen
    assert ("PROXY_SIGNED", "SIGNED_LOCKER") in seen
