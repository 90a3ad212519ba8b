"""PROXY_SIGNED: a proxy or locker signature within the window."""

import pytest

from tests.helpers import event, fired, hours_before, order, run_rules

N = "73100000000001"


@pytest.mark.parametrize("code, hours, subtype", [
    ("303", 24 - 1 / 60, "SIGNED_PROXY"), ("303", 24, "SIGNED_PROXY"), ("304", 1, "SIGNED_LOCKER"),
    ("303", 24 + 1 / 60, None), ("3", 2, None), ("303", -1, None),
])
def test_window(code, hours, subtype):
    orders = [order(shipped_at=hours_before(80), paid_at=hours_before(81))]
    events = [event(N, 79, code="103"), event(N, hours, code=code)]
    expected = {("PROXY_SIGNED", subtype, "O1", N)} if subtype else set()
    assert fired(run_rules(orders=orders, events=events), "PROXY_SIGNED") == expected
