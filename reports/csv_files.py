"""CSV outputs written by DuckDB (fast at volume), UTF-8 with BOM so Excel opens them right.

Every text value that a spreadsheet would run as a formula is made inert with a leading '.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

ANOMALY_COLUMNS = (
    "as_of", "anomaly_type", "subtype", "order_id", "platform_order_id", "shop", "warehouse",
    "carrier", "tracking_no", "sku", "elapsed_hours", "threshold_hours", "priority", "score",
    "reason", "action", "team", "agent_id", "first_seen", "anomaly_key",
)
REJECT_COLUMNS = ("file", "row", "column", "value", "reason")
WARNING_COLUMNS = ("kind", "file", "row", "column", "value", "message")
_NUMERIC = {"elapsed_hours", "threshold_hours", "score", "row"}
_TIMES = {"as_of", "first_seen"}


def _select_list(columns: tuple[str, ...]) -> str:
    parts = []
    for c in columns:
        if c in _NUMERIC:
            parts.append(f'"{c}"')
        elif c in _TIMES:
            parts.append(f"strftime(\"{c}\", '%Y-%m-%d %H:%M:%S') as \"{c}\"")
        else:
            parts.append(f'inert(cast("{c}" as varchar)) as "{c}"')
    return ", ".join(parts)


def write_csv(con: duckdb.DuckDBPyConnection, table: str, columns: tuple[str, ...], path: Path,
              order_by: str) -> int:
    """COPY `columns` of `table` to `path` (UTF-8 with BOM); returns the row count."""
    body = path.with_name(path.name + ".body")
    con.execute(f"""
        copy (select {_select_list(columns)} from {table} order by {order_by})
        to '{str(body).replace("'", "''")}' (header true, delimiter ',', quote '"')
    """)
    with path.open("wb") as out, body.open("rb") as src:
        out.write(b"\xef\xbb\xbf")
        shutil.copyfileobj(src, out, 1 << 20)
    body.unlink()
    return con.execute(f"select count(*) from {table}").fetchone()[0]


def write_anomalies(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    """`anomalies.csv`: the columns of docs/contracts.md, in order, sorted by priority then score."""
    return write_csv(con, "anomalies", ANOMALY_COLUMNS, path,
                     "priority, score desc, order_id, anomaly_type, tracking_no")


def write_rejects(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    """`rejects.csv`: every rejected input row with file, row, column, value and reason."""
    return write_csv(con, "rejects", REJECT_COLUMNS, path, 'file, "row", "column"')


def write_warnings(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    """`warnings.csv`: data-quality warnings (rows that were used but need fixing)."""
    return write_csv(con, "warnings", WARNING_COLUMNS, path, 'kind, file, "row"')
