"""Benchmark: `logiwatch run` end to end on large generated shops, with the bare-read floor.

    python -m tests.bench [--orders 200000 1000000] [--tracking-format jsonl|json|csv]
                          [--cache .bench] [--no-profile]

Each size is generated once into the cache folder (the documented volume: about seven
tracking events per order; tracking as Kuaidi100 JSONL pushes unless told otherwise) and
reused. For each size it prints the exports' volume, the CLI's wall time (Prefect's start
included) and stage times, the peak memory of the run, the bare-read floor (DuckDB reading
the same files and nothing else) and the ratios; then the largest size again, cut off at the
night's end (LATE_CUT_OFF: tens of thousands of anomalies, the worklists full); then a
profile of the largest size (run in-process without Prefect: the slowest SQL statements,
then the heaviest functions).
Speed is measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import multiprocessing
import os
import platform
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from unittest import mock

import duckdb

from sample_data.generate import TRACKING_FORMATS

ROOT = Path(__file__).resolve().parent.parent
# the same night cut off at its end instead of the configured 08:00: some 40,000 anomalies
# on a million orders, so the worklists are full (the unassigned one at its cap)
LATE_CUT_OFF = "2026-11-20 23:59"
# transit scans every 8–22 h: about seven events per order, the volume docs/contracts.md
# describes for a big shop (a million orders, about 1 GB of exports a night)
SCAN_HOURS = (8, 22)


def generate(folder: Path, orders: int, tracking_format: str = "jsonl") -> dict:
    """The cached inbox of `orders` orders (generated on first use)."""
    from sample_data.generate import write

    done = folder / "counts.json"
    if not done.exists():
        shutil.rmtree(folder, ignore_errors=True)
        start = time.perf_counter()
        # in a process of its own: generating a million orders takes gigabytes, and a run
        # forked from this process would start its peak memory (`run_cli`) at this size
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
            counts = pool.submit(write, folder / "inbox", orders,
                                 tracking_format=tracking_format,
                                 scan_hours=SCAN_HOURS).result()
        counts["generated_seconds"] = round(time.perf_counter() - start, 1)
        done.write_text(json.dumps(counts), encoding="utf-8")
    return json.loads(done.read_text(encoding="utf-8"))


# the events of each tracking shape the generator writes, counted by DuckDB
EVENTS = {".jsonl": "select sum(len(lastResult.data)) from read_json($p, "
                    "format='newline_delimited')",
          ".json": "select sum(len(data)) from read_json($p, format='array')",
          ".csv": "select count(*) from read_csv($p, all_varchar=true)"}


def bare_read(inbox: Path) -> tuple[float, int]:
    """Seconds for DuckDB to read the orders (GBK transcoded by the run's own streamed
    reader) and every tracking event, doing nothing else; returns (seconds, events)."""
    from schemas.readers import detect_encoding, to_utf8

    start = time.perf_counter()
    orders = inbox / "orders.csv"
    with tempfile.TemporaryDirectory() as tmp:
        utf8 = to_utf8(orders, detect_encoding(orders), Path(tmp), mark_empty_lines=False)
        con = duckdb.connect()
        try:
            con.execute("select count(*) from read_csv($p, all_varchar=true, null_padding=true, "
                        "strict_mode=false)",
                        {"p": str(utf8)}).fetchall()
            tracking = next(inbox.glob("tracking.*"))
            events = con.execute(EVENTS[tracking.suffix], {"p": str(tracking)}).fetchone()[0]
        finally:
            con.close()
    return time.perf_counter() - start, int(events)


def run_cli(base: Path, as_of: str = "2026-11-20") -> tuple[float, float, dict]:
    """`logiwatch run` as a user runs it; returns (seconds, peak RSS in GB, manifest)."""
    out = base / "out"
    shutil.rmtree(out, ignore_errors=True)
    env = {**os.environ, "PREFECT_HOME": str(base / "prefect-home")}
    start = time.perf_counter()
    child = subprocess.Popen([str(Path(sys.executable).parent / "logiwatch"), "run", "--inbox",
                              str(base / "inbox"), "--out", str(out), "--as-of", as_of,
                              "--config", str(ROOT / "sample_data" / "logiwatch.toml")],
                             env=env, stdout=subprocess.DEVNULL)
    # this run's own peak (RUSAGE_CHILDREN would keep the largest of all runs so far)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    if child.returncode:
        raise SystemExit(f"logiwatch run failed on {base / 'inbox'}")
    peak_gb = usage.ru_maxrss / 1024 / 1024
    manifest = json.loads((out / "2026-11-20" / "manifest.json").read_text(encoding="utf-8"))
    return seconds, peak_gb, manifest


def _stages(manifest: dict) -> str:
    """A run's stage times: "ingest 9.4 · detect 11.3 · …"."""
    return " · ".join(f"{k} {v:.1f}" for k, v in manifest["stage_seconds"].items())


