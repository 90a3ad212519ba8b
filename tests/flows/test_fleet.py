"""The fleet on Dask, run as ops run it: a local cluster of two workers, and a `dask scheduler`
with `dask worker` started as separate processes. Each shop's outputs equal a single run; a
broken shop fails alone and is named last."""

import csv
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import ROOT

BIN = Path(sys.executable).parent
EXPORTS = ("orders.csv", "inventory.csv", "tracking.jsonl", "agents.csv", "logiwatch.toml")


def _cli(*args, timeout=600):
    return subprocess.run([str(BIN / "logiwatch"), *map(str, args)], capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture(scope="module")
def fleet_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("fleet") / "shops"
    for shop in ("shop-a", "shop-b"):
        (root / shop).mkdir(parents=True)
        for name in EXPORTS:
            shutil.copy(ROOT / "sample_data" / name, root / shop / name)
    # shop-b has its own settings: English worklists
    with (root / "shop-b" / "logiwatch.toml").open("a", encoding="utf-8") as fh:
        fh.write('\n[worklist]\nlang = "en"\n')
    (root / "shop-broken").mkdir()
    (root / "shop-broken" / "inventory.csv").write_text("商品编码,仓库,实际库存\n", "utf-8")
    return root


@pytest.fixture(scope="module")
def single_runs(fleet_root, tmp_path_factory):
    """Each good shop run alone with `logiwatch run`, for comparison."""
    out = tmp_path_factory.mktemp("single")
    for shop in ("shop-a", "shop-b"):
        inbox = fleet_root / shop
        result = _cli("run", "--inbox", inbox, "--out", out / shop, "--config",
                      inbox / "logiwatch.toml", "--as-of", "2026-11-20", "--no-prefect")
        assert result.returncode == 0, result.stderr
    return out


def _check_fleet(result, out, single_runs, days=("2026-11-20",)):
    assert result.returncode == 2, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "fleet: 1 of 3 shops failed: shop-broken"
    assert "error: shop-broken 2026-11-20: " in result.stderr and "Traceback" not in result.stderr
    for shop in ("shop-a", "shop-b"):
        assert (out / shop / "state.duckdb").is_file()
        assert sorted(p.name for p in (out / shop).iterdir() if p.name[0].isdigit()) == \
            sorted(days)
        ours = (out / shop / "2026-11-20" / "anomalies.csv").read_bytes()
        alone = (single_runs / shop / "2026-11-20" / "anomalies.csv").read_bytes()
        assert ours == alone, shop
    with (out / "fleet.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert {(r["shop"], r["date"], r["status"]) for r in rows} == {
        *((s, d, "ok") for s in ("shop-a", "shop-b") for d in days),
        *(("shop-broken", d, "failed") for d in days)}
    broken = next(r for r in rows if r["shop"] == "shop-broken")
    assert "no orders export" in broken["error"]
    ok = next(r for r in rows if r["shop"] == "shop-a" and r["date"] == "2026-11-20")
    with (out / "shop-a" / "2026-11-20" / "anomalies.csv").open(encoding="utf-8-sig") as fh:
        found = list(csv.DictReader(fh))
    assert int(ok["anomalies"]) == len(found)
    assert int(ok["P1"]) == sum(r["priority"] == "P1" for r in found)
    assert (out / "fleet.xlsx").is_file()


def test_fleet_backfill_on_a_local_cluster_of_two_workers(fleet_root, tmp_path):
    # the same two dates of each shop, backfilled alone
    single = tmp_path / "single"
    for shop in ("shop-a", "shop-b"):
        inbox = fleet_root / shop
        alone = _cli("backfill", "--inbox", inbox, "--out", single / shop, "--config",
                     inbox / "logiwatch.toml", "--start", "2026-11-19", "--end", "2026-11-20",
                     "--no-prefect")
        assert alone.returncode == 0, alone.stderr
    out = tmp_path / "out"
    result = _cli("fleet", "--root", fleet_root, "--out", out, "--start", "2026-11-19",
                  "--end", "2026-11-20", "--workers", "2")
    _check_fleet(result, out, single, days=("2026-11-19", "2026-11-20"))
    # dates in order per shop: the 19th's problems keep their first_seen on the 20th
    with (out / "shop-a" / "2026-11-20" / "anomalies.csv").open(encoding="utf-8-sig") as fh:
        assert any(r["first_seen"] == "2026-11-19 08:00:00" for r in csv.DictReader(fh))
    # shop-b's own configuration was used
    assert (out / "shop-b" / "2026-11-20" / "worklists" / "unassigned.xlsx").is_file()
    from openpyxl import load_workbook

    assert load_workbook(out / "shop-b/2026-11-20/summary.xlsx").sheetnames[0] == "Overview"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_fleet_against_a_scheduler_and_workers_started_apart(fleet_root, single_runs,
                                                            tmp_path):
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    logs = (tmp_path / "scheduler.log").open("w"), (tmp_path / "worker.log").open("w")
    # the scheduler's INFO lines tell when it is ready; an in-process CLI test earlier in the
    # session may have set the CLI's quieter Dask logging in this process's environment
    env = {**os.environ, "DASK_LOGGING__DISTRIBUTED": "info"}
    scheduler = subprocess.Popen([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1",
                                  "--port", str(port), "--dashboard-address", ":0"],
                                 stdout=logs[0], stderr=subprocess.STDOUT, env=env)
    worker = subprocess.Popen([str(BIN / "dask"), "worker", address, "--nworkers", "2",
                               "--nthreads", "1", "--dashboard-address", ":0"],
                              stdout=logs[1], stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 60
        while "Starting worker compute stream" not in (tmp_path / "scheduler.log").read_text():
            assert time.monotonic() < deadline, (tmp_path / "scheduler.log").read_text()
            time.sleep(0.5)
        out = tmp_path / "out"
        result = _cli("fleet", "--root", fleet_root, "--out", out, "--as-of", "2026-11-20",
                      "--dask", address)
        _check_fleet(result, out, single_runs)
    finally:
        for process in (worker, scheduler):
            process.terminate()
            process.wait(timeout=30)


def test_a_shop_never_raises(tmp_path):
    import datetime as dt

    from flows import pipeline

    inbox = tmp_path / "shop-x"
    inbox.mkdir()
    (inbox / "logiwatch.toml").write_text("[thresholds]\nunpicked = \"soon\"\n", "utf-8")
    (row,) = pipeline.run_shop(inbox, tmp_path / "out", [dt.date(2026, 11, 20)])
    assert row["status"] == "failed" and row["exit_code"] == 2
    assert row["error"].startswith("thresholds.unpicked: Input should be a valid number")
