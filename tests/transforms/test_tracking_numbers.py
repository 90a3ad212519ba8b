"""Tracking-number cleaning and Excel damage: all 33 fixture cases (each with its source)
through the staging SQL."""

import csv

import duckdb
import pytest

from core.config import load_config
from tests.helpers import FIXTURES, load, order, AS_OF
from transforms.detect import build_staging


def _cases():
    path = FIXTURES / "tracking_numbers" / "excel_damage_cases.csv"
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def parcels():
    """stg_parcels for one order per reference case (SF for the lost-leading-zero case)."""
    cases = _cases()
    orders = [order(f"O{i}", tracking_no=c["raw"],
                    carrier="顺丰速运" if c["mangling"] == "leading_zero_lost" else "中通快递")
              for i, c in enumerate(cases)]
    con = duckdb.connect()
    try:
        load(con, orders=orders)
        build_staging(con, load_config(), AS_OF)
        rows = con.execute("select order_id, tracking_no, is_mangled, damage from stg_parcels"
                           ).fetchall()
    finally:
        con.close()
    by_order: dict[str, list] = {}
    for order_id, number, mangled, damage in rows:
        by_order.setdefault(order_id, []).append((number, mangled, damage))
    return cases, by_order


def test_there_are_33_cases(parcels):
    assert len(parcels[0]) == 33


def test_every_case(parcels):
    cases, by_order = parcels
    for i, case in enumerate(cases):
        got = by_order[f"O{i}"]
        wanted = case["canonical"].split("|")
        if case["recoverable"].startswith("no"):
            assert [m for _, m, _ in got] == [True], case
        else:
            assert sorted(n for n, _, _ in got) == sorted(wanted), case
            assert not any(m for _, m, _ in got), case
