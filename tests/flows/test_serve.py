"""`logiwatch serve` against a real Prefect server, as ops run it: the deployment's cron and
timezone, the scheduler's upcoming runs, a triggered run Completed with its outputs."""

import datetime as dt
import json
import shutil
import subprocess
from zoneinfo import ZoneInfo

import pytest

from tests.flows.conftest import BIN
from tests.helpers import ROOT

DEPLOYMENT = "nightly-today/logiwatch-nightly"


@pytest.fixture(scope="module")
def served(prefect_server, tmp_path_factory):
    """`logiwatch serve` on a copy of the sample exports, with --lang en."""
    base = tmp_path_factory.mktemp("serve")
    inbox = base / "shop-a"
    shutil.copytree(ROOT / "sample_data", inbox,
                    ignore=shutil.ignore_patterns("*.py", "__pycache__", "ground_truth.csv"))
    out = base / "out"
    log = (base / "serve.log").open("w")
    process = subprocess.Popen(
        [str(BIN / "logiwatch"), "serve", "--inbox", str(inbox), "--out", str(out),
         "--config", str(inbox / "logiwatch.toml"), "--cron", "30 8 * * *", "--lang", "en"],
        env=prefect_server.env, stdout=log, stderr=subprocess.STDOUT)

    def deployment():
        if process.poll() is not None:
            raise AssertionError(f"serve exited: {(base / 'serve.log').read_text()[-2000:]}")
        response = prefect_server.get(f"/deployments/name/{DEPLOYMENT}")
        return response.json() if response.status_code == 200 else None

    yield prefect_server.wait_for(deployment, 120, "the deployment"), out
    process.terminate()
    process.wait(timeout=30)


def test_deployment_has_the_cron_and_the_configured_timezone(served):
    deployment, _ = served
    (schedule,) = [s["schedule"] for s in deployment["schedules"] if s["active"]]
    assert schedule["cron"] == "30 8 * * *"
    assert schedule["timezone"] == "Asia/Shanghai"  # sample_data/logiwatch.toml's timezone
    assert {"logiwatch", "shop:shop-a"} <= set(deployment["tags"])
    assert deployment["parameters"]["overrides"] == {"worklist": {"lang": "en"}}


def test_the_servers_scheduler_creates_the_upcoming_runs(served, prefect_server):
    deployment, _ = served

    def scheduled():
        runs = prefect_server.post("/flow_runs/filter", {
            "deployments": {"id": {"any_": [deployment["id"]]}},
            "flow_runs": {"state": {"type": {"any_": ["SCHEDULED"]}}}}).json()
        return runs if len(runs) >= 3 else None

    runs = prefect_server.wait_for(scheduled, 120, "three scheduled runs")
    tz = ZoneInfo("Asia/Shanghai")
    starts = sorted(dt.datetime.fromisoformat(r["expected_start_time"]).astimezone(tz)
                    for r in runs)
    assert all((s.hour, s.minute) == (8, 30) for s in starts)
    assert starts[0] > dt.datetime.now(tz)
    assert [(b - a) for a, b in zip(starts, starts[1:])] == [dt.timedelta(days=1)] * (
        len(starts) - 1)


def test_a_triggered_run_completes_with_its_outputs(served, prefect_server):
    deployment, out = served
    response = prefect_server.post(f"/deployments/{deployment['id']}/create_flow_run", {})
    assert response.status_code == 201, response.text
    run = response.json()

    def finished():
        state = prefect_server.get(f"/flow_runs/{run['id']}").json()
        return state if state["state_type"] in ("COMPLETED", "FAILED", "CRASHED") else None

    flow_run = prefect_server.wait_for(finished, 240, "the triggered run to finish")
    assert flow_run["state_type"] == "COMPLETED", flow_run["state"]
    # the date the run was for: its scheduled start in the configured timezone
    day = dt.datetime.fromisoformat(flow_run["expected_start_time"]).astimezone(
        ZoneInfo("Asia/Shanghai")).date().isoformat()
    assert flow_run["name"] == f"nightly-shop-a-{day}"
    assert {"shop:shop-a", f"date:{day}"} <= set(flow_run["tags"])
    folder = out / day
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["as_of"] == f"{day} 08:00:00"
    assert (folder / "anomalies.csv").stat().st_size > 0
    # --lang en given to serve reached the run
    import openpyxl

    worklist = sorted((folder / "worklists").glob("*.xlsx"))[0]
    assert openpyxl.load_workbook(worklist, read_only=True).sheetnames[0] == "Worklist"
