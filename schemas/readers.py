"""Read ERP exports (CSV in UTF-8/BOM/GBK, XLSX) into DuckDB tables of text columns.

Every value is read as text (tracking numbers and ids must never pass through a float);
typing happens later in `schemas.validate`. Each loaded row keeps `_file` and `_row`, its
spreadsheet row number (header row + 1 for the first data row), for reject messages.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import mmap
import re
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import duckdb
import pandas as pd
from python_calamine import CalamineWorkbook

from core.db import column_names, register, table_exists
from core.errors import InputError
from schemas.profiles import Profile

SNIFF_BYTES = 1 << 20
CHUNK_CHARS = 1 << 20  # transcoding reads this many characters at a time
HEADER_SEARCH_ROWS = 30
TOTAL_MARKERS = ("合计", "总计", "小计", "汇总", "TOTAL")
# DuckDB sizes its CSV and JSON read buffers from the longest line it is allowed to read:
# allowed 64 MB, it read a million order lines on one thread (3.4–3.7 s, against 2.2 s
# allowed 8 MB; 2 cores). Lines up to this length are read first, and a longer one (up to
# `limits.max_line_bytes`) makes a second read (`read_with_line_limit`).
PARALLEL_LINE_BYTES = 8 << 20


@dataclass
class LoadedFile:
    """What reading one file produced: the profile, the columns and the row reconciliation."""

    path: Path
    profile: Profile
    encoding: str
    rows_read: int = 0
    rows_dropped_blank: int = 0
    rows_dropped_total: int = 0
    columns: list[str] = field(default_factory=list)


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030 (a superset of GBK)."""
    head = _head(path)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("gb18030")().decode(head, final=False)
        return "gb18030"
    except UnicodeDecodeError:
        raise InputError("not readable as UTF-8 or GBK/GB18030 text; save the export as CSV "
                         "(UTF-8 or GBK) or XLSX", file=path.name) from None


def _head(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(SNIFF_BYTES)


EMPTY_LINE = re.compile(r"(?m)^(\r?)\n")
# an empty line after another line: one search, where two `in` tests each read the chunk
LINE_THEN_EMPTY_LINE = re.compile(r"\n\r?\n")


def _has_empty_line(path: Path) -> bool:
    with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        return re.search(rb"\n\r?\n", mm) is not None


def to_utf8(path: Path, encoding: str, workdir: Path, mark_empty_lines: bool = True) -> Path:
    """A UTF-8 file DuckDB can read with exact row numbers, streamed in chunks.

    DuckDB reads only UTF-8, and skips empty lines (which would shift every later row
    number): empty lines become "," lines, which it keeps as all-empty rows (counted and
    dropped). A UTF-8 file without empty lines is used as it is. The one-column line reader
    keeps empty lines itself (`mark_empty_lines=False`).
    """
    utf8 = encoding in ("utf-8", "utf-8-sig")
    if utf8 and not (mark_empty_lines and _has_empty_line(path)):
        return path  # DuckDB skips a BOM itself
    target = workdir / f"{path.stem}.{abs(hash(path))}.utf8.csv"
    line, carry = 1, ""
    with path.open("r", encoding=encoding, newline="") as src, target.open("w", encoding="utf-8",
                                                                          newline="") as dst:
        try:
            for chunk in iter(lambda: src.read(CHUNK_CHARS), ""):
                text = carry + chunk
                cut = text.rfind("\n") + 1  # process whole lines; keep the rest for later
                whole = text[:cut]
                # the substitution is costly: only where a chunk has an empty line at all
                empty = mark_empty_lines and (whole.startswith(("\n", "\r\n"))
                                              or LINE_THEN_EMPTY_LINE.search(whole) is not None)
                dst.write(EMPTY_LINE.sub(r",\1\n", whole) if empty else whole)
                carry = text[cut:]
                line += chunk.count("\n")
            dst.write(carry)
        except UnicodeDecodeError:
            raise InputError(f"bytes that are not valid {encoding} text", file=path.name,
                             row=_first_bad_line(path, encoding) or line) from None
    return target


# UTF-8 copies started before the run that reads them (`copy_ahead`), by file identity
_copies_ahead: dict[tuple[str, int, int], Future] = {}


def _identity(path: Path) -> tuple[str, int, int]:
    stat = path.stat()
    return str(path.resolve()), stat.st_size, stat.st_mtime_ns


def copy_ahead(paths: Iterable[Path], folder: Path) -> None:
    """Start the UTF-8 copies (`to_utf8`) of the CSV files among `paths` on a background
    thread, into `folder`, for a run of this process that reads them later: the CLI calls it
    while Prefect's temporary server boots on the other core. `utf8_copy` takes a copy made
    ahead when its file has not changed since."""
    csv_files = [p for p in paths if p.suffix.lower() == ".csv"]
    if not csv_files:
        return
    folder.mkdir(parents=True, exist_ok=True)
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="utf8-ahead")
    for path in csv_files:
        _copies_ahead[_identity(path)] = pool.submit(_copy_as_utf8, path, folder)
    pool.shutdown(wait=False)


