"""Two-pass validation of loaded exports: every bad row goes to `rejects` with a reason.

Pass 1 (DuckDB): text → types with TRY_CAST / try_strptime (order lines, stock and agents as
their files are read, `typing`); a value that does not cast, or
that is longer than a spreadsheet cell holds, is a reject naming its column (characters no
spreadsheet can hold are removed first). Pass 2 (pandera): the models in `schemas.models`
on the typed columns; each failing row is a reject. Rows of an order whose order-level
fields disagree between lines are rejected whole. What is left is the accepted table `<kind>`.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandera.errors
import polars as pl

from core.db import column_names, register
from schemas.models import CHECK_REASONS, COLUMN_TYPES, MODELS, ORDER_STATUS

TIMESTAMP_FORMATS = [
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M",
    "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日 %H:%M:%S", "%Y年%m月%d日 %H:%M",
    "%Y%m%d%H%M%S",
]
TYPE_REASONS = {"timestamp": "not a date-time (expected e.g. 2026-11-20 08:00:00)",
                "number": "not a number"}
# order-level fields that must agree on every line of one order
ORDER_LEVEL = ("platform_order_id", "shop", "status", "paid_at", "shipped_at", "carrier",
               "tracking_no", "receiver_phone", "province", "warehouse")

# characters XML (and so every XLSX writer) cannot hold: C0 controls but tab, LF, CR
CONTROL_CHARACTERS = "[\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F]"
REJECTS_DDL = """
create table if not exists rejects (
    _rid bigint, kind varchar, file varchar, "row" bigint, "column" varchar, value varchar,
    reason varchar
)
"""


def _cast(column: str, kind: str) -> str:
    if kind == "timestamp":
        return f"try_strptime({column}, $ts_formats)"
    # thousands separators and a currency sign are common in money columns
    return f"try_cast(replace(replace(replace({column}, ',', ''), '¥', ''), '元', '') as double)"


@dataclass(frozen=True)
class Typing:
    """How the rows of a kind are typed from their text: `inner`, the select list of the
    typed columns (and of the text of those cast, `_text_<column>`) over a row's text
    expressions; `outer`, the select list over that which keeps the text of a value that
    did not cast in `_bad_<column>` (a reject later) and drops the rest; `params` for both."""

    inner: str
    outer: str
    params: dict


def typing(kind: str, text: dict[str, str]) -> Typing:
    """The typing of `kind` from `text`, each column's text as an SQL expression."""
    types = COLUMN_TYPES[kind]
    columns = list(text)
    select = []
    for c in columns:
        if c in types:
            select.append(f"{_cast(text[c], types[c])} as {c}")
        elif c == "status" and kind == "order_lines":
            # a map look-up, not a join: a join makes DuckDB write the table on one thread
            select.append(f"coalesce(map_extract_value(map($status_raw, $status_canonical), "
                          f"upper(trim({text[c]}))), "
                          f"upper(trim({text[c]}))) as status, {text[c]} as status_raw")
        else:
            select.append(f"{text[c]} as {c}")
    params = {"ts_formats": TIMESTAMP_FORMATS} if "timestamp" in {types[c] for c in columns
                                                                  if c in types} else {}
    if kind == "order_lines" and "status" in columns:
        params.update(status_raw=list(ORDER_STATUS), status_canonical=list(ORDER_STATUS.values()))
    # a value that does not cast keeps its text in `_bad_<column>`: the rejects are then
    # read from the typed table, each value cast once, with no second pass over the text
    cast = [c for c in columns if c in types]
    inner = ", ".join(select + [f"{text[c]} as _text_{c}" for c in cast])
    outer = "*"
    if cast:
        outer = (f"* exclude ({', '.join(f'_text_{c}' for c in cast)}), "
                 + ", ".join(f"case when _text_{c} is not null and {c} is null "
                             f"then _text_{c} end as _bad_{c}" for c in cast))
    return Typing(inner, outer, params)


def coerce(con: duckdb.DuckDBPyConnection, kind: str,
           files_with_controls: list[str] | tuple[str, ...] = ()) -> None:
    """Pass 1: `raw_<kind>` (text; a table or a view) → `typed_<kind>`, where a value that
    does not cast keeps its text for its reject (`cast_rejects`). The characters no
    spreadsheet can hold (`CONTROL_CHARACTERS`) are removed first from the rows of
    `files_with_controls`, the only files that may hold them. A row is known by its row id
    in `typed_<kind>` from here on (`rejects._rid`). Files typed as they were read
    (`validate(typed_on_load=True)`, `schemas.readers.load_file(typed=…)`) skip this copy."""
    columns = [c for c in column_names(con, f"raw_{kind}") if c not in ("_file", "_row")]
    text = {c: f"r.{c}" for c in columns}
    if files_with_controls:
        varchar = set(column_names(con, f"raw_{kind}", "VARCHAR"))
        text.update({c: f"case when list_contains($files, r._file) "
                        f"then regexp_replace(r.{c}, $controls, '', 'g') else r.{c} end"
                     for c in columns if c in varchar})
    typed = typing(kind, text)
    params = dict(typed.params)
    if files_with_controls:
        params.update(files=list(files_with_controls), controls=CONTROL_CHARACTERS)
    # a table of the work database (not a temp table): `accept` turns it into `<kind>` in place
    con.execute(f"create or replace table typed_{kind} as select {typed.outer} from "
                f"(select r._file, r._row, {typed.inner} from raw_{kind} r)", params)


