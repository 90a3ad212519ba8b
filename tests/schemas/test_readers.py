"""schemas.readers: UTF-8 copies of CSV exports made ahead of the run that reads them; lines
up to the configured limit read however long."""

import json

import duckdb
import pytest

from core.config import load_config
from core.errors import InputError
from schemas import readers
from schemas.ingest import classify, ingest
from tests.schemas.test_ingest import _ingested, _line, _write_csv


@pytest.fixture
def copies(monkeypatch):
    """Every UTF-8 copy made, as (source name, folder name)."""
    made = []
    plain = readers.to_utf8

    def counted(path, encoding, workdir, *args, **kwargs):
        made.append((path.name, workdir.name))
        return plain(path, encoding, workdir, *args, **kwargs)

    monkeypatch.setattr(readers, "to_utf8", counted)
    monkeypatch.setattr(readers, "_copies_ahead", {})
    return made


def _order_ids(tmp_path, path):
    config = load_config()
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    con = duckdb.connect()
    try:
        ingest(con, classify([path], config.inputs), config, work)
        return [r[0] for r in con.execute("select order_id from order_lines order by 1").fetchall()]
    finally:
        con.close()


def test_the_run_reads_the_copy_made_ahead(tmp_path, copies):
    orders = _write_csv(tmp_path / "orders.csv", [_line("O1"), _line("O2")])
    readers.copy_ahead([orders, tmp_path / "tracking.jsonl"], tmp_path / "ahead")
    assert _order_ids(tmp_path, orders) == ["O1", "O2"]
    assert copies == [("orders.csv", "ahead")]


def test_an_export_changed_after_its_copy_ahead_is_copied_again(tmp_path, copies):
    orders = _write_csv(tmp_path / "orders.csv", [_line("O1")])
    readers.copy_ahead([orders], tmp_path / "ahead")
    readers._copies_ahead[readers._identity(orders)].result()
    _write_csv(orders, [_line("O1"), _line("O3")])
    assert _order_ids(tmp_path, orders) == ["O1", "O3"]
    assert copies == [("orders.csv", "ahead"), ("orders.csv", "work")]


def test_bad_bytes_met_ahead_are_reported_by_the_run(tmp_path, copies):
    # past the head that detect_encoding reads: only the copy meets them
    orders = _write_csv(tmp_path / "orders.csv", [_line(f"O{i}") for i in range(12000)],
                        title=False, total=False)
    lines = orders.read_bytes().split(b"\n")
    lines[11000] = lines[11000].replace("张三".encode("gbk"), b"\xff\xff")
    orders.write_bytes(b"\n".join(lines))
    readers.copy_ahead([orders], tmp_path / "ahead")
    with pytest.raises(InputError, match=r"orders\.csv, row 11001: bytes that are not valid "
                                         r"gb18030"):
        _order_ids(tmp_path, orders)
    assert copies == [("orders.csv", "ahead")]


@pytest.fixture
def short_parallel_lines(monkeypatch):
    """Exports are first read allowing lines of 4 KB (`PARALLEL_LINE_BYTES`, 8 MB in use)."""
    import schemas.ingest

    monkeypatch.setattr(readers, "PARALLEL_LINE_BYTES", 4096)
    monkeypatch.setattr(schemas.ingest, "PARALLEL_LINE_BYTES", 4096)


def test_lines_longer_than_the_first_read_allows_are_read_up_to_the_limit(
        tmp_path, short_parallel_lines):
    # a 60 KB order line (a long buyer message) and a 60 KB Kuaidi100 line: read again,
    # allowing `limits.max_line_bytes`, whole
    message = "请尽快发货，谢谢" * 2500
    orders = _write_csv(tmp_path / "orders.csv",
                        [_line("O1"), _line("O2", 买家留言=message), _line("O3")])
    tracking = tmp_path / "tracking.jsonl"
    tracking.write_text("".join(json.dumps({"nu": f"7310000000000{n}", "data": [
        {"time": "2026-11-19 13:00:00", "context": context, "status": "在途"}]},
        ensure_ascii=False) + "\n" for n, context in enumerate(["运输中", message])),
        encoding="utf-8")
    _, rows = _ingested(tmp_path, [orders, tracking], {"lengths": """
        select order_id, length(buyer_message) from order_lines union all
        select tracking_no, length(context) from tracking_csv order by 1"""})
    assert rows["lengths"] == [
        ("73100000000000", 3), ("73100000000001", len(message)), ("O1", None),
        ("O2", len(message)), ("O3", None)]


def test_a_csv_line_longer_than_the_limit_stops_the_run_naming_the_file(
        tmp_path, short_parallel_lines):
    orders = _write_csv(tmp_path / "orders.csv", [_line("O1", 买家留言="好" * 20000)])
    limited = load_config(overrides={"limits": {"max_line_bytes": 8192}})
    with pytest.raises(InputError, match=r"^orders\.csv: cannot parse as CSV"):
        _ingested(tmp_path, [orders], {}, limited)
