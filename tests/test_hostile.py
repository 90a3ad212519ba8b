"""Hostile input, broken state and crashes, as a user meets them: one line, a documented exit
code, nothing lost, never a traceback, nothing written outside the output folder."""

import csv
import fcntl
import json
import shutil
import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from tests.helpers import ROOT

SAMPLE = ROOT / "sample_data"
LOGIWATCH = Path(sys.executable).parent / "logiwatch"
EXPORTS = ("orders.csv", "inventory.csv", "tracking.jsonl", "agents.csv")


def _cli(*args, timeout=300):
    return subprocess.run([str(LOGIWATCH), *map(str, args)], capture_output=True, text=True,
                          timeout=timeout)


def _inbox(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in EXPORTS:
        shutil.copy(SAMPLE / name, inbox / name)
    return inbox


def _edit_orders(inbox, edit):
    path = inbox / "orders.csv"
    with path.open(encoding="gbk", newline="") as fh:
        rows = list(csv.reader(fh))
    edit(rows)
    with path.open("w", encoding="gb18030", newline="") as fh:
        csv.writer(fh).writerows(rows)


def _run(inbox, out, *extra):
    return _cli("run", "--inbox", inbox, "--out", out, "--as-of", "2026-11-20", "--no-prefect",
                *extra)


def _csv(path):
    with path.open(encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def _one_line(result):
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    return lines[0]


def _workbooks_open(folder):
    for path in [folder / "summary.xlsx", *(folder / "worklists").glob("*.xlsx")]:
        load_workbook(path)


def test_a_one_megabyte_cell_is_a_reject_not_a_crash(tmp_path):
    inbox = _inbox(tmp_path)
    _edit_orders(inbox, lambda rows: rows[4].__setitem__(18, "留言" * 500_000))
    result = _run(inbox, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    rejects = _csv(tmp_path / "out/2026-11-20/rejects.csv")
    long = [r for r in rejects if r["column"] == "买家留言"]
    assert long and "limits.max_cell_chars" in long[0]["reason"] and long[0]["row"] == "5"


def test_control_characters_and_nuls_are_removed_and_listed(tmp_path):
    inbox = _inbox(tmp_path)

    def spoil(rows):
        rows[2][2] = rows[2][2] + "\x07"
        rows[3][18] = "请\x00尽快\x1b发货"

    _edit_orders(inbox, spoil)
    result = _run(inbox, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "out/2026-11-20"
    _workbooks_open(folder)
    cleaned = [w for w in _csv(folder / "warnings.csv") if w["kind"] == "control_characters_removed"]
    assert {(w["row"], w["column"]) for w in cleaned} == {("3", "店铺"), ("4", "买家留言")}


def test_xlsx_control_character_escapes_are_cleaned(tmp_path):
    inbox = _inbox(tmp_path)
    (inbox / "orders.csv").unlink()
    with (SAMPLE / "orders.csv").open(encoding="gbk", newline="") as fh:
        rows = list(csv.reader(fh))
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    ws.cell(4, 19).value = "买家_x0001_留言_x001B_"  # Excel's escapes of control characters
    wb.save(inbox / "orders.xlsx")
    result = _run(inbox, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    _workbooks_open(tmp_path / "out/2026-11-20")


def test_a_jsonl_line_over_two_megabytes_is_read(tmp_path):
    inbox = _inbox(tmp_path)
    lines = (inbox / "tracking.jsonl").read_text(encoding="utf-8").splitlines()
    push = json.loads(lines[0])
    history = push["lastResult"]["data"]
    push["lastResult"]["data"] = history + [dict(history[-1], time=f"2026-11-0{i % 9 + 1} "
                                                 f"0{i % 10}:{i % 60:02d}:00",
                                                 context="快件运输中，" * 40)
                                            for i in range(12_000)]
    lines[0] = json.dumps(push, ensure_ascii=False)
    assert len(lines[0].encode()) > 2_000_000
    (inbox / "tracking.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = _run(inbox, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "out/2026-11-20/manifest.json").read_text("utf-8"))
    tracking = next(f for f in manifest["inputs"] if f["file"] == "tracking.jsonl")
    assert tracking["rows_rejected"] == 0


def test_a_broken_state_file_names_the_newest_good_copy_and_restores(tmp_path):
    inbox, out = _inbox(tmp_path), tmp_path / "out"
    assert _run(inbox, out).returncode == 0
    assert _run(inbox, out).returncode == 0  # the second run kept a copy of the first's state
    (out / "state.duckdb").write_bytes(b"half a copy" * 100)
    result = _run(inbox, out)
    assert result.returncode == 2
    line = _one_line(result)
    assert f"{out / 'state.duckdb'}: not a usable state file" in line
    assert "state.duckdb.backups/" in line and "logiwatch state restore" in line
    check = _cli("state", "check", "--out", out)
    assert check.returncode == 2 and _one_line(check) == line
    restored = _cli("state", "restore", "--out", out)
    assert restored.returncode == 0, restored.stderr
    assert (out / "state.duckdb.broken-1").exists()
    assert _cli("state", "check", "--out", out).returncode == 0
    assert _run(inbox, out).returncode == 0


def test_an_output_folder_that_cannot_be_made_is_exit_2(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = _run(_inbox(tmp_path), blocker / "out")
    assert result.returncode == 2
    assert _one_line(result) == (f"error: {blocker / 'out'}: cannot create the output folder "
                                 "(Not a directory)")


def test_a_second_run_under_prefect_ends_in_one_line(tmp_path):
    inbox, out = _inbox(tmp_path), tmp_path / "out"
    out.mkdir()
    with (out / "state.duckdb.lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        result = _cli("run", "--inbox", inbox, "--out", out, "--as-of", "2026-11-20")
    assert result.returncode == 3
    assert _one_line(result).startswith(f"error: another logiwatch run is using {out}")


def test_debris_of_killed_runs_is_cleared(tmp_path):
    inbox, out = _inbox(tmp_path), tmp_path / "out"
    for debris in (out / ".work" / "2026-11-19-99999", out / ".tmp-2026-11-19-99999",
                   out / ".old-2026-11-19-99999"):
        debris.mkdir(parents=True)
        (debris / "work.duckdb").write_bytes(b"x")
    assert _run(inbox, out).returncode == 0
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == []


def test_an_unexpected_error_is_one_line_with_exit_1(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from flows import pipeline
    from logiwatch.cli import main

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire\nsecond line")

    monkeypatch.setattr(pipeline, "build_staging", broken)
    args = ["run", "--inbox", str(_inbox(tmp_path)), "--out", str(tmp_path / "out"),
            "--as-of", "2026-11-20", "--no-prefect"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "error: run failed in stage detect: RuntimeError: disk on fire (again with --traceback "
        "for details)"]
    shown = CliRunner().invoke(main, ["--traceback", *args])
    assert isinstance(shown.exception, RuntimeError)


# --- fuzz: random text and bytes in any cell of any export ----------------------------------

TINY = ["内部订单号,店铺,订单状态,付款时间,发货时间,快递公司,快递单号,收货人,收货手机,省,发货仓,商品编码,数量,实付金额",
        "O1,店A,已发货,2026-11-18 10:00:00,2026-11-18 12:00:00,中通快递,73100000000001,张三,13800001111,浙江,杭州仓,SKU-1,1,10",
        "O2,店A,已审核,2026-11-17 10:00:00,,,,李四,13800002222,新疆,杭州仓,SKU-2,2,20"]
TRACKING = ["快递单号,快递公司,时间,状态码,轨迹",
            "73100000000001,zhongtong,2026-11-18 20:00:00,103,已揽收"]
garbage = st.one_of(st.text(max_size=60), st.binary(max_size=60).map(
    lambda b: b.decode("latin-1")))


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(which=st.sampled_from(["orders", "tracking"]), row=st.integers(0, 2),
       column=st.integers(0, 13), value=garbage)
def test_fuzz_any_cell_ends_in_exit_0_or_2_with_every_row_accounted(tmp_path_factory, which,
                                                                     row, column, value):
    from core.config import load_config
    from core.errors import InputError
    from flows import pipeline
    from tests.helpers import AS_OF

    tmp = tmp_path_factory.mktemp("fuzz")
    inbox = tmp / "inbox"
    inbox.mkdir()
    lines = [line.split(",") for line in (TINY if which == "orders" else TRACKING)]
    target = lines[min(row, len(lines) - 1)]
    target[min(column, len(target) - 1)] = value
    orders = TINY if which == "tracking" else [",".join(_quote(c) for c in l) for l in lines]
    tracking = TRACKING if which == "orders" else [",".join(_quote(c) for c in l) for l in lines]
    (inbox / "orders.csv").write_text("\n".join(orders) + "\n", encoding="utf-8",
                                      errors="surrogatepass")
    (inbox / "tracking.csv").write_text("\n".join(tracking) + "\n", encoding="utf-8",
                                        errors="surrogatepass")
    paths = pipeline.RunPaths(inbox=inbox, out=tmp / "out", state=tmp / "out/state.duckdb",
                              as_of=AS_OF)
    try:
        folder = pipeline.run_pipeline(paths, load_config())
    except InputError as exc:  # exit 2: one line naming the file
        assert str(exc).startswith(("orders.csv", "tracking.csv", str(inbox))), str(exc)
        return
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    for f in manifest["inputs"]:
        assert f["rows_read"] == (f["rows_accepted"] + f["rows_rejected"]
                                  + f["rows_dropped_blank"] + f["rows_dropped_total"]
                                  + f["rows_dated_later"]), f
    _workbooks_open(folder)
    assert {p.name for p in tmp.iterdir()} == {"inbox", "out"}


def _quote(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"'
