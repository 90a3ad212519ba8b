"""OUT_OF_STOCK: first-paid-first-served allocation per warehouse and SKU, ERP marks."""

from tests.helpers import fired, hours_before, order, run_rules


def _waiting(order_id, paid_hours, sku="SKU-1", qty="1", warehouse="杭州仓", **kw):
    return order(order_id, status="已审核", shipped_at=None, tracking_no=None,
                 paid_at=hours_before(paid_hours), created_at=hours_before(paid_hours + 1),
                 sku=sku, qty=qty, warehouse=warehouse, **kw)


def _stock(sku="SKU-1", on_hand="2", warehouse="杭州仓"):
    return {"sku": sku, "warehouse": warehouse, "on_hand": on_hand}


def _oos(orders, inventory):
    return {o for _, s, o, _ in fired(run_rules(orders=orders, inventory=inventory),
                                      "OUT_OF_STOCK")}


def test_latest_paid_lines_are_short():
    orders = [_waiting("A", 30), _waiting("B", 20), _waiting("C", 10)]
    assert _oos(orders, [_stock(on_hand="2")]) == {"C"}


def test_exactly_covered_is_not_short():
    assert _oos([_waiting("A", 30), _waiting("B", 20)], [_stock(on_hand="2")]) == set()


def test_paid_at_ties_are_broken_by_order_id():
    orders = [_waiting("B", 20), _waiting("A", 20)]
    assert _oos(orders, [_stock(on_hand="1")]) == {"B"}


def test_stock_is_per_warehouse():
    orders = [_waiting("A", 30, warehouse="广州仓"), _waiting("B", 20)]
    assert _oos(orders, [_stock(on_hand="1"), _stock(on_hand="0", warehouse="广州仓")]) == {"A"}


def test_cancelled_and_shipped_orders_take_no_stock():
    orders = [order("X", status="已取消", shipped_at=None, paid_at=hours_before(40), qty="5"),
              order("Y", sku="SKU-1", qty="5"),
              _waiting("A", 20)]
    assert _oos(orders, [_stock(on_hand="1")]) == set()


def test_an_order_with_any_short_line_fires_once():
    orders = [_waiting("A", 30, qty="1"), _waiting("A", 30, sku="SKU-2", qty="3")]
    rows = run_rules(orders=orders, inventory=[_stock(on_hand="5"), _stock("SKU-2", "1")])
    oos = rows[rows.anomaly_type == "OUT_OF_STOCK"]
    assert list(oos.order_id) == ["A"] and oos.iloc[0].subtype == "ALLOCATION"
    assert "SKU-2 缺 2" in oos.iloc[0].detail


def test_erp_marked_shortage_fires_even_with_stock():
    orders = [_waiting("A", 10, question_type="缺货")]
    rows = fired(run_rules(orders=orders, inventory=[_stock(on_hand="9")]), "OUT_OF_STOCK")
    assert rows == {("OUT_OF_STOCK", "ERP_MARKED", "A", None)}


def test_sku_missing_from_inventory_is_not_a_stock_out():
    assert _oos([_waiting("A", 10, sku="SKU-NEW")], [_stock()]) == set()


def test_payment_after_as_of_is_not_yet_waiting():
    assert _oos([_waiting("A", -1), _waiting("B", 10)], [_stock(on_hand="1")]) == set()
