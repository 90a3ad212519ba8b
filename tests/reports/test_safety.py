"""Values that could run as formulas stay inert; file names are safe whatever names contain."""

import csv

import duckdb
import pytest

from reports.csv_files import write_csv
from reports.excel import safe_file_stem
from core.db import sql_text


@pytest.mark.parametrize("value, expected", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+86 138", "'+86 138"),
    ("-1+1", "'-1+1"), ("@SUM(A1)", "'@SUM(A1)"), ("\tcmd", "'\tcmd"), ("小鹿家居", "小鹿家居"),
    ("JT5261988016578", "JT5261988016578"),
])
def test_csv_values_are_made_inert(tmp_path, value, expected):
    con = duckdb.connect()
    try:
        con.execute(sql_text("macros"))
        con.execute("create table t as select $v as shop, 1.5 as score", {"v": value})
        write_csv(con, "t", ("shop", "score"), tmp_path / "t.csv", "shop")
    finally:
        con.close()
    with (tmp_path / "t.csv").open(encoding="utf-8-sig", newline="") as fh:
        (row,) = list(csv.DictReader(fh))
    assert row == {"shop": expected, "score": "1.5"}


@pytest.mark.parametrize("name, stem", [
    ("kf01", "kf01"), ("客服/小林", "客服_小林"), ("a:b*c?", "a_b_c_"), ("CON", "_CON"),
    ("..", "_"), ("", "_"), ("x" * 200, "x" * 80),
])
def test_safe_file_stem(name, stem):
    assert safe_file_stem(name) == stem
