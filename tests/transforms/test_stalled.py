"""STALLED: zone thresholds per warehouse, province names, terminal events, as_of cut-off."""

import pytest

from core.config import load_config
from tests.helpers import event, fired, hours_before, order, run_rules

N = "73100000000001"


def _moving(latest_hours: float, province: str = "浙江", warehouse: str = "杭州仓", extra=()):
    orders = [order(shipped_at=hours_before(100), paid_at=hours_before(101),
                    province=province, warehouse=warehouse)]
    events = [event(N, 99, code="103"), event(N, latest_hours, code="1002"), *extra]
    return orders, events


@pytest.mark.parametrize("province, hours, subtype", [
    ("浙江", 24 + 1 / 60, "ZONE1"),
    ("江苏省", 24 + 1 / 60, "ZONE1"),
    ("广东", 48 + 1 / 60, "ZONE2"),
    ("新疆维吾尔自治区", 48 + 1 / 60, "ZONE3"),
])
def test_just_over_the_zone_threshold_fires(province, hours, subtype):
    orders, events = _moving(hours, province)
    assert fired(run_rules(orders=orders, events=events), "STALLED") == {
        ("STALLED", subtype, "O1", N)}


@pytest.mark.parametrize("province, hours", [
    ("浙江", 24 - 1 / 60), ("浙江", 24), ("广东", 48 - 1 / 60), ("广东", 30),
    ("新疆维吾尔自治区", 47)])
def test_just_under_the_zone_threshold_does_not(province, hours):
    orders, events = _moving(hours, province)
    assert fired(run_rules(orders=orders, events=events), "STALLED") == set()


def test_zone_is_per_shipping_warehouse():
    config = load_config(overrides={"zones": {"广州仓": {"zone1": ["广东"], "zone3": []}}})
    orders, events = _moving(30, province="广东", warehouse="广州仓")
    assert fired(run_rules(orders=orders, events=events, config=config), "STALLED") == {
        ("STALLED", "ZONE1", "O1", N)}
    orders, events = _moving(30, province="浙江", warehouse="广州仓")
    assert fired(run_rules(orders=orders, events=events, config=config), "STALLED") == set()


def test_event_after_as_of_does_not_save_it():
    orders, events = _moving(30, extra=[event(N, -1 / 60)])
    assert fired(run_rules(orders=orders, events=events), "STALLED") == {
        ("STALLED", "ZONE1", "O1", N)}


def test_signed_is_terminal_even_with_a_later_transit_clock():
    orders, events = _moving(30, extra=[event(N, 40, code="3", context="已签收")])
    assert fired(run_rules(orders=orders, events=events), "STALLED") == set()


@pytest.mark.parametrize("code", ["2", "14", "6", "7", "501"])
def test_latest_state_owned_by_other_rules_is_excluded(code):
    orders, events = _moving(30, extra=[event(N, 29, code=code)])
    assert fired(run_rules(orders=orders, events=events), "STALLED") == set()


def test_duplicate_pushes_count_once_and_never_picked_up_is_not_stalled():
    orders = [order(shipped_at=hours_before(60), paid_at=hours_before(61))]
    events = [event(N, 59, code="101"), event(N, 59, code="101")]
    rows = run_rules(orders=orders, events=events)
    assert fired(rows, "STALLED") == set()
    assert fired(rows, "UNPICKED") == {("UNPICKED", "WAITING_PICKUP", "O1", N)}
