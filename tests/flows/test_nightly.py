"""The Prefect flows on the ephemeral server: the same outputs as the plain pipeline, and the
habits of a production job (retries, artifact, names and tags, failure alerts, backfill)."""

import csv
import datetime as dt
import http.server
import json
import shutil
import threading

import pytest

from flows import pipeline
from core.config import load_config
from core.errors import InputError
from tests.helpers import AS_OF, ROOT

SAMPLE_CONFIG = ROOT / "sample_data" / "logiwatch.toml"


def _paths(inbox, out, as_of=AS_OF):
    return pipeline.RunPaths(inbox=inbox, out=out, state=out / "state.duckdb", as_of=as_of)


def _copy_sample(folder):
    folder.mkdir(parents=True)
    for name in ("orders.csv", "inventory.csv", "tracking.jsonl", "agents.csv"):
        shutil.copy(ROOT / "sample_data" / name, folder / name)
    return folder


def test_nightly_flow_matches_the_plain_pipeline(prefect, sample_run, tmp_path):
    from flows.nightly import run_nightly

    folder = run_nightly(_paths(ROOT / "sample_data", tmp_path), load_config(SAMPLE_CONFIG))
    assert (tmp_path / "2026-11-20").samefile(folder)
    ours = (tmp_path / "2026-11-20" / "anomalies.csv").read_text(encoding="utf-8-sig")
    plain = (sample_run / "anomalies.csv").read_text(encoding="utf-8-sig")
    assert ours == plain


def _api(path, body):
    """POST to the Prefect API the flows report to (the test harness's server)."""
    import httpx
    from prefect.settings import PREFECT_API_URL

    return httpx.post(PREFECT_API_URL.value() + path, json=body, timeout=30).json()


def test_run_is_named_and_tagged_by_shop_and_date_with_an_artifact(prefect, tmp_path):
    from flows.nightly import run_nightly

    config = load_config(SAMPLE_CONFIG, {"shop": "旗舰店 North"})
    folder = run_nightly(_paths(ROOT / "sample_data", tmp_path), config)
    (flow_run,) = _api("/flow_runs/filter", {"flow_runs": {"name": {
        "any_": ["nightly-旗舰店 North-2026-11-20"]}}})
    assert {"shop:旗舰店 North", "date:2026-11-20"} <= set(flow_run["tags"])
    # the tags are the run's, not its tasks' (a tagged task waits on tag concurrency slots)
    task_runs = _api("/task_runs/filter", {"flow_runs": {"id": {"any_": [flow_run["id"]]}}})
    assert len(task_runs) == 4 and all(t["tags"] == [] for t in task_runs)
    (artifact,) = _api("/artifacts/filter", {"artifacts": {"flow_run_id": {
        "any_": [flow_run["id"]]}}})
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    counts = manifest["anomalies"]
    text = artifact["data"]
    assert artifact["key"] == "logiwatch-north"
    assert f"{counts['total']} anomalies on {counts['orders']} orders" in text
    assert f"{manifest['rejected_rows']} rejected rows" in text
    assert f"unassigned backlog {counts['unassigned']['orders']} orders" in text
    assert str(folder) in text
    for kind, tiers in counts["by_type_priority"].items():
        row = f"| {kind} | {tiers.get('P1', 0)} | {tiers.get('P2', 0)} | {tiers.get('P3', 0)} |"
        assert row in text


def test_transient_read_error_is_retried(prefect, tmp_path, monkeypatch):
    from flows.nightly import run_nightly

    calls = []
    real = pipeline.ingest_stage

    def flaky(paths, config):
        calls.append(1)
        if len(calls) == 1:
            raise PermissionError("orders.csv is still being copied")
        return real(paths, config)

    monkeypatch.setattr(pipeline, "ingest_stage", flaky)
    config = load_config(SAMPLE_CONFIG, {"inputs": {"read_retry_delay_seconds": 0}})
    folder = run_nightly(_paths(ROOT / "sample_data", tmp_path), config)
    assert len(calls) == 2
    assert (folder / "anomalies.csv").exists()


