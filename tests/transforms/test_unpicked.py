"""UNPICKED: thresholds ± 1 minute, events after as_of, cancelled orders, promotions."""

import datetime as dt

import pytest

from core.config import load_config
from tests.helpers import AS_OF, event, fired, order, run_rules

N = "73100000000001"


@pytest.mark.parametrize("shipped_hours, fires", [(24 - 1 / 60, False), (24, False), (24 + 1 / 60, True)])
def test_threshold_is_strict_at_one_minute(shipped_hours, fires):
    rows = run_rules(orders=[order(shipped_at=_ago(shipped_hours), paid_at=_ago(30))])
    assert fired(rows, "UNPICKED") == ({("UNPICKED", "NO_TRACE", "O1", N)} if fires else set())


def test_only_ordered_events_is_waiting_pickup():
    rows = run_rules(orders=[order(shipped_at=_ago(30), paid_at=_ago(31))],
                     events=[event(N, 29, code="101", context="已下单")])
    assert fired(rows, "UNPICKED") == {("UNPICKED", "WAITING_PICKUP", "O1", N)}


def test_a_pickup_scan_prevents_it():
    rows = run_rules(orders=[order(shipped_at=_ago(30), paid_at=_ago(31))],
                     events=[event(N, 29, code="103", context="已揽收")])
    assert fired(rows, "UNPICKED") == set()


def test_pickup_one_minute_after_as_of_is_invisible():
    rows = run_rules(orders=[order(shipped_at=_ago(30), paid_at=_ago(31))],
                     events=[event(N, -1 / 60, code="103")])
    assert fired(rows, "UNPICKED") == {("UNPICKED", "NO_TRACE", "O1", N)}


def test_cancelled_order_is_not_shipped():
    rows = run_rules(orders=[order(status="已取消", shipped_at=_ago(30), paid_at=_ago(31))])
    assert fired(rows) == set()


def test_shipped_after_as_of_is_not_shipped_yet():
    rows = run_rules(orders=[order(shipped_at=_ago(-2), paid_at=_ago(10))])
    assert fired(rows, "UNPICKED") == set()


def test_promotion_window_uses_the_relaxed_threshold():
    config = load_config(overrides={"promotions": [
        {"name": "双11", "start": "2026-11-18 00:00", "end": "2026-11-19 23:59"}]})
    shipped = _ago(30)  # 2026-11-19 02:00, inside the window: 30 h < 72 h
    assert fired(run_rules(orders=[order(shipped_at=shipped, paid_at=_ago(31))],
                           config=config), "UNPICKED") == set()
    outside = load_config(overrides={"promotions": [
        {"name": "618", "start": "2026-06-01 00:00", "end": "2026-06-18 23:59"}]})
    assert fired(run_rules(orders=[order(shipped_at=shipped, paid_at=_ago(31))],
                           config=outside), "UNPICKED") != set()


def test_reason_names_hours_and_threshold():
    rows = run_rules(orders=[order(shipped_at=_ago(31.5), paid_at=_ago(32))])
    row = rows[rows.anomaly_type == "UNPICKED"].iloc[0]
    assert row.elapsed_hours == pytest.approx(31.5)
    assert row.threshold_hours == 24


def _ago(hours: float) -> str:
    return (AS_OF - dt.timedelta(hours=hours)).strftime("%Y-%m-%d %H:%M:%S")


def test_kuaidi100_no_record_abort_is_named_in_the_reason():
    rows = run_rules(orders=[order(shipped_at=_ago(40), paid_at=_ago(41))],
                     meta=[{"tracking_no": N, "push_status": "abort", "message": "3天查询无记录"}])
    (detail,) = rows[rows.anomaly_type == "UNPICKED"].detail
    assert "3天查询无记录" in detail
