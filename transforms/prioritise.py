"""Score, tier, route and assign the detected anomalies (plain functions, no Prefect)."""

from __future__ import annotations

import datetime as dt

import duckdb

from core.db import create_table, insert_rows


def prioritise(con: duckdb.DuckDBPyConnection, config, as_of: dt.datetime) -> None:
    """`anomalies` from `detected`: key, first_seen, score, tier, reason, team, agent_id.

    Needs `history_first_seen` and `previous_assignment` (see `transforms.state`).
    """
    priority = config.priority
    con.execute("create or replace table severity (anomaly_type varchar, severity double)")
    insert_rows(con, "severity", list(priority.severity.model_dump().items()))
    con.execute("create or replace table routing (anomaly_type varchar, team varchar)")
    insert_rows(con, "routing", list(config.routing.model_dump().items()))
    params = {"as_of": as_of, **priority.model_dump(exclude={"severity"})}
    create_table(con, "anomalies", "report/anomalies", params)
    create_table(con, "assignment", "report/assignment")
    con.execute("""
        create or replace table anomalies as
        select a.*, s.agent_id
        from anomalies a left join assignment s using (order_id)
        order by a.priority, a.score desc, a.overdue_hours desc, a.amount desc nulls last,
                 a.order_id, a.anomaly_type, a.tracking_no
    """)
