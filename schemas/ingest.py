"""Find a day's exports in the inbox, load them into DuckDB and validate them.

After `ingest`, the connection holds the accepted tables `order_lines`, `inventory`,
`tracking_events_raw` (events, not yet de-duplicated or classified), `tracking_meta`,
`agents`, plus `rejects` and `file_headers`; the returned reports reconcile every file.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import json
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import Callable

import duckdb
import numpy as np

from core.errors import InputError, MissingExportError
from core.labels import RESULT_FROM_EN
from schemas import profiles as pf
from schemas.readers import (PARALLEL_LINE_BYTES, LoadedFile, detect_encoding,
                             json_documents_frame, load_file, read_text_lines, sniff, utf8_copy)
from schemas.validate import (CONTROL_CHARACTERS, REJECTS_DDL, TIMESTAMP_FORMATS, typing,
                              validate)
from core.db import column_names, insert_rows, register, sql_text, table_exists

KINDS = ("order_lines", "inventory", "tracking_csv", "agents", "feedback")
TABLE_COLUMNS = {
    "order_lines": pf.ORDER_COLUMNS,
    "inventory": pf.INVENTORY_COLUMNS,
    "tracking_csv": pf.TRACKING_CSV_COLUMNS,
    "agents": pf.AGENT_COLUMNS,
    # a hand-back is dated by its 处理时间 cell, else by the file's modification time
    "feedback": (*pf.FEEDBACK_COLUMNS, "file_time"),
}


@dataclass
class FileReport:
    """Reconciliation of one input file: read = accepted + rejected + dropped."""

    file: str
    kind: str
    sha256: str
    encoding: str
    profile: str
    rows_read: int
    rows_accepted: int = 0
    rows_rejected: int = 0
    rows_dropped_blank: int = 0
    rows_dropped_total: int = 0
    # hand-backs dated after the run's cut-off: kept for the runs after it
    rows_dated_later: int = 0

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def balanced(self) -> bool:
        return self.rows_read == (self.rows_accepted + self.rows_rejected
                                  + self.rows_dropped_blank + self.rows_dropped_total
                                  + self.rows_dated_later)


def inbox_for(inbox: Path, day: dt.date) -> Path:
    """`inbox/YYYY-MM-DD/` when it exists, else the inbox itself (docs/contracts.md, inputs)."""
    dated = inbox / day.isoformat()
    return dated if dated.is_dir() else inbox


ERP_SUFFIXES = (".csv", ".xlsx", ".xlsm")
# feedback first: its glob names a folder, so a returned "orders…" workbook stays feedback
SUFFIXES = {"feedback": (".xlsx",), "order_lines": ERP_SUFFIXES, "inventory": ERP_SUFFIXES,
            "tracking": (".jsonl", ".json", ".csv"), "agents": (".csv", ".xlsx")}
GLOB_KEYS = {"order_lines": "orders", "inventory": "inventory", "tracking": "tracking",
             "agents": "agents", "feedback": "feedback"}


def classify(paths: list[Path], inputs) -> dict[str, list[Path]]:
    """Input files by kind, by the configured name globs and the file suffix."""
    found: dict[str, list[Path]] = {kind: [] for kind in SUFFIXES}
    for path in sorted(paths):
        if path.name.startswith(("~$", ".")) or not path.is_file():
            continue
        for kind, suffixes in SUFFIXES.items():
            if path.match(getattr(inputs, GLOB_KEYS[kind])) and path.suffix.lower() in suffixes:
                found[kind].append(path)
                break
    return found


def find_inputs(folder: Path, inputs) -> dict[str, list[Path]]:
    """The inbox folder's input files by kind; an orders export is required."""
    paths = [*folder.iterdir(), *folder.glob(inputs.feedback)] if folder.is_dir() else []
    found = classify(paths, inputs)
    if not found["order_lines"]:
        raise MissingExportError(f"no orders export matching {inputs.orders!r} (.csv or .xlsx)",
                         file=str(folder))
    return found