def utf8_copy(path: Path, workdir: Path) -> Path:
    """The CSV as DuckDB reads it (`to_utf8`, into `workdir`), or its copy made ahead."""
    ahead = _copies_ahead.pop(_identity(path), None)
    if ahead is not None:
        return ahead.result()  # a bad byte found ahead is raised here, as if found now
    return _copy_as_utf8(path, workdir)


def _copy_as_utf8(path: Path, folder: Path) -> Path:
    return to_utf8(path, detect_encoding(path), folder)


def _first_bad_line(path: Path, encoding: str) -> int | None:
    """The line of the first bytes `encoding` cannot decode (read again on that error only:
    the chunked copy knows just the chunk). None for UTF-16, whose newline byte may sit
    inside a character."""
    if encoding == "utf-16":
        return None
    decoder = codecs.getincrementaldecoder(encoding)()
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            try:
                decoder.decode(raw)
            except UnicodeDecodeError:
                return number
    return None


def find_header_row(rows: list[list[str]], known: set[str], file: str) -> int:
    """Index of the first row carrying at least two known headers (title rows may precede it)."""
    best, best_hits = None, 0
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        hits = len({c.strip() for c in row} & known)
        if hits > best_hits:
            best, best_hits = i, hits
        if hits >= min(len(known), 4):
            return i
    if best is None or best_hits < 2:
        raise InputError("no header row found (none of the first rows carries the expected "
                         "column names)", file=file)
    return best


def _cell_text(value: object) -> str:
    """Text of an XLSX cell as Excel shows it, keeping what Excel did to long numbers."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        # a whole number typed into a numeric cell: Excel shows it without ".0", but long
        # tracking numbers stored as numbers keep the ".0" so the repair step can count them
        return str(int(value)) if abs(value) < 1e11 else repr(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat()
    return str(value)


def read_xlsx_rows(path: Path, sheet: str | None = None) -> list[list[str]]:
    """All rows of a sheet (named, else the first) as text."""
    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for broken files
        raise InputError(f"cannot read as XLSX ({exc})", file=path.name) from None
    if sheet and sheet not in wb.sheet_names:
        raise InputError(f"no sheet named {sheet!r} (sheets: {', '.join(wb.sheet_names)})",
                         file=path.name)
    try:
        ws = wb.get_sheet_by_name(sheet) if sheet else wb.get_sheet_by_index(0)
        return [[_cell_text(v) for v in row] for row in ws.to_python(skip_empty_area=False)]
    except Exception as exc:  # calamine raises its own error types for broken files
        raise InputError(f"cannot read as XLSX ({exc})", file=path.name) from None


@dataclass
class Header:
    """What the head of an export says: encoding, header row, headers and chosen profile."""

    encoding: str
    index: int
    headers: list[str]
    profile: Profile
    rows: list[list[str]] | None = None  # all rows, for XLSX (already in memory)

    @property
    def mapping(self) -> dict[str, str]:
        return {h: self.profile.headers[h] for h in self.headers if h in self.profile.headers}

    @property
    def header_of(self) -> dict[str, str]:
        """Canonical column → the export's (first) header for it."""
        found: dict[str, str] = {}
        for export_header, column in self.mapping.items():
            found.setdefault(column, export_header)
        return found


def _head_rows(path: Path, encoding: str) -> list[list[str]]:
    """The first rows of a CSV, decoded from at most SNIFF_BYTES bytes."""
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(_head(path))
    # a cell as long as the head itself (a 1 MB buyer message) is no reason to fail here
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    return [r for _, r in zip(range(HEADER_SEARCH_ROWS), csv.reader(io.StringIO(text)))]


