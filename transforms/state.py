"""The state file: what earlier runs found, who had it, and what agents did about it.

One DuckDB file (`--state`). A DuckDB file opened read-write by one process cannot be opened
by another, so runs are serialised with a lock file and a clear message.

Tables: `anomaly_history` (every problem each run found, with the facts that raised it),
`actions` (every result an agent handed back, dated by its 处理时间 cell or else the file's
modification time), `runs`. A run at `as_of` reads only what is dated at or before it, so a
backfill gives what the nightly runs gave.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import shutil
from pathlib import Path

import duckdb

from core.errors import InputError, RunLockedError

STATE_DDL = """
create table if not exists state.anomaly_history (
    as_of timestamp, anomaly_key varchar, anomaly_type varchar, subtype varchar,
    order_id varchar, tracking_no varchar, priority varchar, score double, agent_id varchar
);
alter table state.anomaly_history add column if not exists facts_hash varchar;
alter table state.anomaly_history add column if not exists lifecycle varchar;
create table if not exists state.actions (
    dated_at timestamp, anomaly_key varchar, order_id varchar, result varchar, note varchar,
    new_tracking_no varchar, agent_id varchar, file varchar, "row" bigint,
    recorded_as_of timestamp
);
create table if not exists state.runs (
    as_of timestamp, finished_at timestamp, config_hash varchar, anomalies bigint,
    orders bigint, rejected_rows bigint
);
"""

_HELD: set[Path] = set()


@contextlib.contextmanager
def state_lock(path: Path):
    """Hold an exclusive lock for the state file for the duration of a run. Re-entrant within
    a process: the command line takes it before a flow starts, and the flow's run takes it
    again (a lost race then ends before Prefect starts, in one line)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    key = path.resolve()
    if key in _HELD:
        yield
        return
    lock_path = path.with_name(path.name + ".lock")
    with lock_path.open("w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RunLockedError(
                f"another logiwatch run is using {path}; wait for it to finish "
                f"(or remove {lock_path.name} if no run is active)") from None
        _HELD.add(key)
        try:
            yield
        finally:
            _HELD.discard(key)
            fcntl.flock(fh, fcntl.LOCK_UN)


def backups_dir(path: Path) -> Path:
    """Where copies of the state file are kept: `<state>.backups/` beside it."""
    return path.with_name(path.name + ".backups")


def check(path: Path) -> dict[str, int]:
    """Open the state file read-only and count its tables' rows; a file that is not a
    logiwatch state file is an InputError naming it and the newest good copy."""
    con = duckdb.connect()
    try:
        con.execute("attach $path as state (read_only)", {"path": str(path)})
        tables = dict(con.execute("select table_name, estimated_size from duckdb_tables() "
                                  "where database_name = 'state' order by 1").fetchall())
        for name in tables:
            tables[name] = con.execute(f'select count(*) from state."{name}"').fetchone()[0]
    except duckdb.Error as exc:
        good = newest_good_backup(path)
        hint = (f"; the newest good copy is {good} (logiwatch state restore puts it back)"
                if good else "; no copy of it was kept")
        raise InputError(f"not a usable state file ({str(exc).splitlines()[0][:160]}){hint}",
                         file=str(path)) from None
    finally:
        con.close()
    return tables


def newest_good_backup(path: Path) -> Path | None:
    """The newest copy in the backups folder that opens as a state file."""
    for copy in sorted(backups_dir(path).glob("*.duckdb"), reverse=True):
        con = duckdb.connect()
        try:
            con.execute("attach $path as state (read_only)", {"path": str(copy)})
            con.execute("select count(*) from state.anomaly_history").fetchone()
            return copy
        except duckdb.Error:
            continue
        finally:
            con.close()
    return None


def back_up(path: Path, keep: int, stamp: str) -> None:
    """Keep a copy of the state file before a run changes it; the newest `keep` stay."""
    if keep <= 0 or not path.exists():
        return
    folder = backups_dir(path)
    folder.mkdir(exist_ok=True)
    shutil.copy2(path, folder / f"{stamp}.duckdb")
    for old in sorted(folder.glob("*.duckdb"), reverse=True)[keep:]:
        old.unlink()


def restore(path: Path, source: Path | None = None) -> Path:
    """Put a kept copy back (the newest good one unless `source` is given); the file it
    replaces is moved aside as `<state>.broken-<n>`. Returns the copy used."""
    source = source or newest_good_backup(path)
    if source is None:
        raise InputError("no good copy of the state file was kept", file=str(path))
    with state_lock(path):
        if path.exists():
            n = 1
            while path.with_name(f"{path.name}.broken-{n}").exists():
                n += 1
            os.replace(path, path.with_name(f"{path.name}.broken-{n}"))
        shutil.copy2(source, path)
    return source


