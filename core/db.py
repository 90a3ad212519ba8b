"""Load SQL files by name and run them with bound parameters."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import duckdb

# the SQL lives with the transforms that own it; this module only loads and binds it
SQL_DIR = Path(__file__).resolve().parent.parent / "transforms" / "sql"
_PARAM = re.compile(r"(?<![\w$])\$([A-Za-z_]\w*)")
_COMMENT = re.compile(r"--[^\n]*")


@cache
def sql_text(name: str) -> str:
    """The text of `transforms/sql/<name>.sql`."""
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def params_used(sql: str) -> set[str]:
    """Names of the `$name` parameters a statement uses (comments ignored)."""
    return set(_PARAM.findall(_COMMENT.sub("", sql)))


def bind(sql: str, params: dict[str, Any]) -> dict[str, Any]:
    """The subset of `params` that `sql` uses; DuckDB rejects unused named parameters."""
    used = params_used(sql)
    missing = used - params.keys()
    if missing:
        raise KeyError(f"SQL parameters not provided: {sorted(missing)}")
    return {k: params[k] for k in used}


def inline_models(sql: str, models: dict[str, str]) -> str:
    """`sql` with each table of `models` (table → SQL file name) that it reads defined in
    front of it as a CTE, like dbt's ephemeral models: computed within the statement that
    reads it, never stored."""
    code = _COMMENT.sub("", sql)
    used = [t for t in models if re.search(rf"\b{t}\b", code)]
    if not used:
        return sql
    ctes = ",\n".join(f"{t} as (\n{sql_text(models[t])}\n)" for t in used)
    return f"with {ctes}\nselect * from (\n{sql}\n)"


def create_table(con: duckdb.DuckDBPyConnection, table: str, name: str,
                 params: dict[str, Any] | None = None, temp: bool = False,
                 inline: dict[str, str] | None = None) -> None:
    """`create or replace [temp] table <table> as <sql file name>`, parameters bound; the
    tables of `inline` it reads are computed within it (`inline_models`)."""
    sql = inline_models(sql_text(name), inline or {})
    kind = "temp table" if temp else "table"
    con.execute(f"create or replace {kind} {table} as\n{sql}", bind(sql, params or {}))


def column_names(con: duckdb.DuckDBPyConnection, table: str,
                 of_type: str | None = None) -> list[str]:
    """The columns of a table or view, in order; only those of type `of_type` when given."""
    return [name for name, kind, *_ in con.execute(f"describe {table}").fetchall()
            if of_type is None or kind == of_type]


def table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    """Whether a table (temp or not) of that name exists."""
    return con.execute("select count(*) from duckdb_tables() where table_name = $t",
                       {"t": table}).fetchone()[0] > 0


def insert_rows(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple]) -> None:
    """Insert rows into `table` (an empty list is fine; executemany refuses one)."""
    if rows:
        marks = ", ".join("?" * len(rows[0]))
        con.executemany(f"insert into {table} values ({marks})", rows)


def register(con: duckdb.DuckDBPyConnection, name: str, data: Any) -> None:
    """`con.register(name, data)` (a pandas frame or an Arrow table) after finishing any
    result an earlier `execute()` left unread: duckdb 2.0 refuses to register while one is
    pending (after a `fetchone()`, say), though it lets a new `execute()` replace it."""
    con.complete()
    con.register(name, data)
