"""The plain pipeline: waiting for a late export, one backfill behaviour, stage names."""

import datetime as dt
import os
import shutil

import pytest

from flows import pipeline
from core.config import load_config
from core.errors import InputError, MissingExportError
from transforms import state
from tests.helpers import ROOT

DAY = dt.date(2026, 11, 20)


class Clock:
    """A fake clock for the waiting loop: `sleep` moves it on and may run a side effect."""

    def __init__(self, start: dt.datetime, on_sleep=None):
        self.now_at, self.slept, self.on_sleep = start, [], on_sleep

    def now(self) -> dt.datetime:
        return self.now_at

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now_at += dt.timedelta(seconds=seconds)
        if self.on_sleep:
            self.on_sleep(self)


def _config(wait_until="09:30", poll=60):
    return load_config(overrides={"inputs": {"wait_until": wait_until,
                                             "wait_poll_seconds": poll}})


def _at(hh, mm, ss=0):
    return dt.datetime(2026, 11, 20, hh, mm, ss, tzinfo=_config().tz)


def test_export_that_arrives_while_waiting_is_used(tmp_path):
    def arrive(clock):
        if len(clock.slept) == 3:
            shutil.copy(ROOT / "sample_data" / "orders.csv", tmp_path / "orders.csv")

    clock = Clock(_at(8, 30), arrive)
    files = pipeline.wait_for_inputs(tmp_path, _config(), DAY, clock.now, clock.sleep)
    assert [p.name for p in files["order_lines"]] == ["orders.csv"]
    assert clock.slept == [60, 60, 60]


def test_waiting_stops_at_the_deadline_naming_the_missing_file(tmp_path):
    clock = Clock(_at(9, 28, 30))
    with pytest.raises(MissingExportError) as caught:
        pipeline.wait_for_inputs(tmp_path, _config(), DAY, clock.now, clock.sleep)
    assert clock.slept == [60, 30]  # never sleeps past 09:30
    assert str(caught.value) == (f"{tmp_path}: no orders export matching 'orders*' (.csv or "
                                 ".xlsx) (waited until 2026-11-20 09:30, inputs.wait_until)")


def test_deadline_already_past_fails_at_once(tmp_path):
    clock = Clock(_at(9, 30, 1))  # one second late, e.g. a backfill of an old date
    with pytest.raises(MissingExportError, match="waited until 2026-11-20 09:30"):
        pipeline.wait_for_inputs(tmp_path, _config(), DAY, clock.now, clock.sleep)
    assert clock.slept == []


def test_no_wait_configured_fails_at_once(tmp_path):
    clock = Clock(_at(6, 0))
    with pytest.raises(MissingExportError) as caught:
        pipeline.wait_for_inputs(tmp_path, _config(wait_until=""), DAY, clock.now, clock.sleep)
    assert "waited" not in str(caught.value)
    assert clock.slept == []


def test_wait_until_must_be_a_time():
    with pytest.raises(InputError, match="inputs.wait_until: must be a time like 08:00, got .half past nine."):
        load_config(overrides={"inputs": {"wait_until": "half past nine"}})


def test_alerts_block_must_name_type_and_block():
    with pytest.raises(InputError, match="alerts.block: must name a Prefect block as <block-type>/<name>"):
        load_config(overrides={"alerts": {"block": "ops"}})


def test_backfill_runs_oldest_first_and_goes_on_after_a_failure(tmp_path):
    ran = []

    def run_date(day):
        ran.append(day)
        if day == dt.date(2026, 11, 19):
            raise InputError("file is empty", file="orders.csv")
        return tmp_path / day.isoformat()

    days = [dt.date(2026, 11, 20), dt.date(2026, 11, 18), dt.date(2026, 11, 19)]
    told = []
    report = pipeline.backfill(days, run_date, on_failure=lambda d, e: told.append((d, str(e))))
    assert ran == sorted(days)
    assert list(report.folders) == [dt.date(2026, 11, 18), dt.date(2026, 11, 20)]
    assert told == [(dt.date(2026, 11, 19), "orders.csv: file is empty")]
    assert report.last_line() == "backfill: 1 of 3 dates failed: 2026-11-19"