def preflight(files: dict[str, list[Path]], config) -> None:
    """Check every ERP export's header before a run starts (reads only each file's head)."""
    loaders = _loaders(config)
    for kind, paths in files.items():
        if kind == "feedback":  # a bad hand-back is rejected at ingest, never fatal
            continue
        for path in paths:
            if kind == "tracking" and _is_json(path):
                if path.stat().st_size == 0:
                    raise InputError("file is empty", file=path.name)
                continue
            sniff(path, *loaders["tracking_csv" if kind == "tracking" else kind])


def _loaders(config) -> dict[str, tuple[list, tuple, str | None]]:
    """Per kind: candidate header profiles, required columns, XLSX sheet to read."""
    sheet = config.inputs.sheet or None
    return {
        "order_lines": (pf.order_profiles(config.inputs.erp_profile),
                        pf.ORDER_REQUIRED, sheet),
        "inventory": ([pf.INVENTORY_PROFILE], pf.INVENTORY_REQUIRED, sheet),
        "tracking_csv": ([pf.TRACKING_CSV_PROFILE], pf.TRACKING_CSV_REQUIRED, sheet),
        "agents": ([pf.AGENT_PROFILE], pf.AGENT_REQUIRED, sheet),
        # a handed-back worklist is read from its first sheet (待办), whatever ERP sheet is set
        "feedback": ([pf.FEEDBACK_PROFILE], pf.FEEDBACK_REQUIRED, None),
    }


@dataclass(frozen=True)
class FileDigest:
    """A file's SHA-256, its number of lines, and whether any of its values can hold a
    character a spreadsheet cannot (see `_line_feeds_and_controls`, `_may_hold_controls`),
    from one read of its bytes."""

    sha256: str
    lines: int
    may_hold_controls: bool


# C0 control bytes but tab, LF and CR: in UTF-8 and GBK/GB18030 never part of another
# character, so a file without them holds no such character, except JSON, whose escapes
# \u0000–\u001f, \b and \f decode to one (raw ones are not valid JSON)
JSON_CONTROL_ESCAPE = re.compile(rb"\\(?:u00[01]|[bf])")
TAB, LF, CR = 0x09, 0x0A, 0x0D


def _line_feeds_and_controls(chunk: bytes) -> tuple[int, bool]:
    """The chunk's line feeds, and whether it holds a control byte but tab, LF and CR.
    numpy compares the bytes without holding the GIL (bytes.translate and count held it
    for seconds per gigabyte, stalling the thread that transcodes GBK exports)."""
    octets = np.frombuffer(chunk, np.uint8)
    line_feeds = int(np.count_nonzero(octets == LF))
    low = int(np.count_nonzero(octets < 0x20))
    if low == line_feeds:
        return line_feeds, False
    return line_feeds, low > line_feeds + int(np.count_nonzero(octets == TAB)) + int(
        np.count_nonzero(octets == CR))


def _may_hold_controls(path: Path, chunk: bytes, before: bytes) -> bool:
    """Whether `chunk` of `path` can yield such a character other than as a raw control byte
    (`_line_feeds_and_controls` finds those); `before` holds the last bytes read before it
    (an escape may straddle two chunks), empty for the first chunk. True when the bytes
    cannot tell: an XLSX is compressed, a UTF-16 text has zero bytes."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".json", ".jsonl"):
        return True
    if not before and chunk.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    if suffix == ".csv":
        return False
    # most JSON holds no backslash at all: a byte search that cheap rules the escapes out
    # (the pattern search reads a gigabyte in about a third of a second, holding the GIL)
    return any(b"\\" in text and JSON_CONTROL_ESCAPE.search(text) is not None
               for text in (chunk, before + chunk[:5]))


def _digest(path: Path) -> FileDigest:
    digest, newlines, last, controls = hashlib.sha256(), 0, b"", False
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 22), b""):
            digest.update(chunk)
            line_feeds, control_bytes = _line_feeds_and_controls(chunk)
            newlines += line_feeds
            controls = controls or control_bytes or _may_hold_controls(path, chunk, last[-5:])
            last = chunk
    return FileDigest(digest.hexdigest(), newlines + (last[-1:] not in (b"", b"\n")),
                      controls)


# kinds whose files are typed as they are read (`load_file(typed=…)`): one pass over a
# million order lines, not a table of text and then a typed copy of it. Tracking is not
# (its flat rows join the documents' events first), nor feedback (its results are read
# in Chinese first)
TYPED_ON_LOAD = ("order_lines", "inventory", "agents")


def _create_raw(con: duckdb.DuckDBPyConnection, kind: str) -> None:
    cols = ", ".join(f"{c} varchar" for c in TABLE_COLUMNS[kind])
    con.execute(f"create or replace temp table raw_{kind} ({cols}, _file varchar, _row bigint)")


def _record_headers(con: duckdb.DuckDBPyConnection, loaded: LoadedFile) -> None:
    """The export's own header of each canonical column, for reject messages."""
    insert_rows(con, "file_headers", [(loaded.path.name, c, loaded.profile.header_for(c))
                                      for c in loaded.columns])


