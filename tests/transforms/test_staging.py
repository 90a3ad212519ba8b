"""Staging: tracking events de-duplicated across pushes, files and spellings of a number."""

import duckdb

from core.config import load_config
from core.db import create_table
from tests.helpers import AS_OF, event, load, order
from transforms.detect import EPHEMERAL, build_staging, rule_params

N = "SF1385628790123"


def _staged(events, files, query):
    """`query` over the staging tables of inline events, the i-th read from file `files[i]`."""
    con = duckdb.connect()
    try:
        load(con, events=events)
        con.execute("update tracking_csv set _file = $f[_row - 1]", {"f": files})
        config = load_config()
        build_staging(con, config, AS_OF)
        # stg_events is computed within the table that reads it; stored here to look at it
        create_table(con, "stg_events", EPHEMERAL["stg_events"], rule_params(config, AS_OF))
        return con.execute(query).fetchall()
    finally:
        con.close()


def _staged_events(events, files):
    """stg_events of inline events."""
    return _staged(events, files, "select tracking_no, context, area, _file, _row "
                                  "from stg_events order by event_time, context")


def test_an_event_repeated_in_a_later_file_and_another_spelling_is_kept_once():
    events = [event(N.lower(), 10, context="运输中", area="浙江,杭州市"),   # row 2, b.csv
              event(N, 10, context="运输中", area="江苏,南京市"),           # row 3, a.csv
              event(N, 10, context="运输中", area="上海,上海市"),           # row 4, a.csv
              event(N, 5, context="派件中", area="浙江,杭州市")]            # row 5, b.csv
    rows = _staged_events(events, ["b.csv", "a.csv", "a.csv", "b.csv"])
    # the first copy by file name, then row, is the one kept
    assert rows == [(N, "运输中", "江苏,南京市", "a.csv", 3),
                    (N, "派件中", "浙江,杭州市", "b.csv", 5)]


def test_same_time_different_text_are_two_events():
    rows = _staged_events([event(N, 10, context="运输中"), event(N, 10, context="到达分拨中心")],
                          ["a.csv", "a.csv"])
    assert len(rows) == 2


def _latest(events, files):
    """The latest event's text of the one parcel in `events`."""
    return _staged(events, files, "select latest_context from stg_parcel_status")


def test_the_latest_event_is_the_latest_time_then_the_newer_push():
    # hours before as_of: 5 is later than 10, whatever the file
    assert _latest([event(N, 5, context="派件中"), event(N, 10, context="运输中")],
                   ["a.csv", "b.csv"]) == [("派件中",)]
    # same time: the later file, then the later line, says last
    tie = [event(N, 5, context="派件中"), event(N, 5, context="已签收")]
    assert _latest(tie, ["b.csv", "a.csv"]) == [("派件中",)]
    assert _latest(tie, ["a.csv", "a.csv"]) == [("已签收",)]


def _staged_orders(lines, columns, config=None):
    """`columns` of stg_orders, by order, for inline order lines."""
    con = duckdb.connect()
    try:
        load(con, orders=lines)
        build_staging(con, config or load_config(), AS_OF)
        return con.execute(f"select order_id, {columns} from stg_orders order by 1").fetchall()
    finally:
        con.close()


def test_an_orders_question_types_are_its_lines_distinct_ones_in_order():
    lines = [order("A", sku="S1", question_type="缺货"), order("A", sku="S2"),
             order("A", sku="S3", question_type="地址异常"),
             order("A", sku="S4", question_type="缺货"), order("B")]
    assert _staged_orders(lines, "question_type") == [("A", "地址异常 缺货"), ("B", None)]


def test_an_orders_fields_are_its_lines_own_or_the_least_of_its_lines():
    # one line: its own fields (not aggregated); several: the least of each free-text field;
    # either way a 旺店通 region cell gives the province and city when they are missing
    region = {"province": None, "city": None, "region": "浙江省 杭州市 西湖区"}
    lines = [order("S", buyer_message="请放门口", seller_remark=None, **region),
             order("M", sku="S1", buyer_message="周末送", seller_remark="加急"),
             order("M", sku="S2", buyer_message="请放门口", seller_remark=None, **region)]
    rows = _staged_orders(lines, "province, city, buyer_message, seller_remark, _row")
    assert rows == [("M", "浙江", "杭州市", "周末送", "加急", 3),
                    ("S", "浙江省", "杭州市", "请放门口", None, 2)]


def test_an_orders_zone_is_its_warehouses_and_its_promotions_those_it_shipped_in():
    # a warehouse with a zone table of its own uses it; any other, the default one (浙江's:
    # 江苏 zone 1, 新疆 zone 3, the rest 2). Promotions are named in start order, both ends
    # of a window inside it, and only for a shipment the run can see
    config = load_config(overrides={
        "zones": {"广州仓": {"zone1": ["广东"], "zone3": ["新疆"]}},
        "promotions": [{"name": "双12", "start": "2026-11-19 00:00", "end": "2026-11-20 23:59"},
                       {"name": "双11", "start": "2026-11-18 00:00", "end": "2026-11-19 06:00"}]})
    lines = [order("A", warehouse="广州仓", province="广东", shipped_at="2026-11-19 06:00"),
             order("B", warehouse="广州仓", province="江苏", shipped_at="2026-11-18 00:00"),
             order("C", warehouse="北京仓", province="江苏", shipped_at="2026-11-17 23:59"),
             order("D", warehouse=None, province="新疆维吾尔自治区", shipped_at="2026-11-20 07:00"),
             order("E", warehouse="杭州仓", province="广东", shipped_at="2026-11-20 09:00")]
    assert _staged_orders(lines, "zone, promotion", config) == [
        ("A", 1, "双11、双12"), ("B", 2, "双11"), ("C", 1, None), ("D", 3, "双12"), ("E", 2, None)]


def test_a_promotion_named_empty_still_counts():
    # UNPICKED relaxes its threshold for any promotion, whatever its name
    config = load_config(overrides={"promotions": [
        {"name": "", "start": "2026-11-19 00:00", "end": "2026-11-20 23:59"}]})
    lines = [order("A", shipped_at="2026-11-19 06:00"), order("B", shipped_at="2026-11-18 06:00")]
    assert _staged_orders(lines, "promotion", config) == [("A", ""), ("B", None)]