def cast_rejects(con: duckdb.DuckDBPyConnection, kind: str) -> None:
    """Every value of `typed_<kind>` that did not cast (`_bad_<column>`) is a reject."""
    types = COLUMN_TYPES[kind]
    for c in column_names(con, f"typed_{kind}"):
        if c.startswith("_bad_") and c.removeprefix("_bad_") in types:
            col = c.removeprefix("_bad_")
            con.execute(f"""
                insert into rejects
                select t.rowid, $kind, t._file, t._row, coalesce(h.header, $col), t._bad_{col},
                       $reason
                from typed_{kind} t
                left join file_headers h on h.file = t._file and h.column = $col
                where t._bad_{col} is not null
            """, {"kind": kind, "col": col, "reason": TYPE_REASONS[types[col]]})


def reject_long_values(con: duckdb.DuckDBPyConnection, kind: str, max_cell_chars: int) -> None:
    """A value longer than `max_cell_chars` characters is a reject: no spreadsheet cell
    holds it. Read from `typed_<kind>`, whose text columns hold the export's values (a
    value that did not cast is in `_bad_<column>`): its statistics know the longest value,
    so without one the statement reads nothing."""
    # each text column of the table and the export column it holds; `status` is the
    # canonical form of `status_raw`, the export's own text, which stands for it
    holds = {c: c.removeprefix("_bad_")
             for c in column_names(con, f"typed_{kind}", "VARCHAR") if c != "_file"}
    if "status_raw" in holds:
        del holds["status"]
        holds["status_raw"] = "status"
    if not holds:
        return
    # bytes, not characters: a string's byte length costs nothing to read and is never less
    # than its length in characters, which the statement below checks
    longest = "greatest(" + ", ".join(f"coalesce(strlen({c}), 0)" for c in holds) + ")"
    con.execute(f"""
        create or replace temp table _long as
        select rowid as _rid, * from typed_{kind} where {longest} > $limit
    """, {"limit": max_cell_chars})
    for column, export_column in holds.items():
        con.execute(f"""
            insert into rejects
            select _rid, $kind, _file, _row, coalesce(h.header, $col),
                   left({column}, 40) || '…',
                   'value longer than limits.max_cell_chars (' || $limit || ' characters: '
                   || length({column}) || ')'
            from _long t
            left join file_headers h on h.file = t._file and h.column = $col
            where length({column}) > $limit
        """, {"kind": kind, "col": export_column, "limit": max_cell_chars})
    con.execute("drop table _long")


def _data_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """The columns of a typed table that carry the export's data."""
    return [c for c in column_names(con, table)
            if c not in ("_file", "_row") and not c.startswith("_bad_")]


def check(con: duckdb.DuckDBPyConnection, kind: str) -> None:
    """Pass 2: the pandera model of `kind` over the typed rows that passed pass 1."""
    model = MODELS[kind]
    present = set(column_names(con, f"typed_{kind}"))
    schema = model.to_schema()
    schema.columns = {k: v for k, v in schema.columns.items() if k in present}
    # Arrow straight from the engine: polars reads it without copying the strings
    frame = pl.from_arrow(con.sql(f"""
        select rowid as _rid, {', '.join(schema.columns)} from typed_{kind} t
        where not exists (select 1 from rejects r where r.kind = $kind and r._rid = t.rowid)
    """, params={"kind": kind}).to_arrow_table())
    try:
        schema.validate(frame, lazy=True)
        return
    except pandera.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    cases = (cases.filter(pl.col("index").is_not_null() & pl.col("column").is_not_null())
             .unique(subset=["index", "column"], keep="first", maintain_order=True))
    if cases.is_empty():
        return
    # a reason per check, not per failing cell: a bad file may fail on every row
    reasons = {c: _reason(c) for c in cases["check"].unique()}
    fails = pl.DataFrame({
        "_rid": frame["_rid"].gather(cases["index"]),
        "col": cases["column"],
        "value": cases["failure_case"].cast(pl.String),
        "reason": cases["check"].replace_strict(reasons, return_dtype=pl.String),
    }).to_arrow()
    register(con, "_fails", fails)
    con.execute(f"""
        insert into rejects
        select f._rid, $kind, t._file, t._row, coalesce(h.header, f.col), f.value, f.reason
        from _fails f join typed_{kind} t on t.rowid = f._rid
        left join file_headers h on h.file = t._file and h.column = f.col
    """, {"kind": kind})
    con.unregister("_fails")