def _load_tracking_docs(con: duckdb.DuckDBPyConnection, path: Path, workdir: Path,
                        max_line_bytes: int, parsed: dict[str, int]) -> tuple[int, int]:
    """Account for a JSON/JSONL file's documents: its count when DuckDB's JSON reader
    parsed it whole (`parsed`, by file name: `_parse_whole`), else its documents appended
    to raw_tracking_docs, line by line or (a JSON file) document by document; returns
    (lines read, blank lines)."""
    if path.stat().st_size == 0:
        raise InputError("file is empty", file=path.name)
    if path.name in parsed:
        return parsed[path.name], 0
    if path.suffix.lower() == ".jsonl":
        read_text_lines(con, path, workdir, "raw_tracking_docs", max_line_bytes)
        return con.execute("select count(*), count(*) filter (where coalesce(line, '') = '') "
                           "from raw_tracking_docs where _file = $f", {"f": path.name}
                           ).fetchone()
    frame = json_documents_frame(path)
    register(con, "_json_docs", frame)
    con.execute("insert into raw_tracking_docs select $file, _row, line from _json_docs",
                {"file": path.name})
    con.unregister("_json_docs")
    return len(frame), 0


def _parse_json_exports(con: duckdb.DuckDBPyConnection, paths: list[Path],
                        lines: Callable[[Path], int], max_line_bytes: int) -> dict[str, int]:
    """Parse the UTF-8 JSONL files together, then the UTF-8 JSON files together, with
    DuckDB's JSON reader (`_parse_whole`); returns the documents of each file kept, by name.
    An empty file, or one in another encoding, is left to `_load_tracking_docs`."""
    candidates = [p for p in paths if p.stat().st_size > 0 and detect_encoding(p) == "utf-8"]
    jsonl = [p for p in candidates if p.suffix.lower() == ".jsonl"]
    json_lists = [p for p in candidates if p.suffix.lower() != ".jsonl"]
    return {**(_parse_whole(con, jsonl, lines, max_line_bytes) if jsonl else {}),
            **(_parse_whole(con, json_lists, None, max_line_bytes) if json_lists else {})}