def sniff(path: Path, profiles: list[Profile], required: tuple, sheet: str | None = None
          ) -> Header:
    """Find the header row (title rows may precede it), pick the profile, check required columns.

    With several candidate `profiles`, the one whose headers the file carries most of wins.
    A missing required column raises InputError naming the header the profile expects.
    """
    if path.stat().st_size == 0:
        raise InputError("file is empty", file=path.name)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        all_rows = read_xlsx_rows(path, sheet)
        encoding, head = "xlsx", all_rows[:HEADER_SEARCH_ROWS]
    else:
        all_rows, encoding = None, detect_encoding(path)
        head = _head_rows(path, encoding)
    if not any(any(c.strip() for c in r) for r in head):
        raise InputError("file has no rows", file=path.name)
    index = find_header_row(head, set().union(*(p.headers for p in profiles)), path.name)
    headers = [h.strip().lstrip("\ufeff") for h in head[index]]
    profile = max(profiles, key=lambda p: len(set(headers) & set(p.headers)))
    header = Header(encoding, index, headers, profile, all_rows)
    header_of = header.header_of
    for export_header, column in header.mapping.items():
        if header_of[column] != export_header:
            raise InputError(f"columns {header_of[column]!r} and {export_header!r} are both "
                             f"{column} (profile {profile.name}); keep one of them",
                             file=path.name, row=index + 1, column=export_header)
    present = set(header_of)
    for column in required:
        alternatives = column if isinstance(column, tuple) else (column,)
        if not present & set(alternatives):
            names = " or ".join(repr(profile.header_for(c)) for c in alternatives)
            raise InputError(f"missing required column {names} "
                             f"({'/'.join(alternatives)}, profile {profile.name})",
                             file=path.name)
    return header


def read_with_line_limit(read: Callable[[int], None], max_line_bytes: int) -> None:
    """`read(limit)`, `limit` the longest line it may read: `PARALLEL_LINE_BYTES` first, and
    after an error (a longer line makes one) again with `max_line_bytes`, whose error, if
    any, is the one raised."""
    if max_line_bytes > PARALLEL_LINE_BYTES:
        try:
            return read(PARALLEL_LINE_BYTES)
        except duckdb.Error:
            pass
    return read(max_line_bytes)