def _reason(check_name: str) -> str:
    for key, text in CHECK_REASONS.items():
        if check_name.startswith(key):
            return text
    return check_name


def order_line_checks(con: duckdb.DuckDBPyConnection) -> None:
    """`_order_checks`: the orders whose lines disagree on an order-level field (`fields`,
    their names) or hold a line twice (`has_copies`; a hash collision only adds a
    candidate). One aggregate over the live lines of orders with more than one line, the
    only lines that can disagree or be copies."""
    present = set(column_names(con, "typed_order_lines"))
    fields = [f for f in ORDER_LEVEL if f in present]
    # min/max, like count(distinct …), skip empty values, and cost far less on a million orders
    differs = {f: f"min({f}) is distinct from max({f})" for f in fields}
    which = " || ".join(f"case when {differs[f]} then '{f} ' else '' end" for f in fields)
    line = f"hash({', '.join(_data_columns(con, 'typed_order_lines'))})"
    # a table first: as a subquery of the statement below, it is planned as a costlier join
    con.execute("create or replace temp table _multi_line_orders as select order_id "
                "from typed_order_lines group by order_id having count(*) > 1")
    con.execute(f"""
        create or replace temp table _order_checks as
        select * from (
            select order_id, {which} as fields,
                   len(list_distinct(list({line}))) < count(*) as has_copies
            from typed_order_lines l
            where order_id in (select order_id from _multi_line_orders)
              and not exists (select 1 from rejects r
                              where r.kind = 'order_lines' and r._rid = l.rowid)
            group by order_id
        )
        where fields <> '' or has_copies
    """)
    con.execute("drop table _multi_line_orders")


def check_duplicate_lines(con: duckdb.DuckDBPyConnection) -> None:
    """Reject every later copy of an order line that appears twice (same values throughout)
    (`order_line_checks` must have run)."""
    columns = _data_columns(con, "typed_order_lines")
    # only the lines of orders with a copied line are sorted, by their values, to tell the
    # first copy from the later ones
    con.execute(f"""
        insert into rejects
        select _rid, 'order_lines', _file, _row, '内部订单号', order_id,
               'duplicate order line: same values as row ' || first_row
        from (
            select l.rowid as _rid, *,
                   first_value(_row) over same as first_row,
                   row_number() over same as copy
            from typed_order_lines l
            where order_id in (select order_id from _order_checks where has_copies)
              and not exists (select 1 from rejects r
                              where r.kind = 'order_lines' and r._rid = l.rowid)
            window same as (partition by {', '.join(columns)} order by _file, _row)
        )
        where copy > 1
    """)


def check_order_consistency(con: duckdb.DuckDBPyConnection) -> None:
    """Reject every line of an order whose order-level fields disagree between its lines
    (`order_line_checks` must have run; a copied line has its first copy's values, so the
    copies rejected first change nothing here)."""
    con.execute("""
        insert into rejects
        select t.rowid, 'order_lines', t._file, t._row, '内部订单号', t.order_id,
               'lines of this order disagree on: ' || trim(d.fields) || '; whole order rejected'
        from typed_order_lines t
        join _order_checks d using (order_id)
        where d.fields <> ''
          and not exists (select 1 from rejects r
                          where r.kind = 'order_lines' and r._rid = t.rowid)
    """)


def accept(con: duckdb.DuckDBPyConnection, kind: str) -> None:
    """`<kind>` = typed rows with no reject: `typed_<kind>` itself, its rejected rows deleted
    and its working columns dropped (copying a million accepted rows cost seconds)."""
    working = [c for c in column_names(con, f"typed_{kind}") if c.startswith("_bad_")]
    # not exists, not "not in": a file-level reject has no row id (NULL)
    con.execute(f"""
        delete from typed_{kind} t
        where exists (select 1 from rejects r where r.kind = $kind and r._rid = t.rowid)
    """, {"kind": kind})
    for column in working:
        con.execute(f"alter table typed_{kind} drop column {column}")
    con.execute(f"drop table if exists {kind}")
    con.execute(f"alter table typed_{kind} rename to {kind}")


def validate(con: duckdb.DuckDBPyConnection, kind: str,
             files_with_controls: list[str] | tuple[str, ...] = (),
             max_cell_chars: int | None = None, typed_on_load: bool = False) -> None:
    """Both passes (and, for orders, the order-consistency check), then accept. With
    `max_cell_chars`, longer values are rejects (`reject_long_values`). With
    `typed_on_load`, `typed_<kind>` was made as the files were read (`typing`), and
    `raw_<kind>` holds nothing."""
    con.execute(REJECTS_DDL)
    if not typed_on_load:
        coerce(con, kind, files_with_controls)
    cast_rejects(con, kind)
    if max_cell_chars is not None:
        reject_long_values(con, kind, max_cell_chars)
    check(con, kind)
    if kind == "order_lines":
        order_line_checks(con)
        check_duplicate_lines(con)
        check_order_consistency(con)
        con.execute("drop table _order_checks")
    accept(con, kind)