def ingest(con: duckdb.DuckDBPyConnection, files: dict[str, list[Path]], config, workdir: Path,
           as_of: dt.datetime | None = None) -> list[FileReport]:
    """Load and validate the given input files; returns one reconciliation per file.

    With `as_of`, handed-back worklist rows dated after it are left for later runs."""
    con.execute(REJECTS_DDL)
    con.execute("create or replace table file_headers (file varchar, \"column\" varchar, "
                "header varchar)")
    for kind in KINDS:
        _create_raw(con, kind)
    con.execute("create or replace temp table raw_tracking_docs (_file varchar, _row bigint, "
                "line varchar)")
    loaders = _loaders(config)
    # each file's digest is read on a second thread while DuckDB works (hashlib and DuckDB
    # both release the GIL): hashing a gigabyte of exports costs over a second
    hashing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sha256")
    # CSV exports are copied as UTF-8 (GBK decoding holds one core for seconds) on a third
    # thread, while DuckDB parses and types the tracking exports, which are therefore
    # loaded (JSON first) and validated before the others
    transcoding = ThreadPoolExecutor(max_workers=1, thread_name_prefix="utf8")
    try:
        loading = [(kind, path) for kind, paths in files.items() for path in paths]
        order = sorted(range(len(loading)), key=lambda i: (loading[i][0] != "tracking",
                                                           not _is_json(loading[i][1])))
        digests = {i: hashing.submit(_digest, loading[i][1]) for i in order}
        copies = {loading[i][1]: transcoding.submit(utf8_copy, loading[i][1], workdir)
                  for i in order if loading[i][1].suffix.lower() == ".csv"}
        reports: list[FileReport] = [None] * len(loading)  # type: ignore[list-item]
        con.execute(SANITIZED_DDL)

        def typed_on_load(kind: str) -> bool:
            # typed as read, unless a file of the kind may hold control characters: those
            # are listed from the text (`list_control_characters`) and removed before typing
            return kind in TYPED_ON_LOAD and not any(
                digests[i].result().may_hold_controls for i in order if loading[i][0] == kind)

        def load_and_validate(indices: list[int], kinds: list[str]) -> None:
            typed = {kind: typed_on_load(kind) for kind in kinds}
            line_counts = {loading[i][1]: digests[i] for i in indices}
            parsed = _parse_json_exports(
                con, [loading[i][1] for i in indices if _is_json(loading[i][1])],
                lambda path: line_counts[path].result().lines, config.limits.max_line_bytes)
            for i in indices:
                kind, path = loading[i]
                copy = copies[path].result if path in copies else None
                reports[i] = _load_one(con, kind, path, loaders, workdir, config, as_of,
                                       parsed, copy, typed.get(kind, False))
            if "tracking_csv" in kinds:
                _stage_kuaidi100(con)
            if "feedback" in kinds:
                _results_in_chinese(con)
            with_controls = [loading[i][1].name for i in indices
                             if digests[i].result().may_hold_controls]
            for kind in kinds:
                list_control_characters(con, kind, with_controls)
                validate(con, kind, with_controls, config.limits.max_cell_chars,
                         typed[kind] and table_exists(con, f"typed_{kind}"))

        load_and_validate([i for i in order if loading[i][0] == "tracking"], ["tracking_csv"])
        _drop_documents(con)
        load_and_validate([i for i in order if loading[i][0] != "tracking"],
                          [k for k in KINDS if k != "tracking_csv"])
        for i, digest in digests.items():
            reports[i].sha256 = digest.result().sha256
    finally:
        hashing.shutdown(cancel_futures=True)
        transcoding.shutdown(cancel_futures=True)  # waits for a copy still being written
    reconcile(con, reports)
    return reports


def _is_json(path: Path) -> bool:
    return path.suffix.lower() in (".json", ".jsonl")


def _load_one(con: duckdb.DuckDBPyConnection, kind: str, path: Path, loaders: dict,
              workdir: Path, config, as_of: dt.datetime | None, parsed: dict[str, int],
              utf8: Callable[[], Path] | None = None, typed: bool = False) -> FileReport:
    """Load one input file into its raw table, or with `typed` into `typed_<kind>`, typed
    as it is read; its report (digest not yet filled in). A CSV is read from `utf8()` when
    given, its UTF-8 copy made ahead; a JSON file's documents may be parsed already
    (`parsed`: `_parse_json_exports`)."""
    if kind == "tracking" and _is_json(path):
        read, blank = _load_tracking_docs(con, path, workdir, config.limits.max_line_bytes,
                                          parsed)
        return FileReport(path.name, "tracking_json", "", "utf-8", "kuaidi100", read,
                          rows_dropped_blank=blank)
    target = "tracking_csv" if kind == "tracking" else kind
    if kind == "feedback":
        return _load_feedback(con, path, loaders[target], workdir, config, as_of)
    profiles, required, sheet = loaders[target]
    if typed:
        loaded = load_file(con, path, f"typed_{target}", profiles, required, workdir, sheet,
                           config.limits.max_line_bytes, utf8,
                           typed=(f"raw_{target}", partial(typing, target)))
    else:
        loaded = load_file(con, path, f"raw_{target}", profiles, required, workdir, sheet,
                           config.limits.max_line_bytes, utf8)
    _record_headers(con, loaded)
    return FileReport(path.name, target, "", loaded.encoding, loaded.profile.name,
                      loaded.rows_read, rows_dropped_blank=loaded.rows_dropped_blank,
                      rows_dropped_total=loaded.rows_dropped_total)