class TimedConnection:
    """A DuckDB connection that records the seconds of each statement it executes: most of
    a run's time is inside DuckDB, where a Python profiler sees one opaque call."""

    def __init__(self, con: duckdb.DuckDBPyConnection, log: list[tuple[float, str]]):
        self._con, self._log = con, log

    def execute(self, sql: str, *args, **kwargs):
        start = time.perf_counter()
        result = self._con.execute(sql, *args, **kwargs)
        self._log.append((time.perf_counter() - start, " ".join(sql.split())[:100]))
        return self if result is self._con else result

    def __getattr__(self, name: str):
        return getattr(self._con, name)


def profile(base: Path, top: int = 25) -> str:
    """The slowest SQL statements and the heaviest of our own functions in one in-process
    run without Prefect."""
    from core.config import load_config
    from flows import pipeline
    from sample_data.generate import AS_OF, HERE

    out = base / "profile"
    shutil.rmtree(out, ignore_errors=True)
    paths = pipeline.RunPaths(inbox=base / "inbox", out=out, state=out / "state.duckdb",
                              as_of=AS_OF)
    out.mkdir()
    statements: list[tuple[float, str]] = []
    plain_connect = pipeline.connect

    @contextlib.contextmanager
    def timed_connect(paths):
        with plain_connect(paths) as con:
            yield TimedConnection(con, statements)

    profiler = cProfile.Profile()
    with mock.patch.object(pipeline, "connect", timed_connect):
        profiler.runcall(pipeline.run_pipeline, paths, load_config(HERE / "logiwatch.toml"))
    text = io.StringIO()
    text.write(f"slowest SQL statements ({sum(s for s, _ in statements):.1f} s in "
               f"{len(statements)} statements):\n")
    for seconds, sql in sorted(statements, reverse=True)[:top]:
        text.write(f"{seconds:7.2f}  {sql}\n")
    text.write("\n")
    stats = pstats.Stats(profiler, stream=text).sort_stats("cumulative")
    stats.print_stats(r"(schemas|transforms|reports|flows|core)/", top)
    return text.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, nargs="+", default=[200_000, 1_000_000])
    parser.add_argument("--tracking-format", choices=TRACKING_FORMATS, default="jsonl",
                        help="Kuaidi100 push JSONL (default), a JSON list of query responses, "
                             "or flat CSV with text statuses only")
    parser.add_argument("--cache", type=Path, default=ROOT / ".bench",
                        help="where generated shops are kept between runs")
    parser.add_argument("--no-profile", action="store_true")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, duckdb {duckdb.__version__}")
    rows = []
    for orders in args.orders:
        base = args.cache / (str(orders) + ("" if args.tracking_format == "jsonl"
                                            else f"-{args.tracking_format}"))
        counts = generate(base, orders, args.tracking_format)
        size = sum(p.stat().st_size for p in (base / "inbox").iterdir()) / 1e6
        floor, events = bare_read(base / "inbox")
        seconds, peak, manifest = run_cli(base)
        stages = _stages(manifest)
        rows.append((orders, seconds))
        print(f"\n{orders:,} orders: {counts['lines']:,} lines, {events:,} events "
              f"({counts['pushes']:,} pushes), {size:,.0f} MB; generated once in "
              f"{counts['generated_seconds']} s")
        print(f"  logiwatch run (Prefect included): {seconds:.1f} s, peak RSS {peak:.2f} GB")
        # what the stages do not account for: the command's imports, Prefect's temporary
        # server and its flow and task runs, the state lock and back-up, the exit
        outside = seconds - sum(manifest["stage_seconds"].values())
        print(f"  stages: {stages} s; outside the stages (start, Prefect, exit): "
              f"{outside:.1f} s; {manifest['anomalies']['total']} anomalies")
        print(f"  bare read: {floor:.1f} s; run / bare read = {seconds / floor:.1f}x")
    seconds, peak, manifest = run_cli(base, LATE_CUT_OFF)
    stages = _stages(manifest)
    print(f"\n{args.orders[-1]:,} orders cut off at {LATE_CUT_OFF}: "
          f"{manifest['anomalies']['total']:,} anomalies")
    print(f"  logiwatch run (Prefect included): {seconds:.1f} s, peak RSS {peak:.2f} GB; "
          f"stages: {stages} s")
    if len(rows) > 1:
        (small, t_small), (large, t_large) = rows[0], rows[-1]
        print(f"\nscaling: {large / small:.1f}x the orders took {t_large / t_small:.2f}x "
              f"the time")
    if not args.no_profile:
        print(f"\nprofile of {args.orders[-1]:,} orders (no Prefect, cumulative seconds):")
        print(profile(base))


if __name__ == "__main__":
    main()
