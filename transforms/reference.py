"""Small reference tables the SQL joins against, built from configuration and the catalog."""

from __future__ import annotations

import duckdb

from core.labels import LABELS, RESULT_KINDS
from core.registry import RULES
from core.errors import ConfigError
from transforms.carriers import alias_rows, build_registry, candidates_macro_sql, pattern_rows
from core.db import insert_rows, sql_text

# Kuaidi100 state / statusCode → (canonical status, DELIVERY_EXCEPTION subtype); docs/domain.md, courier scans
STATUS_CODES = {
    "101": ("ORDERED", None), "102": ("ORDERED", None),
    "1": ("PICKED_UP", None), "103": ("PICKED_UP", None),
    "0": ("IN_TRANSIT", None), "1001": ("IN_TRANSIT", None), "1002": ("IN_TRANSIT", None),
    "1003": ("IN_TRANSIT", None),
    "5": ("OUT_FOR_DELIVERY", None),
    "501": ("AT_LOCKER", "LOCKER_UNCOLLECTED"),
    "3": ("SIGNED", None), "301": ("SIGNED", None), "302": ("SIGNED", None),
    "303": ("SIGNED_PROXY", None), "304": ("SIGNED_LOCKER", None),
    "2": ("PROBLEM", "OTHER"), "201": ("PROBLEM", "OTHER"), "202": ("PROBLEM", "OTHER"),
    "204": ("PROBLEM", "OTHER"), "205": ("PROBLEM", "LOCKER_UNCOLLECTED"),
    "206": ("PROBLEM", "UNREACHABLE"), "207": ("PROBLEM", "OUT_OF_AREA"), "208": ("PROBLEM", "HELD"),
    "209": ("PROBLEM", "DAMAGED"), "210": ("PROBLEM", "OTHER"),
    "14": ("REFUSED", "REFUSED"), "203": ("REFUSED", "REFUSED"),
    "6": ("RETURNING", "RETURNING"),
    "4": ("RETURN_SIGNED", "RETURNED"),
    "401": ("CANCELLED", None),
    "7": ("FORWARDED", None),
    "8": ("CUSTOMS", None), "10": ("CUSTOMS", None), "11": ("CUSTOMS", None),
    "12": ("CUSTOMS", None), "13": ("CUSTOMS", None),
}

# Coarse codes and the finer states their text may name: old (and some current) responses give
# the top-level state where newer ones give the sub-state (0 or 5 for 501 投柜或驿站, 3 for
# 303 代签 / 304 投柜或站签收, 0 for 5 派件). Older responses also gave 签收 3 to a parcel a
# courier put in a locker (韵达's "快件已被…丰巢智能柜保管"), which newer ones name 501: the parcel
# waits there. And 501 投柜或驿站 names the locker a scan happened at, also when a courier
# took the parcel back out of it (圆通's "快件已被快递员从[递管家自提柜]取回"): it no longer waits
# there, the courier has it. A parcel's latest status takes the text's finer state there
# (staging/parcel_status.sql); a code never yields to a text that contradicts it.
STATUS_REFINEMENTS = {
    "0": ("AT_LOCKER", "OUT_FOR_DELIVERY"),
    "5": ("AT_LOCKER",),
    "3": ("SIGNED_PROXY", "SIGNED_LOCKER", "AT_LOCKER"),
    "501": ("OUT_FOR_DELIVERY",),
}


def create_reference_tables(con: duckdb.DuckDBPyConnection, config) -> None:
    """Macros plus carrier, zone, promotion, status-code and label tables for one run."""
    con.execute(sql_text("macros"))
    registry = build_registry({code: c.model_dump() for code, c in config.carriers.items()})
    con.execute("create or replace table carrier_aliases (alias varchar, code varchar)")
    insert_rows(con, "carrier_aliases", alias_rows(registry))
    con.execute("create or replace table carriers (code varchar, name varchar)")
    insert_rows(con, "carriers", [(c.code, c.name) for c in registry])
    con.execute("create or replace table carrier_patterns "
                "(code varchar, regex varchar, era varchar, s10 boolean)")
    insert_rows(con, "carrier_patterns", pattern_rows(registry))
    try:
        con.execute(candidates_macro_sql(registry))
        con.execute("select candidate_carriers('')").fetchall()
    except duckdb.Error as exc:
        raise ConfigError(f"carriers: a pattern is not a valid regular expression "
                          f"({str(exc).splitlines()[0]})") from None
    con.execute("create or replace table zone_provinces "
                "(warehouse varchar, province varchar, zone integer)")
    rows = []
    for warehouse, table in config.zones.items():
        rows += [(warehouse, p, 1) for p in table.zone1]
        rows += [(warehouse, p, 3) for p in table.zone3]
    insert_rows(con, "zone_provinces", rows)
    con.execute("create or replace table promotions "
                "(name varchar, start_at timestamp, end_at timestamp)")
    insert_rows(con, "promotions",
                [(p.name, p.start, p.end) for p in config.promotions])
    con.execute("create or replace table status_codes "
                "(code varchar, status varchar, exception_subtype varchar)")
    insert_rows(con, "status_codes", [(k, *v) for k, v in STATUS_CODES.items()])
    con.execute("create or replace table status_refinements (code varchar, status varchar)")
    insert_rows(con, "status_refinements",
                [(code, s) for code, finer in STATUS_REFINEMENTS.items() for s in finer])
    con.execute("create or replace table labels (key varchar primary key, text varchar)")
    insert_rows(con, "labels", list(LABELS.items()))
    con.execute("create or replace macro label(k) as (select text from labels where key = k)")
    # numbers agents corrected; filled from the state file by the run (transforms.state)
    con.execute("create table if not exists tracking_overrides (order_id varchar, "
                "old_tracking_no varchar, new_tracking_no varchar, agent_id varchar, "
                "dated_at timestamp)")
    # what each handed-back result means for the problem's lifecycle
    con.execute("create or replace table result_kinds (result varchar, kind varchar)")
    insert_rows(con, "result_kinds", list(RESULT_KINDS.items()))
    # root causes: an anomaly of a type that `explains` another one of the same order leads it
    con.execute("create or replace table rule_explains (cause varchar, symptom varchar)")
    insert_rows(con, "rule_explains", [(code, symptom) for code, rule in RULES.items()
                                       for symptom in rule.explains])
