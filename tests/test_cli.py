"""The command line: exit codes and one-line messages, in process (CliRunner) and as users run
it (the installed `logiwatch` in a subprocess)."""

import csv
import shutil

import pytest
from click.testing import CliRunner

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


def test_help_lists_every_command():
    result = _run("--help")
    for command in ("run", "backfill", "serve", "validate"):
        assert command in result.output


# --- as users run it: the installed command in a subprocess -------------------------------

def _cli(*args, timeout=300):
    import subprocess
    import sys
    from pathlib import Path

    logiwatch = Path(sys.executable).parent / "logiwatch"
    return subprocess.run([str(logiwatch), *map(str, args)], capture_output=True, text=True,
                          timeout=timeout)


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