def _load_feedback(con: duckdb.DuckDBPyConnection, path: Path, loader, workdir: Path, config,
                   as_of: dt.datetime | None) -> FileReport:
    """A handed-back worklist. Each row is dated by its 处理时间 cell, else by the file's
    modification time (local time); rows dated after `as_of` are left for later runs, so a
    backfill sees what the nightly run saw. A file whose header cannot be read (edited
    headers, not a worklist) is one rejected row, and the run goes on."""
    profiles, required, sheet = loader
    stamp = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=config.tz).replace(tzinfo=None)
    try:
        sniff(path, profiles, required, sheet)
    except InputError as exc:
        insert_rows(con, "rejects", [(None, "feedback", path.name, 1, exc.column or "(header)",
                                      None, "not a worklist this run can read back: "
                                      + str(exc).removeprefix(f"{path.name}: "))])
        return FileReport(path.name, "feedback", "", "", "worklist", 1)
    con.execute("create or replace temp table _feedback_file as select * from raw_feedback "
                "limit 0")
    loaded = load_file(con, path, "_feedback_file", profiles, required, workdir, sheet)
    dated = ("coalesce(try_strptime(handled_at, $formats), $t) > $as_of"
             if as_of is not None else "false")
    params = {"t": stamp, **({"formats": TIMESTAMP_FORMATS, "as_of": as_of} if as_of else {})}
    later = con.execute(f"select count(*) from _feedback_file where {dated}", params).fetchone()[0]
    con.execute(f"insert into raw_feedback by name select * exclude (file_time), "
                f"strftime($t, '%Y-%m-%d %H:%M:%S') as file_time from _feedback_file "
                f"where not ({dated})", params)
    con.execute("drop table _feedback_file")
    _record_headers(con, loaded)
    return FileReport(path.name, "feedback", "", loaded.encoding, loaded.profile.name,
                      loaded.rows_read, rows_dropped_blank=loaded.rows_dropped_blank,
                      rows_dropped_total=loaded.rows_dropped_total, rows_dated_later=later)


SANITIZED_DDL = """
create or replace table sanitized_cells (
    kind varchar, file varchar, "row" bigint, "column" varchar, value varchar, message varchar
)
"""


def list_control_characters(con: duckdb.DuckDBPyConnection, kind: str,
                            files_with_controls: list[str]) -> None:
    """List in `sanitized_cells` (a warning) each cell of `raw_<kind>` holding characters no
    XLSX can hold; `validate` removes them as it types the rows. Only the rows of
    `files_with_controls` are searched (the other files' bytes hold none:
    `FileDigest.may_hold_controls`), so the other rows are never read."""
    columns = [c for c in column_names(con, f"raw_{kind}", "VARCHAR")
               if c not in ("_file", "_row")]
    if not columns or not files_with_controls:
        return
    # the separator must be a character the pattern does not match
    joined = "concat_ws(chr(10), " + ", ".join(columns) + ")"
    # list_contains, not "in (select unnest(…))": a semi join would still evaluate the
    # pattern on every row
    con.execute(f"""
        create or replace temp table _suspect as
        select * from raw_{kind}
        where list_contains($files, _file) and regexp_matches({joined}, $bad)
    """, {"files": files_with_controls, "bad": CONTROL_CHARACTERS})
    for column in columns:
        con.execute(f"""
            insert into sanitized_cells
            select $kind, _file, _row, coalesce(h.header, $col),
                   left(regexp_replace({column}, $bad, '?', 'g'), 40),
                   'characters a spreadsheet cannot hold (control characters, NUL) removed'
            from _suspect s
            left join file_headers h on h.file = s._file and h.column = $col
            where regexp_matches({column}, $bad)
        """, {"kind": kind, "col": column, "bad": CONTROL_CHARACTERS})
    con.execute("drop table _suspect")


