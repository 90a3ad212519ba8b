"""Carrier registry against public test vectors (tests/fixtures, each with its source)."""

import csv

import duckdb
import pytest

from core.config import load_config
from transforms.carriers import candidate_carriers
from transforms.reference import create_reference_tables
from tests.helpers import FIXTURES

CODES = {"SF": "shunfeng", "ZTO": "zhongtong", "YTO": "yuantong", "STO": "shentong",
         "YUNDA": "yunda", "JT": "jtexpress", "JD": "jd", "EMS": "ems",
         "CHINAPOST": "youzhengguonei", "DEPPON": "debangkuaidi"}
# rows where a format check must disagree with the peer, and why
EXPECTED_DISAGREEMENTS = {
    "1207119765021": "labelled 邮政 by peers but carries the EMS check digit (docs/domain.md)",
    "9630067620008": "96x: labelled EMS in one example, but it fails the EMS check digit",
}


@pytest.fixture(scope="module")
def con():
    con = duckdb.connect()
    create_reference_tables(con, load_config())
    yield con
    con.close()


def _vectors():
    with (FIXTURES / "tracking_numbers" / "peer_vectors.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_format_vectors_of_covered_carriers_agree(con):
    # "[exists]" rows say a live API did not find a well-formed number: no format check can
    rows = [r for r in _vectors() if r["carrier"] in CODES and r["expected_valid"] in
            ("true", "false") and not r["note"].startswith("[exists]")]
    assert len(rows) > 45  # the filter must not silently empty the check
    found = candidate_carriers(con, [r["number"] for r in rows])
    disagree = {r["number"] for r in rows
                if (CODES[r["carrier"]] in found[r["number"]]) != (r["expected_valid"] == "true")}
    assert disagree == set(EXPECTED_DISAGREEMENTS)


def test_s10_check_digit_vectors(con):
    rows = [r for r in _vectors() if r["carrier"] == "S10" and r["expected_valid"] in
            ("true", "false") and r["number"][-2:].isalpha() and r["number"][:2].isalpha()]
    found = candidate_carriers(con, [r["number"] for r in rows])
    for r in rows:
        valid = r["number"][-2:] != "XX" and bool(found[r["number"]])
        assert valid == (r["expected_valid"] == "true"), r["number"]


def test_ambiguous_numbers_get_every_candidate(con):
    found = candidate_carriers(con, ["234816261524", "1201875063322"])
    assert {"shunfeng", "zhongtong", "shentong"} <= set(found["234816261524"])
    assert "yunda" in found["1201875063322"]


def test_carrier_aliases_from_config_are_added():
    config = load_config(overrides={"carriers": {"zhongtong": {"aliases": ["中通速运"]}}})
    con = duckdb.connect()
    try:
        create_reference_tables(con, config)
        assert con.execute("select code from carrier_aliases where alias = '中通速运'"
                           ).fetchone() == ("zhongtong",)
    finally:
        con.close()


# configured patterns of every kind: some the macro measures for its length check, some it
# cannot measure safely (RE2 reads `[[:digit:]]` as one character, `\d{,3}` literally)
EXTRA_PATTERNS = {
    "kuayue": {"patterns": [r"KY\d+", r"\d{16,}", r"(KYE|KYX)\d{10,12}"]},
    "annengwuliu": {"patterns": [r"AN[[:digit:]]{10}", r"\d{,3}AN", r"[^A-Z]{19}"]},
    "zhongtong": {"patterns": [r"ZT\d{11}"]},
}


def test_candidate_carriers_agree_with_every_pattern_matched_one_by_one():
    """The macro's length checks never hide a match: for numbers of every length around
    the patterns', the candidates equal those found by matching each configured pattern
    (the `carrier_patterns` table) in turn."""
    con = duckdb.connect()
    try:
        create_reference_tables(con, load_config(overrides={"carriers": EXTRA_PATTERNS}))
        numbers = [r["number"] for r in _vectors()] + [
            "KY1", "KY" + "9" * 30, "9" * 15, "9" * 16, "9" * 25, "KYE" + "1" * 9,
            "KYX" + "1" * 10, "KYE" + "1" * 12, "KYE" + "1" * 13, "AN1234567890",
            "AN12345678901", "12AN", "1{,3}AN", "AN", r"\d{,3}AN", "1" * 19, "1１" * 9 + "1",
            "ZT" + "1" * 11, "ZT" + "1" * 12, "SF" + "1" * 13, "顺丰" + "1" * 13, "", " "]
        numbers += ["7" * k for k in range(1, 22)] + ["JDX" + "1" * k for k in range(8, 16)]
        by_pattern = dict(con.execute("""
            select n, coalesce(list_sort(list_distinct(list(p.code) filter (where
                       regexp_full_match(n, p.regex) and (not p.s10 or s10_check_ok(n))))), [])
            from unnest($numbers) t(n), carrier_patterns p
            group by n
        """, {"numbers": numbers}).fetchall())
        found = dict(con.execute("select n, candidate_carriers(n) from unnest($numbers) t(n)",
                                 {"numbers": numbers}).fetchall())
    finally:
        con.close()
    assert found == by_pattern
    # the extra patterns do match, so the comparison covers them
    assert found["KY" + "9" * 30] == ["kuayue"] and "kuayue" in found["9" * 16]
    assert found["AN1234567890"] == ["annengwuliu"] and found["1{,3}AN"] == ["annengwuliu"]
    assert "annengwuliu" in found["1１" * 9 + "1"] and found["ZT" + "1" * 11] == ["zhongtong"]
