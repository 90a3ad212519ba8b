"""The command line: exit codes and one-line messages, in process (CliRunner) and as users run
it (the installed `logiwatch` in a subprocess)."""

import csv
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from flows.local_api import SERVER_APP, template_home
from logiwatch.cli import main
from tests.helpers import ROOT

SAMPLE = ROOT / "sample_data"


def _inbox(tmp_path, edit=None):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("orders.csv", "inventory.csv", "tracking.jsonl", "agents.csv"):
        shutil.copy(SAMPLE / name, inbox / name)
    if edit:
        edit(inbox / "orders.csv")
    return inbox


def _run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_run_writes_outputs_and_says_where(tmp_path):
    inbox = _inbox(tmp_path)
    out = tmp_path / "out"
    result = _run("run", "--inbox", str(inbox), "--out", str(out), "--as-of", "2026-11-20",
                  "--config", str(SAMPLE / "logiwatch.toml"), "--no-prefect")
    assert result.exit_code == 0, result.output
    assert f"outputs: {out / '2026-11-20'}" in result.output
    assert (out / "2026-11-20" / "anomalies.csv").exists()


def test_missing_required_column_exits_2_with_one_line(tmp_path):
    def drop_tracking_column(path):
        text = path.read_text(encoding="gbk").replace("快递单号", "单号备注", 1)
        path.write_text(text, encoding="gbk")

    inbox = _inbox(tmp_path, drop_tracking_column)
    result = _run("run", "--inbox", str(inbox), "--out", str(tmp_path / "out"),
                  "--as-of", "2026-11-20", "--no-prefect")
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "error: orders.csv: missing required column '快递单号' (tracking_no, profile jushuitan)"]
    assert not (tmp_path / "out" / "2026-11-20").exists()


def test_bad_row_is_rejected_and_the_run_succeeds(tmp_path):
    def spoil_a_quantity(path):
        with path.open(encoding="gbk", newline="") as fh:
            rows = list(csv.reader(fh))
        rows[5][25] = "x"
        with path.open("w", encoding="gbk", newline="") as fh:
            csv.writer(fh).writerows(rows)

    inbox = _inbox(tmp_path, spoil_a_quantity)
    result = _run("run", "--inbox", str(inbox), "--out", str(tmp_path / "out"),
                  "--as-of", "2026-11-20", "--no-prefect")
    assert result.exit_code == 0, result.output
    rejects = (tmp_path / "out" / "2026-11-20" / "rejects.csv").read_text(encoding="utf-8-sig")
    assert "orders.csv,6,数量,x,not a number" in rejects


