"""LATE_SHIPMENT: ship_sla ± 1 minute, promised ship time, cancellations."""

import pytest

from tests.helpers import fired, hours_before, order, run_rules


def _waiting(paid_hours, **kw):
    fields = {"status": "已审核", "shipped_at": None, "tracking_no": None,
              "paid_at": hours_before(paid_hours), "created_at": hours_before(paid_hours + 1)}
    return order(**(fields | kw))


@pytest.mark.parametrize("paid_hours, fires", [(48 - 1 / 60, False), (48, False),
                                               (48 + 1 / 60, True)])
def test_sla_threshold_is_strict(paid_hours, fires):
    rows = fired(run_rules(orders=[_waiting(paid_hours)]), "LATE_SHIPMENT")
    assert rows == ({("LATE_SHIPMENT", "SLA", "O1", None)} if fires else set())


def test_promised_ship_time_overrides_the_sla():
    rows = run_rules(orders=[_waiting(20, promised_ship_by=hours_before(8))])
    late = rows[rows.anomaly_type == "LATE_SHIPMENT"]
    assert list(late.subtype) == ["PROMISED"]
    assert late.iloc[0].threshold_hours == pytest.approx(12)


def test_promised_time_still_ahead_is_not_late():
    assert fired(run_rules(orders=[_waiting(60, promised_ship_by=hours_before(-5))]),
                 "LATE_SHIPMENT") == set()


def test_cancelled_and_shipped_orders_are_not_late():
    rows = run_rules(orders=[_waiting(100, status="已取消"),
                             order("O2", paid_at=hours_before(100), shipped_at=hours_before(99),
                                   created_at=hours_before(101))])
    assert fired(rows, "LATE_SHIPMENT") == set()


def test_shipped_after_as_of_was_still_waiting_at_as_of():
    rows = run_rules(orders=[order(paid_at=hours_before(60), shipped_at=hours_before(-3),
                                   created_at=hours_before(61))])
    assert fired(rows, "LATE_SHIPMENT") == {("LATE_SHIPMENT", "SLA", "O1", None)}
