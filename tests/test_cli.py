"""The command line: exit codes and one-line messages (CliRunner, no Prefect)."""

import csv
import shutil

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
