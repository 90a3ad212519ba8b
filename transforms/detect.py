"""Stage the validated inputs and run every rule in one DuckDB pass.

A rule is a file in `sql/rules/`: a query returning the common rule columns
(`RULE_COLUMNS`). Adding a rule is adding a file (and its tests); `detect` unions them all.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb

from core.db import SQL_DIR, bind, create_table, sql_text
from transforms.reference import create_reference_tables

RULE_COLUMNS = ("anomaly_type", "subtype", "order_id", "tracking_no", "sku", "ref_time",
                "elapsed_hours", "threshold_hours", "detail")
RULES = tuple(sorted(p.stem for p in (SQL_DIR / "rules").glob("*.sql")))
STAGING = (
    ("stg_orders", "staging/orders"),
    ("stg_parcels", "staging/parcels"),
    ("stg_events", "staging/events"),
    ("stg_parcel_status", "staging/parcel_status"),
    ("stg_parcel_facts", "staging/parcel_facts"),
)
# read by the rules and the warnings only, on the detect stage's own connection: temp
# tables, which DuckDB keeps in memory (spilling past memory_limit) instead of writing them
# to the work file (stg_events at a million orders: 1 s less)
STAGE_ONLY = {"stg_events", "stg_parcel_facts"}


def rule_params(config, as_of: dt.datetime) -> dict[str, Any]:
    """Every parameter a rule may bind: the cut-off, thresholds (hours) and windows."""
    return {"as_of": as_of, **config.threshold_hours(),
            "duplicate_window_days": config.duplicate_window_days}


def build_staging(con: duckdb.DuckDBPyConnection, config, as_of: dt.datetime) -> None:
    """Reference tables, then the staging tables the rules read, cut at `as_of`."""
    create_reference_tables(con, config)
    params = rule_params(config, as_of)
    for table, name in STAGING:
        create_table(con, table, name, params, temp=table in STAGE_ONLY)


def rules_union_sql(rules: tuple[str, ...] = RULES) -> str:
    """All rule queries as one UNION ALL statement (one DuckDB pass over the tables)."""
    columns = ", ".join(RULE_COLUMNS)
    return "\nunion all\n".join(
        f"select {columns} from (\n{sql_text(f'rules/{r}')}\n)" for r in rules)


def detect(con: duckdb.DuckDBPyConnection, config, as_of: dt.datetime,
           rules: tuple[str, ...] = RULES) -> None:
    """`detected`: the rows of every rule at `as_of` (staging must have run)."""
    sql = rules_union_sql(rules)
    con.execute(f"create or replace table detected as\n{sql}",
                bind(sql, rule_params(config, as_of)))


def data_quality(con: duckdb.DuckDBPyConnection) -> None:
    """`warnings`: facts that are not rejects but that ops should fix in the exports."""
    create_table(con, "warnings", "report/warnings")