def _json_type(spec) -> str:
    """DuckDB's type for a `from_json` schema (a type name, [item] or {field: spec})."""
    if isinstance(spec, str):
        return spec
    if isinstance(spec, list):
        return _json_type(spec[0]) + "[]"
    return "STRUCT(" + ", ".join(f'"{k}" {_json_type(v)}' for k, v in spec.items()) + ")"


PARSED_PREFIX = "_k100_parsed_"


def _parse_whole(con: duckdb.DuckDBPyConnection, paths: list[Path],
                 lines: Callable[[Path], int] | None, max_line_bytes: int) -> dict[str, int]:
    """Parse UTF-8 JSONL files, or JSON files each holding a list, with DuckDB's JSON reader,
    which reads and parses in one pass on every core, all the files at once (twice as fast
    as reading lines, then parsing each; and a list is never held in Python), into a new
    `_k100_parsed_<n>` table of documents (`staging/kuaidi100_docs`) whose `_row` is the
    document's index in its file (its line, or its place in the list). Each document is
    kept as the fields that model takes, not as the whole parsed object: the fields no one
    reads are never stored, and the events are one list (a push's `lastResult.data` or a
    query's `data`), not two. Returns the number of documents of each file kept, by name.

    `lines(path)` is a JSONL file's line count (`lines` is None for lists). Only a file
    that reader takes document for document is kept: a broken line or document, another
    shape, a blank line (which that reader skips, shifting line numbers), a longer line, or
    a JSON file that is not a list makes it refuse the files or count fewer documents than
    lines. A file whose count falls short is taken out; when the reader refuses, each file
    is parsed on its own, and the one it refuses is not kept. The caller reads the files
    not kept line by line (or document by document), each document's fault its own reject.
    """
    table = f"{PARSED_PREFIX}{len(_parsed_tables(con))}"
    columns = {k: _json_type(v) for k, v in pf.KUAIDI100_DOCUMENT.items()}
    try:
        # row ids follow the files' order, then each file's documents (insertion order)
        con.execute(f"""
            create temp table {table} as
            with raw_tracking_parsed as (
                select parse_filename(filename) as _file, cast(null as bigint) as _row,
                       cast(null as varchar) as line, d as doc
                from read_json($paths, format=$format, columns=$columns,
                               maximum_object_size=$max_line, filename=true) d
            )
            select * from ({sql_text("staging/kuaidi100_docs")})
        """, {"paths": [str(p) for p in paths], "columns": columns,
              "format": "array" if lines is None else "newline_delimited",
              # JSONL is read in parallel, faster with shorter lines allowed: a longer line
              # makes the reader refuse its file, which is then read by line (up to the
              # limit). A list is read on one thread, and read otherwise in Python
              "max_line": max_line_bytes if lines is None
              else min(max_line_bytes, PARALLEL_LINE_BYTES)})
    except duckdb.Error:
        con.execute(f"drop table if exists {table}")
        if len(paths) == 1:
            return {}
        # one file's fault refuses them all: each on its own, the others are still kept
        return {name: n for p in paths
                for name, n in _parse_whole(con, [p], lines, max_line_bytes).items()}
    found = {name: (n, first) for name, n, first in con.execute(
        f"select _file, count(*), min(rowid) from {table} group by _file").fetchall()}
    # the line counts are asked for only now: the digest thread counts while DuckDB parses
    kept = {p.name: found.get(p.name, (0, 0)) for p in paths
            if lines is None or found.get(p.name, (0, 0))[0] == lines(p)}
    if len(found) > 1:
        # each document's index in its own file; in a table of one file, its row id + 1
        # (`_documents`), which saves the update
        con.execute(f"update {table} set _row = rowid - k.first + 1 "
                    f"from (select unnest($names) as name, unnest($firsts) as first) k "
                    f"where {table}._file = k.name",
                    {"names": list(kept), "firsts": [first for _, first in kept.values()]})
        if len(kept) < len(found):
            con.execute(f"delete from {table} where _row is null")
    elif not kept:
        con.execute(f"drop table {table}")
    return {name: n for name, (n, _) in kept.items()}


