"""The sample data against its ground truth: every planted anomaly found, nothing else."""

import csv
import datetime as dt
import json

import pytest

from flows import pipeline
from core.config import load_config
from tests.helpers import ROOT


def _keys(path, encoding, as_of=None):
    with path.open(encoding=encoding, newline="") as fh:
        return {(r["anomaly_type"], r["subtype"], r["order_id"], r["tracking_no"])
                for r in csv.DictReader(fh) if as_of is None or r["as_of"] == as_of}


def _dates():
    with (ROOT / "sample_data" / "ground_truth.csv").open(encoding="utf-8") as fh:
        return sorted({r["as_of"] for r in csv.DictReader(fh)})


@pytest.mark.parametrize("as_of", _dates())
def test_sample_run_matches_ground_truth(as_of, tmp_path):
    """Precision and recall 1.0 for every type at every labelled date (one inside 双11)."""
    config = load_config(ROOT / "sample_data" / "logiwatch.toml")
    paths = pipeline.RunPaths(inbox=ROOT / "sample_data", out=tmp_path,
                              state=tmp_path / "state.duckdb",
                              as_of=dt.datetime.fromisoformat(as_of))
    folder = pipeline.run_pipeline(paths, config)
    truth = _keys(ROOT / "sample_data" / "ground_truth.csv", "utf-8", as_of)
    found = _keys(folder / "anomalies.csv", "utf-8-sig")
    hits = truth & found
    print(f"\nas_of {as_of}: {len(truth)} labelled, {len(found)} found")
    for t in sorted({k[0] for k in truth | found}):
        tp = len({k for k in hits if k[0] == t})
        n_found = len({k for k in found if k[0] == t}) or 1
        n_truth = len({k for k in truth if k[0] == t}) or 1
        print(f"  {t:<20} precision {tp / n_found:.3f} recall {tp / n_truth:.3f}")
    assert found - truth == set(), "false positives"
    assert truth - found == set(), "missed"


def test_sample_plants_every_subtype_of_the_rules_it_shows():
    from core.registry import RULES

    truth = _keys(ROOT / "sample_data" / "ground_truth.csv", "utf-8")
    planted = {(t, s) for t, s, *_ in truth}
    shown = {t for t, _ in planted}
    assert shown and shown <= set(RULES)
    # a rule may stay out of the demo; one that is in it shows every subtype
    assert planted == {(t, s.code) for t in shown for s in RULES[t].subtypes}


def test_every_input_row_is_accounted_for(sample_run):
    manifest = json.loads((sample_run / "manifest.json").read_text(encoding="utf-8"))
    for f in manifest["inputs"]:
        assert f["rows_read"] == (f["rows_accepted"] + f["rows_rejected"]
                                  + f["rows_dropped_blank"] + f["rows_dropped_total"]
                                  + f["rows_dated_later"]), f
    with (sample_run / "rejects.csv").open(encoding="utf-8-sig") as fh:
        rejects = list(csv.DictReader(fh))
    assert [(r["file"], r["column"], r["value"]) for r in rejects] == [
        ("orders.csv", "数量", "两件")]


def test_anomalies_csv_has_the_spec_columns_in_order(sample_run):
    raw = (sample_run / "anomalies.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header = raw[3:].split(b"\n", 1)[0].decode().strip().split(",")
    assert header == ["as_of", "anomaly_type", "subtype", "order_id", "platform_order_id", "shop",
                      "warehouse", "carrier", "tracking_no", "sku", "elapsed_hours",
                      "threshold_hours", "priority", "score", "reason", "action", "team",
                      "agent_id", "first_seen", "anomaly_key"]


def test_rerun_of_the_same_date_gives_the_same_outputs(sample_run, tmp_path):
    from tests.helpers import AS_OF

    config = load_config(ROOT / "sample_data" / "logiwatch.toml")
    paths = pipeline.RunPaths(inbox=ROOT / "sample_data", out=tmp_path,
                              state=tmp_path / "state.duckdb", as_of=AS_OF)
    first = (pipeline.run_pipeline(paths, config) / "anomalies.csv").read_bytes()
    second = (pipeline.run_pipeline(paths, config) / "anomalies.csv").read_bytes()
    assert first == second
    # nothing else is left behind: no work or temporary folder, one copy of the state
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-11-20", "state.duckdb",
                                                          "state.duckdb.backups",
                                                          "state.duckdb.lock"]
    assert len(list((tmp_path / "state.duckdb.backups").iterdir())) == 1
