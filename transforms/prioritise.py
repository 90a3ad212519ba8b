"""Score, tier, route and assign the detected anomalies (plain functions, no Prefect)."""

from __future__ import annotations

import datetime as dt

import duckdb

from core.db import create_table, insert_rows


def prioritise(con: duckdb.DuckDBPyConnection, config, as_of: dt.datetime) -> None:
    """`anomalies_found` from `detected`: every problem with its key, facts, lifecycle,
    first_seen, score, tier, reason and team; `anomalies`: those shown today (not held back by
    what an agent recorded), with the agent who works each.

    Needs `history_first_seen`, `history_facts`, `previous_assignment` and `actions_seen`
    (see `transforms.state`).
    """
    priority = config.priority
    con.execute("create or replace table severity (anomaly_type varchar, severity double)")
    insert_rows(con, "severity", list(priority.severity.model_dump().items()))
    con.execute("create or replace table routing (anomaly_type varchar, team varchar)")
    insert_rows(con, "routing", list(config.routing.model_dump().items()))
    params = {"as_of": as_of, **priority.model_dump(exclude={"severity"}),
              "recontact_after": config.thresholds.recontact_after,
              "reopen_after": config.thresholds.reopen_after}
    create_table(con, "anomalies_found", "report/anomalies", params)
    con.execute("create or replace table anomalies as "
                "select * from anomalies_found where not held_back")
    create_table(con, "assignment", "report/assignment")
    con.execute("""
        create or replace table anomalies as
        select a.*, s.agent_id
        from anomalies a left join assignment s using (order_id)
        order by a.priority, a.score desc, a.overdue_hours desc, a.amount desc nulls last,
                 a.order_id, a.anomaly_type, a.tracking_no
    """)
    con.execute("""
        create or replace table anomalies_found as
        select f.*, a.agent_id
        from anomalies_found f left join anomalies a using (anomaly_key)
    """)