@pytest.mark.parametrize("heartbeats", [True, False])
def test_a_run_sends_heartbeats_unless_told_its_server_ends_with_it(prefect, tmp_path,
                                                                   monkeypatch, heartbeats):
    from prefect.settings import get_current_settings

    from flows.nightly import run_nightly

    seen = []
    real = pipeline.detect_stage

    def recording(paths, config):
        seen.append(get_current_settings().flows.heartbeat_frequency)
        return real(paths, config)

    monkeypatch.setattr(pipeline, "detect_stage", recording)
    folder = run_nightly(_paths(ROOT / "sample_data", tmp_path), load_config(SAMPLE_CONFIG),
                         heartbeats=heartbeats)
    assert (folder / "anomalies.csv").exists()
    assert (seen[0] is not None) == heartbeats


def test_bad_input_is_never_retried(prefect, tmp_path, monkeypatch):
    from flows.nightly import run_nightly

    calls = []

    def bad(paths, config):
        calls.append(1)
        raise InputError("missing required column '快递单号'", file="orders.csv")

    monkeypatch.setattr(pipeline, "ingest_stage", bad)
    config = load_config(SAMPLE_CONFIG, {"inputs": {"read_retry_delay_seconds": 0}})
    with pytest.raises(InputError, match="快递单号"):
        run_nightly(_paths(ROOT / "sample_data", tmp_path), config)
    assert len(calls) == 1


@pytest.fixture
def webhook():
    """A local HTTP endpoint recording what is posted to it."""
    received = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/alert", received
    server.shutdown()


def test_failure_names_the_stage_and_error_in_the_log_and_the_alert(prefect, tmp_path,
                                                                   webhook, caplog):
    from prefect.blocks.notifications import CustomWebhookNotificationBlock

    from flows.nightly import run_nightly

    url, received = webhook
    CustomWebhookNotificationBlock(name="ops", url=url, json_data={
        "text": "{{body}}", "title": "{{subject}}"}).save("ops-alerts", overwrite=True)
    inbox = tmp_path / "inbox"
    inbox.mkdir()  # no orders export: the ingest stage fails
    config = load_config(overrides={"shop": "shop-x",
                                    "alerts": {"block": "custom-webhook/ops-alerts"}})
    with pytest.raises(InputError, match="no orders export"):
        run_nightly(_paths(inbox, tmp_path / "out"), config)
    (alert,) = received
    assert alert["text"].startswith("logiwatch shop-x 2026-11-20: stage ingest failed: ")
    assert "no orders export matching 'orders*'" in alert["text"]
    assert "\n" not in alert["text"]
    assert alert["title"] == "logiwatch shop-x 2026-11-20 failed"
    assert any(r.getMessage() == alert["text"] for r in caplog.records)


def test_unreachable_alert_channel_does_not_hide_the_failure(prefect, tmp_path, caplog):
    from flows.nightly import run_nightly

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    config = load_config(overrides={"alerts": {"block": "custom-webhook/no-such-block"}})
    with pytest.raises(InputError, match="no orders export"):
        run_nightly(_paths(inbox, tmp_path / "out"), config)
    messages = [r.getMessage() for r in caplog.records]
    assert any("stage ingest failed" in m for m in messages)
    assert any("alert through block 'custom-webhook/no-such-block' not sent" in m
               for m in messages)


def test_backfill_flow_runs_every_date_oldest_first_past_a_failed_date(prefect, tmp_path):
    from flows.nightly import backfill

    inbox = tmp_path / "inbox"
    inbox.mkdir()  # the root has no orders export: a date without its folder fails
    for day in ("2026-11-18", "2026-11-20"):
        _copy_sample(inbox / day)
    out = tmp_path / "out"
    with pytest.raises(pipeline.BackfillFailed,
                       match=r"^backfill: 1 of 3 dates failed: 2026-11-19$"):
        backfill(start=dt.date(2026, 11, 18), end=dt.date(2026, 11, 20), inbox=inbox, out=out,
                 state=out / "state.duckdb", config=load_config(SAMPLE_CONFIG))
    assert sorted(p.name for p in out.iterdir() if p.is_dir() and p.name[0].isdigit()) == [
        "2026-11-18", "2026-11-20"]

    def first_seen(day):
        with (out / day / "anomalies.csv").open(encoding="utf-8-sig") as fh:
            return {r["anomaly_key"]: r["first_seen"] for r in csv.DictReader(fh)}

    # history builds up in date order: a problem seen on the 18th keeps its first_seen
    earlier, later = first_seen("2026-11-18"), first_seen("2026-11-20")
    carried = set(earlier) & set(later)
    assert carried
    assert all(later[k] == "2026-11-18 08:00:00" for k in carried)