def _parsed_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [t for (t,) in con.execute(
        "select table_name from duckdb_tables() where starts_with(table_name, $p) "
        "order by table_name", {"p": PARSED_PREFIX}).fetchall()]


def _documents(con: duckdb.DuckDBPyConnection) -> None:
    """`k100_docs` (`staging/kuaidi100_docs`), every document, each parsed once: the lines
    read one by one, parsed here (`doc` NULL where a line is not a document), then the
    files DuckDB's JSON reader parsed whole, already in that shape."""
    con.execute("create or replace temp table _k100_lines as "
                "select _file, _row, line, try(from_json(line, $schema)) as doc "
                "from raw_tracking_docs where line <> ''",
                {"schema": json.dumps(pf.KUAIDI100_DOCUMENT)})
    con.execute("create or replace temp view raw_tracking_parsed as "
                "select _file, _row, line, doc from _k100_lines")
    # a view: its readers (the rejects, tracking_meta, the events `validate` types) each
    # take only the fields they need, and the event lists are read once, by the last
    con.execute("create or replace temp view k100_docs as "
                + " union all ".join([f"select * from ({sql_text('staging/kuaidi100_docs')})",
                                      *(f"select * replace (coalesce(_row, rowid + 1) as _row) "
                                        f"from {t}" for t in _parsed_tables(con))]))


def _results_in_chinese(con: duckdb.DuckDBPyConnection) -> None:
    """An English worklist's results (Resolved, Chased courier …) read as the Chinese ones."""
    con.execute("""
        update raw_feedback set result = m.zh
        from (select unnest($en) as en, unnest($zh) as zh) m
        where trim(raw_feedback.result) = m.en
    """, {"en": list(RESULT_FROM_EN), "zh": list(RESULT_FROM_EN.values())})


def _stage_kuaidi100(con: duckdb.DuckDBPyConnection) -> None:
    """Parse each document once; broken lines become rejects; events join the flat-CSV
    events; parcel-level facts (abort, comNew) go to `tracking_meta`."""
    _documents(con)
    con.execute("""
        insert into rejects
        select null, 'tracking_json', _file, _row,
               case when broken_line is not null then '(line)' else 'nu' end,
               broken_line,
               case when broken_line is not null
                    then 'not valid JSON; the line was skipped, the rest of the file was read'
                    else 'document has no tracking number (lastResult.nu)' end
        from k100_docs where tracking_no is null
    """)
    con.execute("""
        create or replace table tracking_meta as
        select * exclude (data, broken_line) from k100_docs where tracking_no is not null
    """)
    # the documents' events are read where they are, by the statement that types them
    # (`validate`), not copied into a table of text first: `raw_tracking_csv` becomes a view
    # of the flat files' rows, then the events (the flat rows first, as before)
    con.execute("alter table raw_tracking_csv rename to raw_tracking_flat")
    con.execute("create or replace temp view raw_tracking_csv as "
                "select * from raw_tracking_flat union all by name select * from ("
                + sql_text("staging/kuaidi100_events") + ")")


def _drop_documents(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the documents and their views once the events are typed."""
    con.execute("drop view raw_tracking_csv")
    con.execute("drop view k100_docs")
    con.execute("drop view raw_tracking_parsed")
    for table in [*_parsed_tables(con), "_k100_lines", "raw_tracking_flat"]:
        con.execute(f"drop table {table}")


def reconcile(con: duckdb.DuckDBPyConnection, reports: list[FileReport]) -> None:
    """Fill accepted/rejected counts per file from the tables."""
    rejected = dict(con.execute(
        "select file, count(distinct \"row\") from rejects group by file").fetchall())
    for r in reports:
        r.rows_rejected = rejected.get(r.file, 0)
        if r.kind == "tracking_json":
            # a document counts once: accepted when valid with a number (its events are
            # checked one by one and a bad event is a reject of the same line)
            r.rows_accepted = r.rows_read - r.rows_dropped_blank - r.rows_rejected
        else:
            r.rows_accepted = con.execute(
                f"select count(*) from {r.kind} where _file = $f", {"f": r.file}).fetchone()[0]