def attach(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Attach the state file as schema `state`, creating or upgrading its tables. An
    attachment belongs to the database, not the connection: one left by an earlier stage
    of the run (or a failed try of it) is replaced."""
    con.execute("detach database if exists state")
    con.execute("attach $path as state", {"path": str(path)})
    con.execute(STATE_DDL)
    _upgrade_feedback(con)


@contextlib.contextmanager
def attached(con: duckdb.DuckDBPyConnection, path: Path):
    """The state file attached as schema `state` (`attach`) for the block, let go of after
    it, failed or not: the run's work database outlives the connection that attached it."""
    attach(con, path)
    try:
        yield
    finally:
        con.execute("detach database if exists state")


def _upgrade_feedback(con: duckdb.DuckDBPyConnection) -> None:
    """State files of earlier versions kept results in `feedback`, dated by the run that read
    them: they become actions with that date."""
    old = con.execute("select count(*) from duckdb_tables() where database_name = 'state' "
                      "and table_name = 'feedback'").fetchone()[0]
    if old:
        con.execute("""
            insert into state.actions
            select as_of, anomaly_key, order_id, result, note, null, null, file, null, as_of
            from state.feedback
        """)
        con.execute("drop table state.feedback")


# this run's hand-backs as actions: dated by 处理时间, else the file's time; the agent is the
# file's name (kf01.xlsx)
FEEDBACK_ACTIONS = """
    select coalesce(handled_at, file_time) as dated_at, anomaly_key, order_id, result, note,
           new_tracking_no, regexp_replace(_file, '\\.xlsx?$', '') as agent_id, _file as file,
           _row as "row"
    from feedback
"""


def handed_back(con: duckdb.DuckDBPyConnection, as_of: dt.datetime) -> None:
    """`actions_seen`: every handed-back result dated at or before `as_of`, from the state
    file and from this run's hand-backs (`feedback`), each once."""
    con.execute(f"""
        create or replace temp table actions_seen as
        select distinct on (anomaly_key, result, dated_at, coalesce(file, ''))
            dated_at, anomaly_key, order_id, result, note, new_tracking_no, agent_id, file, "row"
        from (
            select dated_at, anomaly_key, order_id, result, note, new_tracking_no, agent_id,
                   file, "row"
            from state.actions
            union all
            {FEEDBACK_ACTIONS}
        )
        where dated_at <= $as_of and result <> '未处理'
        order by anomaly_key, result, dated_at, coalesce(file, ''), "row"
    """, {"as_of": as_of})


def reject_unknown_keys(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """A handed-back row whose anomaly_key no run ever listed is a reject, not an action."""
    if path.exists():
        with attached(con, path):
            con.execute("create or replace temp table known_keys as "
                        "select distinct anomaly_key from state.anomaly_history")
    else:
        con.execute("create or replace temp table known_keys (anomaly_key varchar)")
    con.execute("""
        insert into rejects
        select null, 'feedback', _file, _row, 'anomaly_key', anomaly_key,
               'no run listed this problem (anomaly_key edited, or the state file was reset)'
        from feedback where anomaly_key not in (select anomaly_key from known_keys)
    """)
    con.execute("delete from feedback where anomaly_key not in "
                "(select anomaly_key from known_keys)")


def load_history(con: duckdb.DuckDBPyConnection, as_of: dt.datetime) -> None:
    """`history_first_seen`, `previous_assignment` and `history_facts` from runs strictly
    before `as_of`."""
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
    con.execute("""
        create or replace table history_facts as
        select as_of, anomaly_key, facts_hash, tracking_no, order_id
        from state.anomaly_history where as_of < $as_of
    """, {"as_of": as_of})


def tracking_overrides(con: duckdb.DuckDBPyConnection, path: Path, as_of: dt.datetime) -> None:
    """`tracking_overrides`: numbers agents corrected (已改单号 with 新单号) at or before
    `as_of`, the latest per order, with the number they replace."""
    con.execute(f"""
        create or replace temp table feedback_numbers as
        select dated_at, anomaly_key, order_id, new_tracking_no, agent_id
        from ({FEEDBACK_ACTIONS})
        where result = '已改单号' and new_tracking_no is not null
    """)
    if path.exists():
        with attached(con, path):
            con.execute("""
                insert into feedback_numbers
                select dated_at, anomaly_key, order_id, new_tracking_no, agent_id
                from state.actions where result = '已改单号' and new_tracking_no is not null
            """)
            con.execute("""
                create or replace temp table key_numbers as
                select anomaly_key, arg_max(order_id, as_of) as order_id,
                       arg_max(tracking_no, as_of) as tracking_no
                from state.anomaly_history group by anomaly_key
            """)
    else:
        con.execute("create or replace temp table key_numbers (anomaly_key varchar, "
                    "order_id varchar, tracking_no varchar)")
    con.execute("""
        create or replace table tracking_overrides as
        select coalesce(k.order_id, f.order_id) as order_id,
               arg_max(k.tracking_no, f.dated_at) as old_tracking_no,
               arg_max(upper(trim(f.new_tracking_no)), f.dated_at) as new_tracking_no,
               arg_max(f.agent_id, f.dated_at) as agent_id, max(f.dated_at) as dated_at
        from feedback_numbers f
        left join key_numbers k using (anomaly_key)
        where f.dated_at <= $as_of and coalesce(k.order_id, f.order_id) is not null
        group by 1
    """, {"as_of": as_of})


def apply_tracking_overrides(con: duckdb.DuckDBPyConnection) -> None:
    """Put agents' corrected numbers into the order lines before staging: the old number is
    replaced where the cell holds it, else the cell becomes the new number."""
    con.execute("""
        update order_lines set tracking_no = case
            when o.old_tracking_no is not null
                 and position(o.old_tracking_no in upper(coalesce(order_lines.tracking_no, ''))) > 0
                then replace(upper(order_lines.tracking_no), o.old_tracking_no, o.new_tracking_no)
            else o.new_tracking_no end
        from tracking_overrides o
        where order_lines.order_id = o.order_id
    """)


def order_history(path: Path, order_id: str) -> tuple[list[tuple], list[tuple]]:
    """An order's problems across runs and what agents did about them, read from the state
    file: (problems, actions). Problems: type, subtype, tracking number, key, first seen,
    last seen, runs, last tier, last agent, last lifecycle. Actions: date, agent, result,
    note, new number, file, row."""
    con = duckdb.connect()
    try:
        try:
            con.execute("attach $path as state (read_only)", {"path": str(path)})
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                raise RunLockedError(f"a run is using {path}; try again when it has finished"
                                     ) from None
            raise
        problems = con.execute("""
            select anomaly_type, subtype, tracking_no, anomaly_key, min(as_of), max(as_of),
                   count(*), arg_max(priority, as_of), arg_max(agent_id, as_of),
                   arg_max(lifecycle, as_of)
            from state.anomaly_history where order_id = $o
            group by anomaly_type, subtype, tracking_no, anomaly_key
            order by min(as_of), anomaly_type, tracking_no
        """, {"o": order_id}).fetchall()
        actions = con.execute("""
            select dated_at, agent_id, result, note, new_tracking_no, file, "row"
            from state.actions
            where order_id = $o or anomaly_key in (
                select anomaly_key from state.anomaly_history where order_id = $o)
            order by dated_at, file, "row"
        """, {"o": order_id}).fetchall()
    finally:
        con.close()
    return problems, actions


def record_run(con: duckdb.DuckDBPyConnection, as_of: dt.datetime, config_hash: str) -> None:
    """Record this run: every problem found (shown or held back, with its facts), the
    hand-backs read (each once), the run. Re-running a date replaces that date's rows."""
    con.execute("delete from state.anomaly_history where as_of = $as_of", {"as_of": as_of})
    con.execute("delete from state.runs where as_of = $as_of", {"as_of": as_of})
    con.execute(f"""
        insert into state.actions
        select f.dated_at, f.anomaly_key, f.order_id, f.result, f.note, f.new_tracking_no,
               f.agent_id, f.file, f."row", $as_of
        from ({FEEDBACK_ACTIONS}) f
        where f.result <> '未处理' and not exists (
            select 1 from state.actions a
            where a.anomaly_key = f.anomaly_key and a.result = f.result
              and a.dated_at = f.dated_at and coalesce(a.file, '') = coalesce(f.file, '')
        )
    """, {"as_of": as_of})
    con.execute("""
        insert into state.anomaly_history by name
        select as_of, anomaly_key, anomaly_type, subtype, order_id, tracking_no, priority, score,
               agent_id, facts_hash, lifecycle
        from anomalies_found
    """)
    con.execute("""
        insert into state.runs
        select $as_of, now()::timestamp, $hash, (select count(*) from anomalies),
               (select count(*) from stg_orders), (select count(*) from rejects)
    """, {"as_of": as_of, "hash": config_hash})
