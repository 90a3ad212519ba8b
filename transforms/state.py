"""The state file: what earlier runs found and who had it, so the next run can continue.

One DuckDB file (`--state`). A DuckDB file opened read-write by one process cannot be opened
by another, so runs are serialised with a lock file and a clear message.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
from pathlib import Path

import duckdb

from core.errors import RunLockedError

STATE_DDL = """
create table if not exists state.anomaly_history (
    as_of timestamp, anomaly_key varchar, anomaly_type varchar, subtype varchar,
    order_id varchar, tracking_no varchar, priority varchar, score double, agent_id varchar
);
create table if not exists state.feedback (
    as_of timestamp, anomaly_key varchar, order_id varchar, result varchar, note varchar,
    file varchar
);
create table if not exists state.runs (
    as_of timestamp, finished_at timestamp, config_hash varchar, anomalies bigint,
    orders bigint, rejected_rows bigint
);
"""


@contextlib.contextmanager
def state_lock(path: Path):
    """Hold an exclusive lock for the state file for the duration of a run."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = path.with_name(path.name + ".lock")
    with lock_path.open("w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RunLockedError(
                f"another logiwatch run is using {path}; wait for it to finish "
                f"(or remove {lock_path.name} if no run is active)") from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def attach(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Attach the state file as schema `state`, creating its tables on first use."""
    con.execute("attach $path as state", {"path": str(path)})
    con.execute(STATE_DDL)


def load_history(con: duckdb.DuckDBPyConnection, as_of: dt.datetime) -> None:
    """`history_first_seen` and `previous_assignment` from runs strictly before `as_of`."""
    con.execute("""
        create or replace table history_first_seen as
        select anomaly_key, min(as_of) as first_seen
        from state.anomaly_history where as_of < $as_of
        group by anomaly_key
    """, {"as_of": as_of})
    con.execute("""
        create or replace table previous_assignment as
        select order_id, arg_max(agent_id, as_of) as agent_id
        from state.anomaly_history
        where as_of = (select max(as_of) from state.anomaly_history where as_of < $as_of)
          and agent_id is not null
        group by order_id
    """, {"as_of": as_of})


CONTACT_RESULTS = ("已联系客户", "已催件", "等待客户回复")


def load_feedback(con: duckdb.DuckDBPyConnection, as_of: dt.datetime) -> None:
    """`contacted`: problems an agent reported contacting the customer or courier about,
    in worklists handed back before or with this run (the latest result per problem)."""
    con.execute("""
        create or replace table contacted as
        select anomaly_key, arg_max(result, received) as result, max(received) as contacted_on
        from (
            select anomaly_key, result, as_of as received from state.feedback
            where as_of < $as_of
            union all
            select anomaly_key, result, $as_of from feedback
        )
        group by anomaly_key
        having arg_max(result, received) in (select unnest($results))
    """, {"as_of": as_of, "results": list(CONTACT_RESULTS)})


def record_run(con: duckdb.DuckDBPyConnection, as_of: dt.datetime, config_hash: str) -> None:
    """Replace this as_of's rows in the history (re-running a date is idempotent)."""
    con.execute("delete from state.anomaly_history where as_of = $as_of", {"as_of": as_of})
    con.execute("delete from state.runs where as_of = $as_of", {"as_of": as_of})
    con.execute("delete from state.feedback where as_of = $as_of", {"as_of": as_of})
    con.execute("""
        insert into state.feedback
        select $as_of, anomaly_key, order_id, result, note, _file from feedback
    """, {"as_of": as_of})
    con.execute("""
        insert into state.anomaly_history
        select as_of, anomaly_key, anomaly_type, subtype, order_id, tracking_no, priority, score,
               agent_id
        from anomalies
    """)
    con.execute("""
        insert into state.runs
        select $as_of, now()::timestamp, $hash, (select count(*) from anomalies),
               (select count(*) from stg_orders), (select count(*) from rejects)
    """, {"as_of": as_of, "hash": config_hash})

