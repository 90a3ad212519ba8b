"""Reading and validating exports: encodings, XLSX, title/total rows, rejects, reconciliation."""

import csv
import hashlib
import json

import duckdb
import pytest
from openpyxl import Workbook

from core.config import load_config
from core.errors import InputError
from schemas.ingest import classify, ingest, preflight
from schemas.profiles import JUSHUITAN

HEADERS = list(JUSHUITAN.headers)


def _line(order_id="O1", **over):
    row = {"内部订单号": order_id, "订单状态": "已发货", "付款时间": "2026-11-19 10:00:00",
           "发货时间": "2026-11-19 12:00:00", "快递公司": "中通快递", "快递单号": "73100000000001",
           "收货人": "张三", "收货手机": "13800001111", "省": "浙江", "发货仓": "杭州仓",
           "商品编码": "SKU-1", "数量": "1", "单价": "9.9", "实付金额": "9.9"}
    row.update(over)
    return [row.get(h, "") for h in HEADERS]


def _write_csv(path, rows, encoding="gbk", title=True, total=True, headers=HEADERS):
    with path.open("w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        if title:
            w.writerow(["订单明细导出"])
            w.writerow([])
        w.writerow(headers)
        w.writerows(rows)
        if total:
            w.writerow(["合计", "", "", "9.9"])
    return path


def _ingested(tmp_path, paths, queries, config=None):
    """Ingest `paths` (with `config`, else the defaults); returns the reports and each named
    query's rows."""
    config = config or load_config()
    con = duckdb.connect()
    try:
        reports = ingest(con, classify(list(paths), config.inputs), config, tmp_path)
        return reports, {name: con.execute(sql).fetchall() for name, sql in queries.items()}
    finally:
        con.close()


def _ingest(tmp_path, *paths):
    reports, rows = _ingested(tmp_path, paths, {
        "rejects": 'select file, "row", "column", value, reason from rejects '
                   'order by file, "row"',
        "lines": "select count(*) from order_lines",
        "events": "select count(*) from tracking_csv"})
    return reports, rows["rejects"], rows["lines"][0][0], rows["events"][0][0]


def test_exports_typed_as_read_equal_typed_after_reading(tmp_path, monkeypatch):
    """Order lines, stock and agents are typed as they are read (`TYPED_ON_LOAD`): the
    same accepted rows, rejects and counts as reading the text first, then typing it."""
    import schemas.ingest

    def run(folder):
        folder.mkdir()
        paths = [
            _write_csv(folder / "orders_a.csv", [
                _line("O1", 订单状态="已发货 "), _line("O2", 付款时间="昨天"), [""] * len(HEADERS),
                _line("O3", 实付金额="¥1,234.50", 数量=" 2 "), _line("O4", 单价="九块九"),
                _line("O5", 收货人="\u3000李四\u3000", 付款时间="2026/11/19 10:00")],
                       encoding="gb18030"),
            _write_csv(folder / "orders_b.csv", [_line("O6", 发货时间="2026年11月19日 12:00"),
                                                 _line("O7", 订单状态="TRADE_CLOSED")],
                       encoding="utf-8", title=False, total=False)]
        (folder / "inventory.csv").write_text(
            "商品编码,仓库,实际库存,锁定库存\nSKU-1,杭州仓,5,x\nSKU-2,杭州仓, 7 ,1\n",
            encoding="utf-8")
        (folder / "agents.csv").write_text("agent_id,name,capacity\nA1,王五,40\nA2,赵六,很多\n",
                                           encoding="utf-8")
        reports, tables = _ingested(folder, [*paths, folder / "inventory.csv",
                                             folder / "agents.csv"], {
            kind: f"select * exclude (_file) from {kind} order by all"
            for kind in ("order_lines", "inventory", "agents")} | {
            "rejects": 'select kind, file, "row", "column", value, reason from rejects '
                       'order by all',
            "text": "select count(*) from raw_order_lines"})
        return [r.as_dict() for r in reports], tables

    typed_as_read = run(tmp_path / "as_read")
    monkeypatch.setattr(schemas.ingest, "TYPED_ON_LOAD", ())
    typed_after = run(tmp_path / "after")
    assert typed_as_read[1].pop("text") == [(0,)]  # no table of text was made
    assert typed_after[1].pop("text") != [(0,)]
    assert typed_as_read == typed_after
    assert [r[1] for r in typed_as_read[1]["order_lines"]] == ["O6", "O1", "O3", "O5"]
    assert {r[1:4] for r in typed_as_read[1]["rejects"]} == {
        ("agents.csv", 3, "每日容量"), ("orders_a.csv", 5, "付款时间"),
        ("orders_a.csv", 8, "单价"), ("orders_b.csv", 3, "订单状态")}


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8", "utf-8-sig"])
def test_encodings_are_detected(tmp_path, encoding):
    path = _write_csv(tmp_path / "orders.csv", [_line("O1"), _line("O2", 收货人="李四")],
                      encoding=encoding)
    (report,), rejects, lines, _ = _ingest(tmp_path, path)
    assert lines == 2 and rejects == []
    assert report.rows_read == 3 and report.rows_dropped_total == 1 and report.balanced


def test_header_below_title_rows_and_row_numbers_are_spreadsheet_rows(tmp_path):
    path = _write_csv(tmp_path / "orders.csv", [_line("O1"), _line("O2", 数量="abc")])
    _, rejects, lines, _ = _ingest(tmp_path, path)
    # title row 1, blank row 2, header row 3: O2 is on row 5
    assert rejects == [("orders.csv", 5, "数量", "abc", "not a number")]
    assert lines == 1


def test_xlsx_with_numeric_tracking_cell(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["订单导出"])
    ws.append(HEADERS)
    row = _line("O1")
    row[HEADERS.index("快递单号")] = 73100000000001  # a number cell, as Excel stores it
    row[HEADERS.index("数量")] = 2
    ws.append(row)
    wb.save(tmp_path / "orders.xlsx")
    (report,), rejects, lines, _ = _ingest(tmp_path, tmp_path / "orders.xlsx")
    assert (lines, rejects, report.encoding) == (1, [], "xlsx")


def test_missing_required_column_names_header_and_file(tmp_path):
    headers = [h for h in HEADERS if h != "快递单号"]
    path = _write_csv(tmp_path / "orders_1.csv", [], headers=headers)
    with pytest.raises(InputError, match=r"orders_1\.csv: missing required column '快递单号'"):
        preflight(classify([path], load_config().inputs), load_config())


def test_empty_file(tmp_path):
    (tmp_path / "orders.csv").write_bytes(b"")
    with pytest.raises(InputError, match="orders.csv: file is empty"):
        _ingest(tmp_path, tmp_path / "orders.csv")


def test_bytes_that_are_no_text_encoding(tmp_path):
    (tmp_path / "orders.csv").write_bytes(bytes(range(128, 256)) * 50)
    with pytest.raises(InputError, match="orders.csv: .*UTF-8 or GBK"):
        _ingest(tmp_path, tmp_path / "orders.csv")


@pytest.mark.parametrize("column, value, reason", [
    ("付款时间", "昨天下午", "not a date-time"),
    ("数量", "-1", "must be greater than 0"),
    ("数量", "两件", "not a number"),
    ("订单状态", "飞走了", "unknown value"),
    ("内部订单号", "", "required value is empty"),
])
def test_bad_values_are_rejected_with_column_and_reason(tmp_path, column, value, reason):
    path = _write_csv(tmp_path / "orders.csv", [_line("O1"), _line("O2", **{column: value})])
    (report,), rejects, lines, _ = _ingest(tmp_path, path)
    assert lines == 1 and report.balanced
    assert [(r[1], r[2], r[4][:len(reason)]) for r in rejects] == [(5, column, reason)]


def test_order_whose_lines_disagree_is_rejected_whole(tmp_path):
    path = _write_csv(tmp_path / "orders.csv", [
        _line("O1"), _line("O1", 商品编码="SKU-2", 快递单号="73100000000009"), _line("O2")])
    (report,), rejects, lines, _ = _ingest(tmp_path, path)
    assert lines == 1 and report.rows_rejected == 2 and report.balanced
    assert all("tracking_no" in r[4] for r in rejects)


def test_broken_jsonl_line_is_rejected_and_the_rest_read(tmp_path):
    orders = _write_csv(tmp_path / "orders.csv", [_line("O1")])
    push = {"status": "polling", "lastResult": {"nu": "73100000000001", "com": "zhongtong",
            "data": [{"time": "2026-11-19 13:00:00", "context": "已揽收", "statusCode": "103"}]}}
    bare = {"nu": "73100000000002", "com": "zhongtong",
            "data": [{"time": "2026-11-19 14:00:00", "context": "运输中", "status": "在途"}]}
    (tmp_path / "tracking.jsonl").write_text(
        json.dumps(push) + "\n{not json\n\n" + json.dumps(bare) + "\n", encoding="utf-8")
    reports, rejects, _, events = _ingest(tmp_path, orders, tmp_path / "tracking.jsonl")
    tracking = next(r for r in reports if r.file == "tracking.jsonl")
    assert events == 2
    assert rejects == [("tracking.jsonl", 2, "(line)", "{not json",
                        "not valid JSON; the line was skipped, the rest of the file was read")]
    assert (tracking.rows_read, tracking.rows_accepted, tracking.rows_rejected,
            tracking.rows_dropped_blank) == (4, 2, 1, 1)


def test_json_file_with_a_list_of_documents(tmp_path):
    orders = _write_csv(tmp_path / "orders.csv", [_line("O1")])
    docs = [{"lastResult": {"nu": "73100000000001", "data": [
        {"time": "2026-11-19 13:00:00", "context": "已揽收", "statusCode": "103"}]}}] * 2
    (tmp_path / "tracking.json").write_text(json.dumps(docs), encoding="utf-8")
    _, rejects, _, events = _ingest(tmp_path, orders, tmp_path / "tracking.json")
    assert rejects == [] and events == 2


def test_duplicate_order_line_is_rejected_once(tmp_path):
    path = _write_csv(tmp_path / "orders.csv", [_line("O1"), _line("O1"), _line("O2")])
    (report,), rejects, lines, _ = _ingest(tmp_path, path)
    assert lines == 2 and report.balanced
    assert rejects == [("orders.csv", 5, "内部订单号", "O1",
                        "duplicate order line: same values as row 4")]


def test_lines_of_one_order_that_disagree_on_an_order_field_are_all_rejected(tmp_path):
    path = _write_csv(tmp_path / "orders.csv", [
        _line("O1", 商品编码="SKU-1"), _line("O1", 商品编码="SKU-2", 付款时间="2026-11-19 11:00:00"),
        _line("O2", 商品编码="SKU-1"), _line("O2", 商品编码="SKU-2", 收货手机=""),
        _line("O3")])
    (report,), rejects, lines, _ = _ingest(tmp_path, path)
    # an empty cell agrees with any value (O2); O3 has one line
    assert lines == 3 and report.balanced
    assert rejects == [("orders.csv", row, "内部订单号", "O1",
                        "lines of this order disagree on: paid_at; whole order rejected")
                       for row in (4, 5)]


def test_a_copied_line_of_an_order_whose_lines_disagree_is_rejected_once_as_a_copy(tmp_path):
    first = _line("O1", 商品编码="SKU-1")
    path = _write_csv(tmp_path / "orders.csv", [
        first, first, _line("O1", 商品编码="SKU-2", 快递单号="73100000000002")])
    (report,), rejects, lines, _ = _ingest(tmp_path, path)
    assert lines == 0 and report.balanced
    assert rejects == [
        ("orders.csv", 4, "内部订单号", "O1",
         "lines of this order disagree on: tracking_no; whole order rejected"),
        ("orders.csv", 5, "内部订单号", "O1", "duplicate order line: same values as row 4"),
        ("orders.csv", 6, "内部订单号", "O1",
         "lines of this order disagree on: tracking_no; whole order rejected")]


def test_wangdiantong_export_with_combined_region(tmp_path):
    headers = ["订单编号", "原始单号", "店铺名称", "仓库", "订单状态", "付款时间", "发货时间",
               "收件人", "省市县", "地址", "手机", "物流公司", "物流单号", "商家编码", "货品数量"]
    row = ["W1", "P1", "店A", "杭州仓", "已发货", "2026-11-19 10:00:00", "2026-11-19 12:00:00",
           "张三", "新疆维吾尔自治区 乌鲁木齐市 天山区", "某路1号", "13800001111", "中通快递",
           "73100000000001", "SKU-1", "1"]
    path = _write_csv(tmp_path / "orders.csv", [row], encoding="utf-8", headers=headers,
                      total=False)
    config = load_config()
    con = duckdb.connect()
    try:
        (report,) = ingest(con, classify([path], config.inputs), config, tmp_path)
        from transforms.detect import build_staging
        from tests.helpers import AS_OF

        build_staging(con, config, AS_OF)
        province, zone = con.execute("select province_norm, zone from stg_orders").fetchone()
    finally:
        con.close()
    assert report.profile == "wangdiantong"
    assert (province, zone) == ("新疆", 3)


def test_named_sheet(tmp_path):
    wb = Workbook()
    wb.active.title = "说明"
    wb.active.append(["这是导出说明"])
    ws = wb.create_sheet("订单")
    ws.append(HEADERS)
    ws.append(_line("O1"))
    wb.save(tmp_path / "orders.xlsx")
    config = load_config(overrides={"inputs": {"sheet": "订单"}})
    con = duckdb.connect()
    try:
        ingest(con, classify([tmp_path / "orders.xlsx"], config.inputs), config, tmp_path)
        assert con.execute("select count(*) from order_lines").fetchone()[0] == 1
    finally:
        con.close()
    missing = load_config(overrides={"inputs": {"sheet": "明细"}})
    with pytest.raises(InputError, match="orders.xlsx: no sheet named '明细'"):
        preflight(classify([tmp_path / "orders.xlsx"], missing.inputs), missing)


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_blank_rows_inside_the_data_keep_row_numbers(tmp_path, encoding):
    path = tmp_path / "orders.csv"
    lines = [",".join(HEADERS), ",".join(_line("O1")), "", ",".join(_line("O2", 数量="x")),
             "\r", ",".join(_line("O3"))]
    path.write_bytes("\n".join(lines).encode(encoding) + b"\n")
    (report,), rejects, lines_accepted, _ = _ingest(tmp_path, path)
    assert [(r[1], r[2]) for r in rejects] == [(4, "数量")]
    assert (report.rows_read, report.rows_dropped_blank, lines_accepted) == (5, 2, 2)
    assert report.balanced


def test_a_broken_jsonl_line_does_not_switch_off_the_order_checks(tmp_path):
    # a reject without a row id (a JSON line, a whole hand-back) once made `not in` checks
    # of the other kinds skip every row
    path = _write_csv(tmp_path / "orders.csv", [_line("O1"), _line("O1"), _line("O2")])
    (tmp_path / "tracking.jsonl").write_text("{not json\n", encoding="utf-8")
    reports, rejects, lines, _ = _ingest(tmp_path, path, tmp_path / "tracking.jsonl")
    assert lines == 2 and all(r.balanced for r in reports)
    assert ("orders.csv", 5, "内部订单号", "O1",
            "duplicate order line: same values as row 4") in rejects


def test_lines_of_an_order_may_leave_a_field_empty(tmp_path):
    # an empty field on one line is no disagreement; two different values are
    path = _write_csv(tmp_path / "orders.csv", [
        _line("O1"), _line("O1", 商品编码="SKU-2", 发货仓=""),
        _line("O2"), _line("O2", 商品编码="SKU-2", 发货仓="广州仓")])
    (report,), rejects, lines, _ = _ingest(tmp_path, path)
    assert lines == 2 and report.balanced
    assert {r[1] for r in rejects} == {6, 7} and all("warehouse" in r[4] for r in rejects)


@pytest.mark.parametrize("chunk", [1 << 20, 5, 7, 64])
def test_gbk_empty_lines_keep_row_numbers_at_any_chunk_boundary(tmp_path, monkeypatch, chunk):
    # GBK is transcoded in chunks; an empty line may fall on a chunk's first character
    import schemas.readers

    monkeypatch.setattr(schemas.readers, "CHUNK_CHARS", chunk)
    rows = [_line("O1"), [], [], _line("O2"), [], _line("O3", 数量="两件"), [], _line("O4")]
    path = _write_csv(tmp_path / "orders.csv", rows)
    (report,), rejects, lines, _ = _ingest(tmp_path, path)
    # title, empty line, header: the data starts on line 4
    assert [(r[1], r[2]) for r in rejects] == [(9, "数量")]
    assert (lines, report.rows_dropped_blank, report.rows_dropped_total) == (3, 4, 1)
    assert report.balanced


def test_each_report_carries_its_own_files_digest(tmp_path):
    # digests are read on a second thread: each must land on its own file's report
    orders = _write_csv(tmp_path / "orders.csv", [_line("O1"), _line("O2")])
    (tmp_path / "tracking.jsonl").write_text(json.dumps(
        {"nu": "73100000000001", "data": [{"time": "2026-11-19 14:00:00", "context": "运输中"}]}
    ) + "\n", encoding="utf-8")
    reports, _, _, _ = _ingest(tmp_path, orders, tmp_path / "tracking.jsonl")
    assert [r.file for r in reports] == ["orders.csv", "tracking.jsonl"]
    assert {r.file: r.sha256 for r in reports} == {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in (orders, tmp_path / "tracking.jsonl")}


def test_a_row_is_blank_only_when_every_cell_is(tmp_path):
    # blank rows are found from the first cell first: a row with only its first cell empty
    # (or only its last one filled) is data, rejected for its missing fields
    path = _write_csv(tmp_path / "orders.csv", [
        _line("O1"), _line(""), [""] * (len(HEADERS) - 1) + ["9.9"], [" "] * len(HEADERS)],
        total=False)
    (report,), rejects, lines, _ = _ingest(tmp_path, path)
    assert lines == 1 and report.balanced
    assert (report.rows_read, report.rows_dropped_blank) == (4, 1)
    assert {r[1] for r in rejects} == {5, 6}
    assert {"内部订单号", "商品编码"} <= {r[2] for r in rejects if r[1] == 6}


# documents DuckDB's JSON reader takes as they are: numbers for text, extra fields, a push and
# a bare response, an empty object, `null` and a push without events
EDGE_DOCUMENTS = [
    {"status": "polling", "lastResult": {"nu": "73100000000001", "com": "zhongtong", "data": [
        {"time": "2026-11-19 13:00:00", "context": "已揽收", "status": "揽收",
         "statusCode": "103", "areaName": "浙江省,杭州市"}]}},
    {"nu": 73100000000002, "com": "zhongtong", "state": 0, "extra": [1, {"x": 2}], "data": [
        {"time": "2026-11-19 14:00:00", "context": "运输中", "status": "在途"},
        {"ftime": "2026-11-19 15:00:00", "context": 42}]},
    {},
    None,
    {"status": "shutdown", "message": "3天查询无记录", "autoCheck": "1", "comNew": "yunda",
     "lastResult": {"nu": "73100000000003", "state": "2", "data": []}},
]


def _ingested_jsonl(tmp_path, lines, queries):
    """Ingest one order and a tracking.jsonl of `lines`; the reports and each query's rows."""
    orders = _write_csv(tmp_path / "orders.csv", [_line("O1")])
    path = tmp_path / "tracking.jsonl"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return _ingested(tmp_path, [orders, path], queries)


def _tracking_tables(tmp_path, lines):
    reports, tables = _ingested_jsonl(tmp_path, lines, {
        "tracking_csv": "select * from tracking_csv order by all",
        "tracking_meta": "select * from tracking_meta order by all",
        "rejects": 'select "row", "column", value, reason from rejects order by all'})
    tracking = next(r for r in reports if r.file == "tracking.jsonl")
    return tables, (tracking.rows_read, tracking.rows_accepted, tracking.rows_rejected,
                    tracking.rows_dropped_blank)


def test_jsonl_parsed_whole_reads_as_line_by_line(tmp_path, monkeypatch):
    import schemas.ingest

    lines = [json.dumps(d, ensure_ascii=False) for d in EDGE_DOCUMENTS]
    # a trailing blank line makes the whole-file reader refuse: the lines are read one by one
    (tmp_path / "by_line").mkdir()
    by_line = _tracking_tables(tmp_path / "by_line", [*lines, ""])
    # without it the file is parsed whole: reading it line by line would fail the test
    monkeypatch.setattr(schemas.ingest, "read_text_lines", None)
    whole = _tracking_tables(tmp_path, lines)
    assert whole[0] == by_line[0]
    assert whole[1] == (5, 3, 2, 0) and by_line[1] == (6, 3, 2, 1)
    assert len(whole[0]["tracking_csv"]) == 3
    assert [r[:2] for r in whole[0]["rejects"]] == [(3, "nu"), (4, "nu")]


def _json_file_tables(folder, content):
    folder.mkdir()
    orders = _write_csv(folder / "orders.csv", [_line("O1")])
    path = folder / "tracking.json"
    path.write_text(content, encoding="utf-8")
    reports, tables = _ingested(folder, [orders, path], {
        "tracking_csv": "select * exclude (_file) from tracking_csv order by all",
        "tracking_meta": "select * exclude (_file) from tracking_meta order by all",
        "rejects": 'select "row", "column", value, reason from rejects order by all'})
    tracking = next(r for r in reports if r.file == "tracking.json")
    return tables, (tracking.rows_read, tracking.rows_accepted, tracking.rows_rejected)


@pytest.mark.parametrize("space", [" ", "\u3000", "\u00a0", "\u2002"],
                         ids=["ascii", "ideographic", "no-break", "en"])
def test_kuaidi100_event_fields_are_trimmed_of_any_space(tmp_path, space):
    # times and codes are trimmed through a fast path for plain ASCII: a value starting or
    # ending with any space (DuckDB's trim removes Unicode's) is trimmed all the same
    event = {"time": f"{space}2026-11-19 13:00:00{space}", "context": "已揽收",
             "statusCode": f"{space}103{space}", "areaName": f"{space}浙江省,杭州市{space}",
             "status": f"{space}揽收{space}"}
    document = {"lastResult": {"nu": "73100000000001", "com": "zhongtong", "data": [event]}}
    tables, counts = _tracking_tables(tmp_path, [json.dumps(document, ensure_ascii=False)])
    assert counts == (1, 1, 0, 0)
    (row,) = tables["tracking_csv"]
    assert "2026-11-19 13:00:00" in {str(v) for v in row}
    assert {"103", "浙江省,杭州市", "揽收"} <= set(row)


def test_jsonl_files_parsed_whole_keep_their_own_line_numbers(tmp_path):
    # the files parsed whole share one table; one refused after it was parsed (a blank
    # line) is taken out again and read by line; every document keeps its file's line
    def doc(number, at="13:00"):
        return json.dumps({"lastResult": {"nu": number, "com": "zhongtong", "data": [
            {"time": f"2026-11-19 {at}:00", "context": "已揽收", "statusCode": "103"}]}})

    orders = _write_csv(tmp_path / "orders.csv", [_line("O1")])
    contents = {"tracking_a.jsonl": [doc("A1"), doc(""), doc("A3")],
                "tracking_b.jsonl": [doc(""), doc("B2"), ""],
                "tracking_c.jsonl": [doc("C1"), doc("C2", "14:00"), doc("")]}
    for name, lines in contents.items():
        (tmp_path / name).write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    reports, tables = _ingested(tmp_path, [orders, *(tmp_path / n for n in contents)], {
        "rejects": 'select file, "row", "column" from rejects order by all',
        "events": "select _file, _row, tracking_no from tracking_csv order by all"})
    assert tables["rejects"] == [("tracking_a.jsonl", 2, "nu"), ("tracking_b.jsonl", 1, "nu"),
                                 ("tracking_c.jsonl", 3, "nu")]
    assert tables["events"] == [("tracking_a.jsonl", 1, "A1"), ("tracking_a.jsonl", 3, "A3"),
                                ("tracking_b.jsonl", 2, "B2"), ("tracking_c.jsonl", 1, "C1"),
                                ("tracking_c.jsonl", 2, "C2")]
    assert [r.rows_read for r in reports if r.file.startswith("tracking")] == [3, 3, 3]


def test_tracking_files_are_parsed_together_and_one_the_reader_refuses_alone(tmp_path,
                                                                             monkeypatch):
    """UTF-8 JSONL files are parsed in one read of DuckDB's JSON reader, as are JSON lists.
    A broken line makes that reader refuse them all: each is then parsed on its own, and
    only the broken file is read line by line; every document keeps its own file's line
    (or place in its list)."""
    import schemas.ingest

    parses, by_line = [], []
    parse_whole, read_lines = schemas.ingest._parse_whole, schemas.ingest.read_text_lines
    monkeypatch.setattr(schemas.ingest, "_parse_whole", lambda con, paths, *rest: (
        parses.append(sorted(p.name for p in paths)), parse_whole(con, paths, *rest))[1])
    monkeypatch.setattr(schemas.ingest, "read_text_lines", lambda con, path, *rest: (
        by_line.append(path.name), read_lines(con, path, *rest))[1])

    def doc(number):
        return {"lastResult": {"nu": number, "com": "zhongtong", "data": [
            {"time": "2026-11-19 13:00:00", "context": "已揽收", "statusCode": "103"}]}}

    def write(folder, contents):
        folder.mkdir()
        for name, content in contents.items():
            (folder / name).write_text(content, encoding="utf-8")
        return [_write_csv(folder / "orders.csv", [_line("O1")]),
                *(folder / name for name in contents)]

    def jsonl(*numbers):
        return "".join(json.dumps(doc(n)) + "\n" for n in numbers)

    queries = {"rejects": 'select file, "row", "column" from rejects order by all',
               "events": "select _file, _row, tracking_no from tracking_csv order by all"}
    paths = write(tmp_path / "good", {
        "tracking_a.jsonl": jsonl("A1", "A2"), "tracking_b.jsonl": jsonl("B1", "", "B3"),
        "tracking_c.json": json.dumps([doc("C1"), doc("")]),
        "tracking_d.json": json.dumps([doc("D1"), doc("D2")], indent=1)})
    reports, tables = _ingested(tmp_path / "good", paths, queries)
    assert parses == [["tracking_a.jsonl", "tracking_b.jsonl"],
                      ["tracking_c.json", "tracking_d.json"]] and by_line == []
    assert tables["rejects"] == [("tracking_b.jsonl", 2, "nu"), ("tracking_c.json", 2, "nu")]
    assert tables["events"] == [
        ("tracking_a.jsonl", 1, "A1"), ("tracking_a.jsonl", 2, "A2"),
        ("tracking_b.jsonl", 1, "B1"), ("tracking_b.jsonl", 3, "B3"),
        ("tracking_c.json", 1, "C1"), ("tracking_d.json", 1, "D1"), ("tracking_d.json", 2, "D2")]
    assert [r.rows_read for r in reports if r.file.startswith("tracking")] == [2, 3, 2, 2]

    parses.clear()
    paths = write(tmp_path / "broken", {
        "tracking_a.jsonl": jsonl("A1", "A2"), "tracking_b.jsonl": jsonl("B1") + "{broken\n"
        + jsonl("B3"), "tracking_c.jsonl": jsonl("C1", "", "C3")})
    reports, tables = _ingested(tmp_path / "broken", paths, queries)
    assert parses[0] == ["tracking_a.jsonl", "tracking_b.jsonl", "tracking_c.jsonl"]
    assert by_line == ["tracking_b.jsonl"]
    assert tables["rejects"] == [("tracking_b.jsonl", 2, "(line)"), ("tracking_c.jsonl", 2, "nu")]
    assert tables["events"] == [
        ("tracking_a.jsonl", 1, "A1"), ("tracking_a.jsonl", 2, "A2"),
        ("tracking_b.jsonl", 1, "B1"), ("tracking_b.jsonl", 3, "B3"),
        ("tracking_c.jsonl", 1, "C1"), ("tracking_c.jsonl", 3, "C3")]
    assert [r.rows_read for r in reports if r.file.startswith("tracking")] == [2, 3, 3]


def test_json_list_parsed_whole_reads_as_document_by_document(tmp_path, monkeypatch):
    import schemas.ingest

    listed = json.dumps(EDGE_DOCUMENTS, ensure_ascii=False)
    with monkeypatch.context() as patch:
        patch.setattr(schemas.ingest, "_parse_whole", lambda *args: {})
        by_document = _json_file_tables(tmp_path / "by_document", listed)
    # parsed whole, on one line or indented: reading it in Python would fail the test
    monkeypatch.setattr(schemas.ingest, "json_documents_frame", None)
    assert _json_file_tables(tmp_path / "whole", listed) == by_document
    assert _json_file_tables(tmp_path / "indented", json.dumps(EDGE_DOCUMENTS, indent=2)) \
        == by_document
    assert by_document[1] == (5, 3, 2)
    assert len(by_document[0]["tracking_csv"]) == 3
    assert [r[:2] for r in by_document[0]["rejects"]] == [(3, "nu"), (4, "nu")]


def test_json_file_the_json_reader_cannot_take_as_a_list_is_read_in_python(tmp_path):
    # one document, not a list; a list with a field of another shape: each read in full
    one = _json_file_tables(tmp_path / "one", json.dumps(EDGE_DOCUMENTS[1]))
    assert one[1] == (1, 1, 0) and len(one[0]["tracking_csv"]) == 2
    other = _json_file_tables(tmp_path / "other", json.dumps(
        [EDGE_DOCUMENTS[1], {"nu": "A2", "data": "x"}]))
    assert other[1][0] == 2 and sum(other[1][1:]) == 2 and len(other[0]["tracking_csv"]) == 2


@pytest.mark.parametrize("content", [
    b'{"nu": "A1"}\n\n{"nu": "A2"}\n',        # a blank line (the JSON reader skips it)
    b'{"nu": "A1"}\n   \n{"nu": "A2"}\n',     # a line of spaces
    b'{"nu": "A1"}\n{"nu": "A2"} {"nu": "A3"}\n',  # two documents on a line
    b'{"nu": "A1"}\n{"nu": "A2", "data": "x"}\n',  # a field of another shape
    b'\xef\xbb\xbf{"nu": "A1"}\n{"nu": "A2"}\n',  # a byte-order mark
], ids=["blank", "spaces", "two-per-line", "other-shape", "bom"])
def test_jsonl_the_json_reader_cannot_take_line_for_line_is_read_by_line(tmp_path, content):
    orders = _write_csv(tmp_path / "orders.csv", [_line("O1")])
    path = tmp_path / "tracking.jsonl"
    path.write_bytes(content)
    reports, rejects, _, _ = _ingest(tmp_path, orders, path)
    tracking = next(r for r in reports if r.file == "tracking.jsonl")
    lines = content.count(b"\n")
    assert tracking.rows_read == lines and tracking.balanced
    # every line is accounted for at its own line number
    numbered = {r[1] for r in rejects if r[0] == "tracking.jsonl"}
    assert numbered <= set(range(1, lines + 1))


def test_bad_bytes_past_the_sniffed_head_name_their_line(tmp_path):
    # the GBK copy is made in chunks: the message still names the line of the bad bytes
    path = _write_csv(tmp_path / "orders.csv",
                      [_line(f"O{i}") for i in range(12000)], title=False, total=False)
    lines = path.read_bytes().split(b"\n")
    assert sum(len(x) + 1 for x in lines[:11000]) > (1 << 20)  # beyond detect_encoding's head
    lines[11000] = lines[11000].replace("张三".encode("gbk"), b"\xff\xff")
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(InputError, match=r"orders\.csv.*11001.*not valid gb18030"):
        _ingest(tmp_path, path)


def test_tracking_row_ids_follow_each_files_rows(tmp_path):
    """staging/events.sql orders the copies of an event by (file, row id) instead of (file,
    row, row id): that holds only while each file's events keep their rows' order, also on
    files large enough for DuckDB to read in parallel."""
    orders = _write_csv(tmp_path / "orders.csv", [_line("O1")])
    events = 150_000  # more than one row group per file
    flat = tmp_path / "tracking_a.csv"
    with flat.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["快递单号", "时间", "轨迹"])
        w.writerows([f"SF{i % 997:010d}", f"2026-11-{10 + i % 9:02d} 10:00:00", f"第{i}站"]
                    for i in range(events))
    # two JSONL files, parsed together by DuckDB's JSON reader
    docs = [tmp_path / f"tracking_{name}.jsonl" for name in "bc"]
    for n, path in enumerate(docs):
        path.write_text("".join(json.dumps({"nu": f"YT{n}{d:07d}", "data": [
            {"time": f"2026-11-19 {h:02d}:00:00", "context": f"{d}-{h}"} for h in range(10)]})
            + "\n" for d in range(events // 10)), encoding="utf-8")
    _, rows = _ingested(tmp_path, [orders, flat, *docs], {"out_of_order": """
        select _file, count(*) filter (where _row < prev_row
                                         or _row = prev_row and context < prev_context)
        from (select _file, _row, context,
                     lag(_row) over w as prev_row, lag(context) over w as prev_context
              from (select *, rowid as _rid from tracking_csv)
              window w as (partition by _file order by _rid))
        group by _file order by _file"""})
    assert rows["out_of_order"] == [("tracking_a.csv", 0), ("tracking_b.jsonl", 0),
                                    ("tracking_c.jsonl", 0)]


@pytest.mark.parametrize("escape", ["\\u0007", "\\u001B", "\\b", "\\f", "\\u0000"])
def test_jsonl_escapes_of_control_characters_are_removed_and_listed(tmp_path, escape):
    # raw control characters are not valid JSON; escaped, they decode to one
    doc = json.dumps({"nu": "73100000000009", "data": [
        {"time": "2026-11-19 13:00:00", "context": "快件已ESC到达", "status": "在途"}]},
        ensure_ascii=False).replace("ESC", escape)
    _, found = _ingested_jsonl(tmp_path, [_plain_document(1), doc], {
        "cleaned": "select kind, \"row\", \"column\" from sanitized_cells",
        "context": "select context from tracking_csv where tracking_no = '73100000000009'"})
    assert found["cleaned"] == [("tracking_csv", 2, "context")]
    assert found["context"] == [("快件已到达",)]


def _plain_document(n):
    return json.dumps({"nu": f"7310000000{n:04d}", "data": [
        {"time": "2026-11-19 13:00:00", "context": "运输中", "status": "在途"}]})


@pytest.mark.parametrize("content, suffix, expected", [
    (b"a,b\n1,2\n", ".csv", False),
    (b"a,b\n1,\x07\n", ".csv", True),
    (b"a\tb\r\n1\t2\r\n", ".csv", False),       # tabs and CRLF line ends are writable
    (b"a\tb\r\n1\t\x1f\r\n", ".csv", True),
    (b"a,b\r\n1,\x0b\n", ".csv", True),
    ("a,b\n店铺,\u4e2d\n".encode("gb18030"), ".csv", False),
    ("a,b\n".encode("utf-16"), ".csv", True),      # its bytes cannot tell
    (b'{"a": "x\\\\by"}\n', ".jsonl", True),     # an escaped backslash is taken as one too
    (b'{"a": "x\\ty"}\n', ".jsonl", False),       # a tab is writable
    (b'{"a": "x\\u0041"}\n', ".jsonl", False),
    (b"PK\x03\x04", ".xlsx", True),
])
def test_digest_tells_which_files_may_hold_control_characters(tmp_path, content, suffix,
                                                               expected):
    from schemas.ingest import _digest

    path = tmp_path / f"export{suffix}"
    path.write_bytes(content)
    assert _digest(path).may_hold_controls is expected


@pytest.mark.parametrize("offset", [-3, -1, 0, 2])
def test_a_control_escape_across_the_digests_read_chunks_is_found(tmp_path, offset):
    from schemas.ingest import _digest

    chunk = 1 << 22
    path = tmp_path / "tracking.jsonl"
    path.write_bytes(b" " * (chunk + offset) + b"\\u0001" + b" " * 10)
    assert _digest(path).may_hold_controls
    path.write_bytes(b" " * (chunk + offset) + b"\\u0041" + b" " * 10)
    assert not _digest(path).may_hold_controls


def test_order_statuses_are_read_as_canonical_statuses_keeping_the_exports_word(tmp_path):
    path = _write_csv(tmp_path / "orders.csv", [
        _line("O1", 订单状态="已审核"), _line("O2", 订单状态=" waitconfirm "),
        _line("O3", 订单状态="交易成功"), _line("O4", 订单状态="SENT"),
        _line("O5", 订单状态="飞走了")])
    _, rows = _ingested(tmp_path, [path], {
        "statuses": "select order_id, status, status_raw from order_lines order by 1",
        "rejected": "select value from rejects"})
    assert rows["statuses"] == [("O1", "PAID", "已审核"), ("O2", "PAID", "waitconfirm"),
                                ("O3", "COMPLETED", "交易成功"), ("O4", "SHIPPED", "SENT")]
    assert rows["rejected"] == [("飞走了",)]


@pytest.mark.parametrize("content, lines", [
    (b"", 0), (b"a", 1), (b"a\n", 1), (b"a\r\nb\r\n", 2), (b"a\nb", 2), (b"\n\n", 2),
    (b"x\n" * (1 << 21) + b"y", (1 << 21) + 1),    # 4 MB read chunks: the last line alone
])
def test_digest_counts_the_lines_a_line_reader_sees(tmp_path, content, lines):
    from schemas.ingest import _digest

    path = tmp_path / "tracking.jsonl"
    path.write_bytes(content)
    assert _digest(path).lines == lines == len(content.splitlines())


def test_two_exports_of_one_kind_each_keep_their_rows_and_row_numbers(tmp_path):
    # the first export of a kind becomes its table, a later one is appended to it
    first = _write_csv(tmp_path / "orders_1.csv", [_line("O1"), _line("O2", 数量="x")])
    second = _write_csv(tmp_path / "orders_2.csv",
                        [_line("O3"), [""] * len(HEADERS), _line("O4", 单价="y"), _line("O5")],
                        encoding="utf-8", title=False)
    reports, rows = _ingested(tmp_path, [first, second], {
        "lines": "select _file, _row, order_id from order_lines order by all",
        "rejects": 'select file, "row", "column" from rejects order by all'})
    assert rows["lines"] == [("orders_1.csv", 4, "O1"), ("orders_2.csv", 2, "O3"),
                             ("orders_2.csv", 5, "O5")]
    assert rows["rejects"] == [("orders_1.csv", 5, "数量"), ("orders_2.csv", 4, "单价")]
    assert [(r.file, r.rows_read, r.rows_dropped_blank, r.rows_dropped_total)
            for r in reports] == [("orders_1.csv", 3, 0, 1), ("orders_2.csv", 5, 1, 1)]
    assert all(r.balanced for r in reports)


def test_an_export_with_two_headers_for_one_column_is_refused(tmp_path):
    orders = _write_csv(tmp_path / "orders.csv", [_line("O1")])
    tracking = tmp_path / "tracking.csv"
    tracking.write_text("快递单号,tracking_no,时间\n73100000000001,73100000000001,"
                        "2026-11-19 13:00:00\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"tracking\.csv, row 1, column tracking_no: columns "
                                         r"'快递单号' and 'tracking_no' are both tracking_no"):
        preflight(classify([orders, tracking], load_config().inputs), load_config())


def test_a_control_character_in_a_date_is_removed_before_the_date_is_read(tmp_path):
    path = _write_csv(tmp_path / "orders.csv",
                      [_line("O1"), _line("O2", **{"付款时间": "2026-11-19\x07 10:00:00"})])
    _, found = _ingested(tmp_path, [path], {
        "cleaned": 'select "row", "column" from sanitized_cells',
        "rejects": "select * from rejects",
        "paid": "select paid_at from order_lines where order_id = 'O2'"})
    assert found["cleaned"] == [(5, "付款时间")]
    assert found["rejects"] == []
    assert str(found["paid"][0][0]) == "2026-11-19 10:00:00"


@pytest.mark.parametrize("kind, column, header", [
    ("orders", "buyer_message", "买家留言"),    # text
    ("orders", "paid_at", "付款时间"),          # a date: rejected as too long and as no date
    ("orders", "status", "订单状态"),           # kept twice: the export's word, the status
    ("tracking", "context", "context"),        # an event of a JSON document
])
def test_a_value_longer_than_the_limit_is_rejected_in_any_column(tmp_path, kind, column,
                                                                 header):
    long = "很长" * 30
    lines, events = [_line("O1"), _line("O2")], [_plain_document(1), _plain_document(2)]
    if kind == "orders":
        lines[1] = _line("O2", **{header: long})
    else:
        events[1] = json.dumps({"nu": "73100000000002", "data": [
            {"time": "2026-11-19 13:00:00", "context": long, "status": "在途"}]})
    orders = _write_csv(tmp_path / "orders.csv", lines)
    tracking = tmp_path / "tracking.jsonl"
    tracking.write_text("".join(e + "\n" for e in events), encoding="utf-8")
    config = load_config(overrides={"limits": {"max_cell_chars": 59}})
    con = duckdb.connect()
    try:
        ingest(con, classify([orders, tracking], config.inputs), config, tmp_path)
        rejects = con.execute('select file, "row", "column", value, reason from rejects '
                              "where reason like '%max_cell_chars%'").fetchall()
        kept = con.execute("select count(*) from order_lines").fetchone()[0], con.execute(
            "select count(*) from tracking_csv").fetchone()[0]
    finally:
        con.close()
    assert [(f, row, col) for f, row, col, *_ in rejects] == [
        ("orders.csv" if kind == "orders" else "tracking.jsonl", 5 if kind == "orders" else 2,
         header)]
    assert rejects[0][3] == long[:40] + "…" and rejects[0][4].endswith("(59 characters: 60)")
    assert kept == ((1, 2) if kind == "orders" else (2, 1))