def test_bad_config_key_exits_2(tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text("[thresholds]\nunpickd = 12\n", encoding="utf-8")
    result = _run("run", "--inbox", str(_inbox(tmp_path)), "--config", str(config),
                  "--no-prefect")
    assert result.exit_code == 2
    assert result.output.strip() == "error: unknown key 'thresholds.unpickd'"


def test_bad_as_of_is_a_usage_error(tmp_path):
    result = _run("run", "--inbox", str(_inbox(tmp_path)), "--as-of", "yesterday")
    assert result.exit_code == 2 and "is not a date" in result.output


def test_validate_reports_each_file_and_exits_2_on_rejects():
    with (SAMPLE / "orders.csv").open(encoding="gbk", newline="") as fh:
        rows = list(csv.reader(fh))
    bad_row = next(i for i, r in enumerate(rows, start=1) if "两件" in r)
    result = _run("validate", str(SAMPLE / "orders.csv"), str(SAMPLE / "tracking.jsonl"))
    assert result.exit_code == 2
    lines = result.output.splitlines()
    # everything below the title row and the header is read: lines and the 合计 row
    assert lines[0].startswith(f"orders.csv: order_lines (gb18030, profile jushuitan) "
                               f"read {len(rows) - 2}, accepted {len(rows) - 4}, rejected 1, ")
    assert lines[0].endswith("dropped 0 blank + 1 total rows")
    assert any(line.startswith("tracking.jsonl: tracking_json") for line in lines)
    assert f"orders.csv, row {bad_row}, column 数量: not a number (value '两件')" in result.output


def test_validate_clean_file_exits_0():
    result = _run("validate", str(SAMPLE / "inventory.csv"))
    assert result.exit_code == 0 and "rejected 0" in result.output


FLAT_TRACKING = ("快递单号,快递公司,时间,状态码,高级状态码,状态,轨迹,地区\n"
                 "SF1385628790123,顺丰,2026-11-19 09:00:00,1,103,,顺丰速运 已收取快件,浙江\n"
                 "SF1385628790123,顺丰,2026-11-19 10:00:00,,,,快件已到达【杭州转运中心】,浙江\n"
                 "SF1385628790123,顺丰,2026-11-19 11:00:00,,,,快件信息已更新,浙江\n"
                 "SF1385628790123,顺丰,2026-11-19 12:00:00,,,在途,快件信息已更新,浙江\n"
                 "SF1385628790123,顺丰,2026-11-19 13:00:00,,,,快件信息已更新,浙江\n")


def test_validate_counts_events_no_scan_text_cue_reads(tmp_path):
    path = tmp_path / "tracking_flat.csv"
    path.write_text(FLAT_TRACKING, encoding="utf-8")
    result = _run("validate", str(path))
    assert result.exit_code == 0, result.output
    # four events came without a code; two texts without a cue and without a 状态 name
    assert ("tracking: 4 events without a status code, read from the scan text; 2 had no "
            "status cue") in result.output


def test_a_run_lists_scan_texts_no_cue_reads_in_warnings(tmp_path):
    inbox = _inbox(tmp_path)
    (inbox / "tracking_flat.csv").write_text(FLAT_TRACKING, encoding="utf-8")
    out = tmp_path / "out"
    result = _run("run", "--inbox", str(inbox), "--out", str(out), "--as-of", "2026-11-20",
                  "--config", str(SAMPLE / "logiwatch.toml"), "--no-prefect")
    assert result.exit_code == 0, result.output
    with (out / "2026-11-20" / "warnings.csv").open(encoding="utf-8-sig") as fh:
        rows = [r for r in csv.DictReader(fh) if r["kind"] == "unclassified_scan_text"]
    # one warning per distinct text, at its first row, with how many events said it
    assert [(r["file"], r["row"], r["column"], r["value"]) for r in rows] == [
        ("tracking_flat.csv", "4", "轨迹", "快件信息已更新")]
    assert "(2 events)" in rows[0]["message"]


def test_help_lists_every_command():
    result = _run("--help")
    for command in ("run", "backfill", "serve", "validate"):
        assert command in result.output


# --- as users run it: the installed command in a subprocess -------------------------------

def _cli(*args, timeout=300, env=None):
    logiwatch = Path(sys.executable).parent / "logiwatch"
    return subprocess.run([str(logiwatch), *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env=env)


def _dated_inbox(tmp_path, days):
    """An inbox whose root has no orders export, with the sample's exports under some dates."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for day in days:
        folder = inbox / day
        folder.mkdir()
        for name in ("orders.csv", "inventory.csv", "tracking.jsonl", "agents.csv"):
            shutil.copy(SAMPLE / name, folder / name)
    return inbox


@pytest.mark.parametrize("engine", ["--no-prefect", "prefect"])
def test_backfill_goes_on_past_a_failed_date_and_names_it_last(tmp_path, engine):
    inbox = _dated_inbox(tmp_path, ["2026-11-18", "2026-11-20"])
    out = tmp_path / "out"
    args = ["backfill", "--inbox", inbox, "--out", out, "--config", SAMPLE / "logiwatch.toml",
            "--start", "2026-11-18", "--end", "2026-11-20"]
    result = _cli(*args, *([engine] if engine != "prefect" else []))
    assert result.returncode == 2, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "backfill: 1 of 3 dates failed: 2026-11-19"
    assert result.stderr.strip().splitlines()[-1] == (
        f"error: 2026-11-19: {inbox}: no orders export matching 'orders*' (.csv or .xlsx)")
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in out.iterdir() if p.is_dir() and p.name[0].isdigit()) == [
        "2026-11-18", "2026-11-20"]
    # each date's report line comes in date order
    outputs = [line for line in result.stdout.splitlines() if line.startswith("outputs: ")]
    assert outputs == [f"outputs: {out / '2026-11-18'}", f"outputs: {out / '2026-11-20'}"]


def test_run_waits_for_a_late_orders_export(tmp_path):
    import datetime as dt
    import threading
    import time
    from zoneinfo import ZoneInfo

    # a timezone where it is about noon now, so a deadline a minute away is the same day
    offset = 12 - dt.datetime.now(dt.timezone.utc).hour  # hours east of UTC: -11 … 12
    zone = f"Etc/GMT{-offset:+d}" if offset else "Etc/GMT"  # Etc/GMT-8 is UTC+8
    now = dt.datetime.now(ZoneInfo(zone))
    deadline = now + dt.timedelta(seconds=60)
    assert deadline.date() == now.date()
    config = tmp_path / "shop.toml"
    config.write_text(f'timezone = "{zone}"\n[inputs]\nwait_until = "{deadline:%H:%M:%S}"\n'
                      'wait_poll_seconds = 0.5\n', encoding="utf-8")
    inbox = _inbox(tmp_path)
    (inbox / "orders.csv").rename(tmp_path / "orders.csv")  # not there yet

    def arrive():
        time.sleep(3)
        (tmp_path / "orders.csv").rename(inbox / "orders.csv")

    threading.Thread(target=arrive).start()
    started = time.monotonic()
    result = _cli("run", "--inbox", inbox, "--out", tmp_path / "out", "--config", config,
                  "--as-of", now.date().isoformat(), "--no-prefect")
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - started >= 3
    assert (tmp_path / "out" / now.date().isoformat() / "anomalies.csv").exists()


def test_run_gives_up_at_the_deadline_with_one_line(tmp_path):
    config = tmp_path / "shop.toml"
    config.write_text('[inputs]\nwait_until = "09:30"\n', encoding="utf-8")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    result = _cli("run", "--inbox", inbox, "--out", tmp_path / "out", "--config", config,
                  "--as-of", "2026-11-20", "--no-prefect")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"error: {inbox}: no orders export matching 'orders*' (.csv or .xlsx) "
        "(waited until 2026-11-20 09:30, inputs.wait_until)"]


def test_run_records_its_flow_run_in_prefect_and_leaves_no_server(tmp_path):
    """`logiwatch run` with no PREFECT_API_URL starts Prefect's temporary server itself (early,
    see flows/local_api.py): the flow run and its four stage tasks are in PREFECT_HOME's
    database, completed, and no server process outlives the command."""
    home = tmp_path / "prefect_home"
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["PREFECT_HOME"] = str(home)
    result = _cli("run", "--out", tmp_path / "out", env=env)
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(home / "prefect.db") as db:
        flows = db.execute("select name, state_type from flow_run").fetchall()
        tasks = db.execute("select name, state_type from task_run").fetchall()
        logs = [m for (m,) in db.execute("select message from log")]
        events = {e for (e,) in db.execute("select event from events")}
    # the last logs and events are sent by Prefect's exit handlers, which run before the
    # command ends its process (logiwatch.cli.entry)
    assert logs.count("Finished in state Completed()") == 5  # the flow and its four tasks
    assert "prefect.flow-run.Completed" in events
    assert len(flows) == 1
    name, state = flows[0]
    assert name.startswith("nightly-") and name.endswith("-2026-11-20") and state == "COMPLETED"
    assert sorted(n.rsplit("-", 1)[0] for n, s in tasks if s == "COMPLETED") == [
        "detect_anomalies", "ingest_exports", "prioritise_and_assign", "write_outputs"]
    assert not _servers_of(home)
    if (template_home() / "prefect.db").exists():
        # the home was seeded from make's template, whose block types this Prefect
        # registered: the server did not register them again (it notes when it does)
        assert not (home / "memo_store.toml").exists()
    # the UTF-8 copies made while the server booted went with the run's work folder
    assert not [p.name for p in (tmp_path / "out").iterdir() if p.name.startswith(".")]


def _servers_of(home) -> list[int]:
    """Pids of Prefect API servers running with this PREFECT_HOME."""
    pids = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            cmd = (proc / "cmdline").read_bytes()
            env = (proc / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if SERVER_APP.encode() in cmd and \
                f"PREFECT_HOME={home}".encode() in env:
            pids.append(int(proc.name))
    return pids
