"""The nightly flow: ingest → detect → prioritise → write, one Prefect task per stage."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from logiwatch import pipeline
from logiwatch.config import Config

# stages pass data as tables in the run's work file; nothing to cache or pickle
STAGE = {"cache_policy": NO_CACHE, "persist_result": False}


@task(name="ingest_exports", **STAGE)
def ingest_exports(paths: pipeline.RunPaths, config: Config) -> list[dict]:
    """Load and validate the day's exports (rejects quarantined)."""
    return pipeline.ingest_stage(paths, config)


@task(name="detect_anomalies", **STAGE)
def detect_anomalies(paths: pipeline.RunPaths, config: Config) -> int:
    """Run every rule at as_of in one DuckDB pass."""
    return pipeline.detect_stage(paths, config)


@task(name="prioritise_and_assign", **STAGE)
def prioritise_and_assign(paths: pipeline.RunPaths, config: Config) -> int:
    """Score, tier, route and assign, continuing from earlier runs."""
    return pipeline.prioritise_stage(paths, config)


@task(name="write_outputs", **STAGE)
def write_outputs(paths: pipeline.RunPaths, config: Config, inputs: list[dict],
                  timings: dict[str, float]) -> str:
    """Write anomalies.csv, rejects, worklists and the manifest, published atomically."""
    return str(pipeline.write_stage(paths, config, inputs, timings))


@flow(name="nightly", flow_run_name="nightly-{as_of:%Y-%m-%d}")
def nightly(as_of: dt.datetime, inbox: Path, out: Path, state: Path, config: Config) -> str:
    """One nightly run for the data cut-off `as_of`; returns the output folder."""
    paths = pipeline.RunPaths(inbox=Path(inbox), out=Path(out), state=Path(state), as_of=as_of)
    tasks = pipeline.Stages(ingest_exports, detect_anomalies, prioritise_and_assign,
                            write_outputs)
    return str(pipeline.run_pipeline(paths, config, tasks))


@flow(name="backfill", flow_run_name="backfill-{start}-{end}")
def backfill(start: dt.date, end: dt.date, inbox: Path, out: Path, state: Path,
             config: Config) -> list[str]:
    """Run `nightly` for every date from `start` to `end`, oldest first (history builds up).

    A failing date does not stop the others; the backfill fails if any date failed.
    """
    states = []
    day = start
    while day <= end:
        states.append(nightly(config.as_of_for_date(day), inbox, out, state, config,
                              return_state=True))
        day += dt.timedelta(days=1)
    failed = [s for s in states if not s.is_completed()]
    if failed:
        raise RuntimeError(f"{len(failed)} of {len(states)} dates failed: "
                           + ", ".join(s.name or "?" for s in failed))
    return [s.result() for s in states]