def load_file(con: duckdb.DuckDBPyConnection, path: Path, table: str, profiles: list[Profile],
              required: tuple, workdir: Path, sheet: str | None = None,
              max_line_bytes: int = 64 << 20,
              utf8: Callable[[], Path] | None = None,
              typed: tuple[str, Callable] | None = None) -> LoadedFile:
    """Load one export into DuckDB table `table` with canonical text columns + `_file`, `_row`.

    Blank rows and total rows (合计/总计 …) are dropped and counted. A CSV is read from
    `utf8()`, its UTF-8 copy made ahead (see `to_utf8`), when given.

    With `typed` = (table, typing), the rows are typed as they are read (one pass, not a
    table of text then a typed copy of it): `typing` (`schemas.validate.typing`) takes the
    text of each column of `table` (the text table this file would go to) and `table` here
    names the typed table, a table of the work database the first file creates.
    """
    header = sniff(path, profiles, required, sheet)
    headers, header_of = header.headers, header.header_of
    columns = [f"c{i}" for i in range(len(headers))]
    params: dict = {}
    if header.rows is not None:
        frame = pd.DataFrame([(r + [""] * len(headers))[:len(headers)]
                              for r in header.rows[header.index + 1:]],
                             columns=columns, dtype="str")
        register(con, "_xlsx_rows", frame)
        raw = "_xlsx_rows"
    else:
        source = utf8() if utf8 is not None else to_utf8(path, header.encoding, workdir)
        params = {"path": str(source), "skip": header.index}  # with $max_line: `create`
        raw = ("read_csv($path, skip=$skip, header=true, auto_detect=false, delim=',', "
               "quote='\"', escape='\"', null_padding=true, strict_mode=false, "
               "max_line_size=$max_line, "
               f"columns={{{', '.join(repr(c) + ': ' + repr('VARCHAR') for c in columns)}}})")
    # the target's columns in its order, each from its export column, else NULL: the
    # first file of a kind becomes the target table itself, a later one is appended
    text = {col: f"nullif(trim(c{headers.index(header_of[col])}), '')" if col in header_of
            else "cast(null as varchar)"
            for col in column_names(con, typed[0] if typed else table)
            if col not in ("_file", "_row")}
    selected = "$file as _file, cast(null as bigint) as _row, "
    outer = "*"
    if typed:
        typing = typed[1](text)
        selected += typing.inner
        outer = typing.outer
        params.update(typing.params)
    else:
        selected += ", ".join(f"{expr} as {col}" for col, expr in text.items())
    # a row is blank only if its first cell is: the CASE reads the other cells only for the
    # rare rows whose first cell is blank (a plain AND of every cell's test costs seconds
    # at a million lines, since a projection evaluates every operand)
    blank = [f"coalesce(trim({c}), '') = ''" for c in columns]
    all_blank = f"(case when {blank[0]} then {' and '.join(blank[1:]) or 'true'} else false end)"
    is_total = f"upper(trim(coalesce({columns[0]}, ''))) similar to $total_re"
    params.update(file=path.name, total_re=f"({'|'.join(TOTAL_MARKERS)}).*")
    # typed, a table of the work database (the accepted rows stay for the next stages)
    loading = "_typed_loading" if typed else "_loaded"

    def create(max_line: int | None = None) -> None:
        # one scan, in the file's order: rowid is the row's position, so `_row` is set from
        # it afterwards (cheaper than numbering the rows while reading, which is serial)
        con.execute(f"create or replace {'' if typed else 'temp '}table {loading} as "
                    f"select {outer} from (select {selected}, {all_blank} as _blank, "
                    f"not ({all_blank}) and {is_total} as _total from {raw})",
                    params if max_line is None else {**params, "max_line": max_line})
    try:
        if header.rows is None:  # a CSV, read with a line limit
            read_with_line_limit(create, max_line_bytes)
        else:
            create()
    except duckdb.Error as exc:
        raise InputError(f"cannot parse as CSV ({str(exc).splitlines()[0]})",
                         file=path.name) from None
    finally:
        if header.rows is not None:
            con.unregister("_xlsx_rows")
    loaded = LoadedFile(path=path, profile=header.profile,
                        encoding=header.encoding, columns=sorted(header_of))
    con.execute(f"update {loading} set _row = rowid + $first", {"first": header.index + 2})
    loaded.rows_read, loaded.rows_dropped_blank, loaded.rows_dropped_total = con.execute(
        "select count(*), count(*) filter (where _blank), count(*) filter (where _total) "
        f"from {loading}").fetchall()[0]
    con.execute(f"delete from {loading} where _blank or _total")
    con.execute(f"alter table {loading} drop column _blank")
    con.execute(f"alter table {loading} drop column _total")
    if table_exists(con, table) and con.execute(f"select count(*) from {table}").fetchall()[0][0]:
        con.execute(f"insert into {table} by name select * from {loading}")
        con.execute(f"drop table {loading}")
    else:  # copying a million rows costs seconds; a rename nothing
        con.execute(f"drop table if exists {table}")
        con.execute(f"alter table {loading} rename to {table}")
    return loaded


def read_text_lines(con: duckdb.DuckDBPyConnection, path: Path, workdir: Path, table: str,
                    max_line_bytes: int = 64 << 20) -> None:
    """Append a text file's lines as (`_file`, `_row`, `line`) rows to `table`, blank lines
    included (as NULL) so that row numbers stay line numbers. A line up to `max_line_bytes`
    is read (a parcel with a very long history); a longer one stops with a clear error."""
    source = to_utf8(path, detect_encoding(path), workdir, mark_empty_lines=False)
    try:
        read_with_line_limit(lambda max_line: con.execute(f"""
            insert into {table}
            select $file, row_number() over (), line
            from read_csv($path, columns={{'line': 'VARCHAR'}}, header=false, auto_detect=false,
                          delim=E'\\x1f', quote='', escape='', strict_mode=false,
                          max_line_size=$max_line)
        """, {"path": str(source), "file": path.name, "max_line": max_line}), max_line_bytes)
    except duckdb.Error as exc:
        raise InputError(f"cannot read the lines ({str(exc).splitlines()[0][:200]}); lines up "
                         f"to limits.max_line_bytes = {max_line_bytes} bytes are read",
                         file=path.name) from None


def json_documents_frame(path: Path) -> pd.DataFrame:
    """A `.json` file (one object or a list of objects) as rows of (`_row`, `line`) JSON text."""
    try:
        data = json.loads(path.read_text(encoding=detect_encoding(path)))
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON ({exc.msg})", file=path.name, row=exc.lineno) from None
    items = data if isinstance(data, list) else [data]
    return pd.DataFrame({"_row": range(1, len(items) + 1),
                         "line": [json.dumps(i, ensure_ascii=False) for i in items]})
