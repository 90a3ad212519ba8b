"""Score and tier against the formula README documents, with its documented defaults: every
weight, cap and cut-off changes an outcome here (inline LATE_SHIPMENT orders, SLA 48 h)."""


import duckdb
import pytest

from core.config import load_config
from core.registry import RULES
from tests.helpers import AS_OF, hours_before, load, order
from transforms.detect import build_staging, detect
from transforms.prioritise import prioritise

# README "Priority": the documented defaults
DOCUMENTED = {"weight_severity": 40, "weight_overdue": 30, "weight_amount": 15,
              "weight_days_open": 15, "weight_repeat": 10, "amount_cap": 500,
              "days_open_cap": 7, "p1_min_score": 65, "p2_min_score": 40}
SLA = 48


def documented_score(severity, elapsed, threshold, amount, days_open, repeat,
                     w=DOCUMENTED) -> float:
    """score = ws·severity + wo·min(1, overdue share) + wa·min(1, amount/cap)
    + wd·min(1, days open/cap) + wr·repeat, capped at 100, one decimal."""
    overdue = min(1.0, max(0.0, (elapsed - threshold) / threshold))
    score = (w["weight_severity"] * severity + w["weight_overdue"] * overdue
             + w["weight_amount"] * min(1.0, amount / w["amount_cap"])
             + w["weight_days_open"] * min(1.0, days_open / w["days_open_cap"])
             + w["weight_repeat"] * repeat)
    return round(min(100.0, score), 1)


def tier(score, w=DOCUMENTED) -> str:
    return "P1" if score >= w["p1_min_score"] else "P2" if score >= w["p2_min_score"] else "P3"


def scored(cases, config=None):
    """(score, tier) per order id for late, unshipped orders: (order_id, hours since payment,
    amount, days open, contacted)."""
    config = config or load_config()
    con = duckdb.connect()
    try:
        load(con, orders=[order(oid, status="已审核", shipped_at=None, tracking_no=None, carrier=None,
                                paid_at=hours_before(hours), created_at=hours_before(hours + 1),
                                amount=str(amount))
                          for oid, hours, amount, _, _ in cases])
        build_staging(con, config, AS_OF)
        detect(con, config, AS_OF)
        con.execute("create table keys as select distinct order_id, left(md5(anomaly_type || '|' "
                    "|| order_id || '|' || coalesce(tracking_no, '')), 16) as anomaly_key "
                    "from detected")
        con.execute("create table opened (order_id varchar, days integer)")
        con.executemany("insert into opened values (?, ?)",
                        [(oid, days) for oid, _, _, days, _ in cases])
        con.execute("create table history_first_seen as select anomaly_key, "
                    "$as_of - to_days(days) as first_seen from keys join opened using (order_id)",
                    {"as_of": AS_OF})
        con.execute("create table previous_assignment (order_id varchar, agent_id varchar)")
        # a contact 30 h ago, past recontact_after (24 h): listed again as a repeat
        con.execute("create table actions_seen as select $as_of - interval 30 hour as dated_at, "
                    "anomaly_key, order_id, '已催件' as result, null as note, "
                    "null as new_tracking_no, 'kf01' as agent_id, 'kf01.xlsx' as file, "
                    "3 as \"row\" from keys where order_id in (select unnest($ids))",
                    {"ids": [oid for oid, *_, contacted in cases if contacted] or [""],
                     "as_of": AS_OF})
        con.execute("create table history_facts (as_of timestamp, anomaly_key varchar, "
                    "facts_hash varchar, tracking_no varchar, order_id varchar)")
        prioritise(con, config, AS_OF)
        rows = con.execute("select order_id, anomaly_type, score, priority from anomalies"
                           ).fetchall()
    finally:
        con.close()
    assert {t for _, t, _, _ in rows} == {"LATE_SHIPMENT"}
    return {oid: (score, priority) for oid, _, score, priority in rows}


SEVERITY = RULES["LATE_SHIPMENT"].severity

# (order, hours since payment, amount, days open, contacted): every component non-zero in
# "all", and orders sitting exactly on and just under each cut-off
CASES = [
    ("all", 72, 250, 3, True),
    ("p1_edge", 92.8, 300, 0, False),      # 28 + 28 + 9 = 65.0
    ("under_p1", 92.64, 300, 0, False),    # 28 + 27.9 + 9 = 64.9
    ("p2_edge", 67.2, 0, 0, False),        # 28 + 12 = 40.0
    ("under_p2", 67.04, 0, 0, False),      # 28 + 11.9 = 39.9
    ("capped", 500, 5000, 30, True),       # every share capped at 1: 28 + 30 + 15 + 15 + 10
]


def test_scores_and_tiers_follow_the_documented_formula():
    found = scored(CASES)
    for oid, hours, amount, days, contacted in CASES:
        expected = documented_score(SEVERITY, hours, SLA, amount, days, contacted)
        assert found[oid] == (pytest.approx(expected, abs=0.05), tier(expected)), oid


def test_the_cut_offs_sit_exactly_between_the_edge_orders():
    found = scored(CASES)
    assert [found[o][1] for o in ("p1_edge", "under_p1", "p2_edge", "under_p2")] == \
        ["P1", "P2", "P2", "P3"]
    assert found["p1_edge"][0] == 65.0 and found["under_p1"][0] == 64.9
    assert found["p2_edge"][0] == 40.0 and found["under_p2"][0] == 39.9


@pytest.mark.parametrize("key", sorted(k for k in DOCUMENTED if not k.startswith("p")))
def test_each_weight_and_cap_moves_the_score_of_the_full_order(key):
    changed = {**DOCUMENTED, key: DOCUMENTED[key] * 2}
    config = load_config(overrides={"priority": changed})
    found = scored(CASES[:1], config)
    oid, hours, amount, days, contacted = CASES[0]
    expected = documented_score(SEVERITY, hours, SLA, amount, days, contacted, changed)
    assert expected != documented_score(SEVERITY, hours, SLA, amount, days, contacted)
    assert found[oid][0] == pytest.approx(expected, abs=0.05)


def test_the_score_is_capped_at_100():
    config = load_config(overrides={"priority": {"weight_repeat": 60}})
    assert scored(CASES[-1:], config)["capped"][0] == 100.0