def test_backfill_without_failures_says_so(tmp_path):
    report = pipeline.backfill([DAY], lambda day: tmp_path)
    assert report.last_line() == "backfill: 1 of 1 dates done"


def test_a_failure_names_its_stage(tmp_path):
    def broken_detect(paths, config):
        raise RuntimeError("rule SQL broke")

    paths = pipeline.RunPaths(inbox=ROOT / "sample_data", out=tmp_path,
                              state=tmp_path / "state.duckdb",
                              as_of=dt.datetime(2026, 11, 20, 8))
    stages = pipeline.Stages(detect=broken_detect)
    with pytest.raises(RuntimeError) as caught:
        pipeline.run_pipeline(paths, load_config(ROOT / "sample_data" / "logiwatch.toml"),
                              stages)
    assert pipeline.failed_stage(caught.value) == "detect"
    assert pipeline.error_line(caught.value) == "RuntimeError: rule SQL broke"
    assert not (tmp_path / "2026-11-20").exists()


def test_debris_of_killed_runs_goes_and_this_runs_copies_made_ahead_stay(tmp_path):
    out = tmp_path / "out"
    killed = [out / ".work" / "2026-11-19-99999999", out / ".tmp-2026-11-19-99999999",
              out / ".ahead-2026-11-19-99999999"]
    mine = out / f".ahead-2026-11-20-{os.getpid()}"
    for folder in (*killed, mine):
        folder.mkdir(parents=True)
    pipeline.clear_debris(out)
    assert [f.exists() for f in killed] == [False, False, False] and mine.exists()


def _sample_paths(tmp_path):
    return pipeline.RunPaths(inbox=ROOT / "sample_data", out=tmp_path / "out",
                             state=tmp_path / "out" / "state.duckdb",
                             as_of=dt.datetime(2026, 11, 20, 8))


def test_stages_share_one_in_memory_work_database_closed_with_the_run(tmp_path):
    paths = _sample_paths(tmp_path)
    config = load_config(ROOT / "sample_data" / "logiwatch.toml")
    seen = {}

    def prioritise(paths, config):
        with pipeline.connect(paths) as con:
            seen["tables"] = {t for (t,) in con.execute(
                "select table_name from duckdb_tables() where not temporary").fetchall()}
        seen["files"] = sorted(p.name for p in paths.work.rglob("*.duckdb*"))
        return pipeline.prioritise_stage(paths, config)

    folder = pipeline.run_pipeline(paths, config, pipeline.Stages(prioritise=prioritise))
    assert (folder / "anomalies.csv").exists()
    # what ingest and detect made is there; the tracking inputs went once staged
    assert {"order_lines", "stg_orders", "stg_parcel_status", "detected"} <= seen["tables"]
    assert not {"tracking_csv", "tracking_meta"} & seen["tables"]
    assert seen["files"] == []  # nothing written to a work file
    with pytest.raises(RuntimeError, match="no work database is open"):
        with pipeline.connect(paths):
            pass


def test_a_stage_tried_again_finds_the_state_file_attached_by_its_failed_try(tmp_path):
    paths = _sample_paths(tmp_path)
    config = load_config(ROOT / "sample_data" / "logiwatch.toml")
    paths.out.mkdir()
    pipeline.prepare(paths)
    with pipeline.work_database(paths, config):
        pipeline.ingest_stage(paths, config)
        pipeline.detect_stage(paths, config)
        with pipeline.connect(paths) as con:
            # a try that failed between attaching and letting go of the state file
            state.attach(con, paths.state)
        assert pipeline.prioritise_stage(paths, config) > 0
        assert (pipeline.write_stage(paths, config, [], {}) / "manifest.json").exists()
