"""WRONG_TRACKING_NO: every subtype, the precedence between them, merged parcels vs reuse."""

import pytest

from tests.helpers import event, fired, hours_before, order, run_rules

ZTO = "73100000000001"
SF = "SF1385628716739"


def _one(orders, events=(), meta=()):
    return fired(run_rules(orders=orders, events=events, meta=meta), "WRONG_TRACKING_NO")


def test_shipped_without_number_is_missing():
    assert _one([order(tracking_no=None)]) == {("WRONG_TRACKING_NO", "MISSING", "O1", None)}


def test_unshipped_without_number_is_fine():
    assert _one([order(tracking_no=None, shipped_at=None, status="已审核")]) == set()


@pytest.mark.parametrize("raw", ["7.51131E+13", "7511306763020810", "8.814437750343789e+17"])
def test_unrecoverable_excel_damage_is_mangled(raw):
    rows = run_rules(orders=[order(tracking_no=raw, shipped_at=hours_before(40),
                                   paid_at=hours_before(41))])
    assert {(t, s) for t, s, *_ in fired(rows)} == {("WRONG_TRACKING_NO", "MANGLED")}


def test_recoverable_excel_damage_is_repaired_not_flagged():
    rows = run_rules(orders=[order(tracking_no="73100000000001.0")],
                     events=[event(ZTO, 5, code="103")])
    assert fired(rows) == set()


@pytest.mark.parametrize("number, carrier", [
    ("ZT12345", "中通快递"),
    ("7511306763020811", "中通快递"),       # a real ZTO number plus "11"
    ("EA123456789CN", "EMS"),               # S10 with a wrong check digit (should be 5)
])
def test_number_fitting_no_carrier_is_bad_format(number, carrier):
    assert _one([order(tracking_no=number, carrier=carrier)]) == {
        ("WRONG_TRACKING_NO", "BAD_FORMAT", "O1", number)}


def test_valid_s10_number_is_accepted():
    assert _one([order(tracking_no="EV008712571CN", carrier="EMS")]) == set()


def test_number_of_another_carrier_is_carrier_mismatch():
    assert _one([order(tracking_no=SF, carrier="中通快递")]) == {
        ("WRONG_TRACKING_NO", "CARRIER_MISMATCH", "O1", SF)}


def test_ambiguous_legacy_number_fits_any_candidate():
    # 12 digits: old SF, ZTO and STO numbers all look like this
    assert _one([order(tracking_no="234816261524", carrier="顺丰速运")]) == set()


def test_forwarded_from_an_event():
    assert _one([order()], events=[event(ZTO, 5, code="103"), event(ZTO, 4, code="7")]) == {
        ("WRONG_TRACKING_NO", "FORWARDED", "O1", ZTO)}


def test_forwarded_from_kuaidi100_com_new():
    assert _one([order()], events=[event(ZTO, 5, code="103")],
                meta=[{"tracking_no": ZTO, "com_new": "yunda"}]) == {
        ("WRONG_TRACKING_NO", "FORWARDED", "O1", ZTO)}


def test_com_new_equal_to_the_erp_carrier_is_not_forwarded():
    assert _one([order()], meta=[{"tracking_no": ZTO, "com_new": "zhongtong"}]) == set()


def test_reused_number_on_two_receivers_flags_both():
    rows = _one([order("A"), order("B", receiver_name="李四", receiver_phone="13900002222")])
    assert rows == {("WRONG_TRACKING_NO", "DUPLICATE", "A", ZTO),
                    ("WRONG_TRACKING_NO", "DUPLICATE", "B", ZTO)}


def test_merged_parcel_of_one_receiver_is_not_duplicate():
    assert _one([order("A"), order("B")]) == set()


def test_reuse_outside_the_window_is_not_duplicate():
    old = order("B", receiver_name="李四", receiver_phone="13900002222",
                paid_at=hours_before(92 * 24), shipped_at=hours_before(91 * 24),
                created_at=hours_before(92 * 24 + 1))
    assert _one([order("A"), old]) == set()


def test_first_event_before_payment_is_before_ship():
    rows = _one([order(paid_at=hours_before(12))], events=[event(ZTO, 14, code="103")])
    assert rows == {("WRONG_TRACKING_NO", "BEFORE_SHIP", "O1", ZTO)}


def test_first_event_within_an_hour_before_payment_is_fine():
    assert _one([order(paid_at=hours_before(12))], events=[event(ZTO, 12.9, code="103")]) == set()


def test_delivery_in_another_province_is_dest_mismatch():
    rows = _one([order(province="浙江省")],
                events=[event(ZTO, 8, code="103"), event(ZTO, 2, code="3", area="广东,广州市")])
    assert rows == {("WRONG_TRACKING_NO", "DEST_MISMATCH", "O1", ZTO)}


def test_subtype_is_the_first_that_applies_and_reason_names_all():
    # of another carrier AND reused by another receiver: CARRIER_MISMATCH comes first
    frame = run_rules(orders=[order("A", tracking_no=SF),
                              order("B", tracking_no=SF, receiver_name="李四",
                                    receiver_phone="13900002222", carrier="顺丰速运")])
    a = frame[(frame.anomaly_type == "WRONG_TRACKING_NO") & (frame.order_id == "A")].iloc[0]
    assert a.subtype == "CARRIER_MISMATCH"
    assert "顺丰速运" in a.detail and "B" in a.detail


def test_each_parcel_of_an_order_is_checked_on_its_own():
    rows = _one([order(tracking_no=f"{ZTO},ZT12345")])
    assert rows == {("WRONG_TRACKING_NO", "BAD_FORMAT", "O1", "ZT12345")}
