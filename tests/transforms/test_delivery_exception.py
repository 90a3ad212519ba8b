"""DELIVERY_EXCEPTION: subtypes from status codes and text, locker threshold."""

import pytest

from tests.helpers import event, fired, hours_before, order, run_rules

N = "73100000000001"


def _latest(code, hours=5, context="异常"):
    orders = [order(shipped_at=hours_before(80), paid_at=hours_before(81))]
    events = [event(N, 79, code="103"), event(N, hours, code=code, context=context)]
    return fired(run_rules(orders=orders, events=events), "DELIVERY_EXCEPTION")


@pytest.mark.parametrize("code, subtype", [
    ("14", "REFUSED"), ("203", "REFUSED"), ("6", "RETURNING"), ("4", "RETURNED"),
    ("206", "UNREACHABLE"), ("207", "OUT_OF_AREA"), ("208", "HELD"), ("209", "DAMAGED"),
    ("205", "LOCKER_UNCOLLECTED"), ("2", "OTHER"),
])
def test_subtype_from_the_status_code(code, subtype):
    assert _latest(code) == {("DELIVERY_EXCEPTION", subtype, "O1", N)}


@pytest.mark.parametrize("hours, fires", [(48 - 1 / 60, False), (48, False), (48 + 1 / 60, True)])
def test_locker_uncollected_threshold(hours, fires):
    expected = {("DELIVERY_EXCEPTION", "LOCKER_UNCOLLECTED", "O1", N)} if fires else set()
    assert _latest("501", hours) == expected


def test_problem_resolved_by_a_later_scan_is_not_an_exception():
    orders = [order(shipped_at=hours_before(80), paid_at=hours_before(81))]
    events = [event(N, 79, code="103"), event(N, 10, code="206"), event(N, 5, code="5")]
    assert fired(run_rules(orders=orders, events=events), "DELIVERY_EXCEPTION") == set()


@pytest.mark.parametrize("context, subtype", [
    ("收件人电话无法联系", "UNREACHABLE"),
    ("收件人电话无人接听，派送不成功", "UNREACHABLE"),
    ("收件人手机关机，派件失败", "UNREACHABLE"),
    ("收件地址超区", "OUT_OF_AREA"),
    ("收件地址超出派送范围，无法派送", "OUT_OF_AREA"),
    ("快件滞留在网点", "HELD"),
    ("快件留仓，收件人要求改天派送", "HELD"),
    ("快件外包装破损，网点处理中", "DAMAGED"),
    ("快件派送不成功", "OTHER"),
    ("您的快件在【张江菜鸟驿站】已超时未取，请尽快取件", "LOCKER_UNCOLLECTED"),
    ("快件在驿站滞留超过3天未取，请及时领取", "LOCKER_UNCOLLECTED"),
    # a condition names no subtype
    ("快件派送不成功，如有破损请联系客服", "OTHER"),
])
def test_subtype_from_the_text_without_a_code(context, subtype):
    orders = [order(shipped_at=hours_before(80), paid_at=hours_before(81))]
    events = [event(N, 79, code="103"), dict(event(N, 5, code=None), context=context)]
    assert fired(run_rules(orders=orders, events=events), "DELIVERY_EXCEPTION") == {
        ("DELIVERY_EXCEPTION", subtype, "O1", N)}


def test_text_only_events_are_classified():
    orders = [order(shipped_at=hours_before(80), paid_at=hours_before(81))]
    events = [dict(event(N, 79, code=None), context="快递员已揽件"),
              dict(event(N, 5, code=None), context="收件人拒收，快件退回")]
    assert fired(run_rules(orders=orders, events=events), "DELIVERY_EXCEPTION") == {
        ("DELIVERY_EXCEPTION", "REFUSED", "O1", N)}


@pytest.mark.parametrize("hours", [1 / 60, 5, 60])
def test_a_parcel_left_past_its_time_is_the_same_exception_with_code_205_and_as_text(hours):
    # Kuaidi100's 205 柜或驿站超时未取 is a problem at once; its text read alone must be too,
    # not a locker wait that fires only past locker_uncollected
    context = "您的快件在【张江菜鸟驿站】已超过3天未取，请尽快取件"
    orders = [order(shipped_at=hours_before(160), paid_at=hours_before(161))]
    runs = [[event(N, 159, code="103"), event(N, 80, code="501", context="快件已存放至菜鸟驿站"),
             dict(event(N, hours, code=code), context=context)] for code in ("205", None)]
    found = [fired(run_rules(orders=orders, events=events), "DELIVERY_EXCEPTION")
             for events in runs]
    assert found[0] == found[1] == {("DELIVERY_EXCEPTION", "LOCKER_UNCOLLECTED", "O1", N)}
