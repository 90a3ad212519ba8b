"""The nightly flow: ingest → detect → prioritise → write, one Prefect task per stage.

No `from __future__ import annotations` here: Prefect validates flow parameters with
pydantic, which needs the real annotations when a deployment starts a run.
"""

import contextlib
import datetime as dt
import hashlib
from pathlib import Path
from typing import Any, Callable

import duckdb
# imported with this module (while Prefect's temporary server boots), not at the first flow
# call, between the server's first answer and the first task: the engine that runs a flow,
# and FastAPI's encoder, with which Prefect serialises a flow run's parameters (0.12 to
# 0.25 s to import)
import fastapi.encoders  # noqa: F401
import prefect.flow_engine  # noqa: F401
from prefect import flow, tags, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.client.orchestration import get_client
from prefect.context import TagsContext
from prefect.runtime import flow_run as current_run
from prefect.settings import temporary_settings

from flows.alerts import report_failure
from flows import pipeline
from core.config import Config
from core.errors import InputError
from reports.manifest import read_manifest
from reports.run_report import run_markdown

# stages pass data as tables in the run's work file; nothing to cache or pickle
TASK_OPTIONS = {"cache_policy": NO_CACHE, "persist_result": False}


def transient_read_error(task, task_run, state) -> bool:
    """Retry reading exports on I/O errors (a file still being copied), never on bad input."""
    exc = state.result(raise_on_failure=False)
    return isinstance(exc, (OSError, duckdb.IOException)) and not isinstance(exc, InputError)


@task(name="ingest_exports", retry_condition_fn=transient_read_error, **TASK_OPTIONS)
def ingest_exports(paths: pipeline.RunPaths, config: Config) -> list[dict]:
    """Wait for the day's exports when configured, load and validate them (rejects
    quarantined)."""
    return pipeline.ingest_stage(paths, config)


@task(name="detect_anomalies", **TASK_OPTIONS)
def detect_anomalies(paths: pipeline.RunPaths, config: Config) -> int:
    """Run every rule at as_of in one DuckDB pass."""
    return pipeline.detect_stage(paths, config)


@task(name="prioritise_and_assign", **TASK_OPTIONS)
def prioritise_and_assign(paths: pipeline.RunPaths, config: Config) -> int:
    """Score, tier, route and assign, continuing from earlier runs."""
    return pipeline.prioritise_stage(paths, config)


@task(name="write_outputs", **TASK_OPTIONS)
def write_outputs(paths: pipeline.RunPaths, config: Config, inputs: list[dict],
                  timings: dict[str, float]) -> str:
    """Write anomalies.csv, rejects, worklists and the manifest, published atomically."""
    return str(pipeline.write_stage(paths, config, inputs, timings))


def run_name(shop: str, day: str) -> str:
    """The flow run's name: by shop and date."""
    return f"nightly-{shop}-{day}"


def shop_tags(shop: str) -> list[str]:
    """The tags of every run of a shop (the deployment's too)."""
    return ["logiwatch", f"shop:{shop}"]


def run_tags(shop: str, day: str) -> list[str]:
    """The flow run's tags: the product, the shop and the date."""
    return [*shop_tags(shop), f"date:{day}"]


def _artifact_key(shop: str) -> str:
    # keys take lowercase letters, digits and dashes only: a Chinese shop name becomes a hash
    slug = "-".join("".join(c if c.isascii() and c.isalnum() else " " for c in shop.lower()
                            ).split())
    return f"logiwatch-{slug or hashlib.sha1(shop.encode()).hexdigest()[:10]}"


def _run_stages(paths: pipeline.RunPaths, config: Config) -> str:
    """The stages as tasks, then the run's artifact; returns the output folder."""
    shop = pipeline.shop_name(config, paths.inbox)
    stages = pipeline.Stages(
        ingest_exports.with_options(retries=config.inputs.read_retries,
                                    retry_delay_seconds=config.inputs.read_retry_delay_seconds),
        detect_anomalies, prioritise_and_assign, write_outputs)
    # The shop and date tags are the flow run's; the stage tasks carry none. A tagged task
    # first asks the API for tag concurrency slots: after a stage longer than the 5 s Prefect
    # caches "no limits", that request often met SQLite's "database is locked" (the server
    # was still recording the last task's state), and Prefect's client waited 2 s to ask
    # again, between every two long stages.
    with TagsContext(current_tags=set()):
        folder = pipeline.run_pipeline(paths, config, stages)
    manifest = read_manifest(folder)
    create_markdown_artifact(markdown=run_markdown(manifest, folder, shop),
                             key=_artifact_key(shop),
                             description=f"{shop} {paths.day}: counts, rejects, backlog")
    return str(folder)


@flow(name="nightly")
def nightly(as_of: dt.datetime, inbox: Path, out: Path, state: Path, config: Config) -> str:
    """One nightly run for the data cut-off `as_of`; returns the output folder.

    Call it through `run_nightly`, which names and tags the run and sets its failure alert.
    """
    paths = pipeline.RunPaths(inbox=Path(inbox), out=Path(out), state=Path(state), as_of=as_of)
    return _run_stages(paths, config)


def _alert_hook(config: Config, shop: str, day: str) -> Callable:
    def alert_on_failure(flow, flow_run, state) -> None:
        report_failure(flow_run, flow, state, config, shop, day)
    return alert_on_failure


def run_nightly(paths: pipeline.RunPaths, config: Config, heartbeats: bool = True) -> Path:
    """Run the `nightly` flow for one date, named and tagged by shop and date, with the
    failure alert of its configuration.

    Without `heartbeats` the run sends Prefect none. A lasting server tells a crashed run
    from a running one by its heartbeats; a temporary server that ends with the command has
    no use for them, and Prefect ends a run's heartbeat thread only after that thread's
    current one-second sleep: a second added to every run."""
    shop = pipeline.shop_name(config, paths.inbox)
    named = nightly.with_options(flow_run_name=run_name(shop, paths.day),
                                 on_failure=[_alert_hook(config, shop, paths.day)])
    quiet = (contextlib.nullcontext() if heartbeats
             else temporary_settings(updates={"flows.heartbeat_frequency": None}))
    with tags(*run_tags(shop, paths.day)), quiet:
        return Path(named(as_of=paths.as_of, inbox=paths.inbox, out=paths.out,
                          state=paths.state, config=config))


def _today_config(parameters: dict[str, Any]) -> Config:
    from core.config import load_config

    path = parameters.get("config_path")
    return load_config(Path(path) if path else None, parameters.get("overrides") or None)


def _scheduled_day(config: Config) -> dt.date:
    """The date a deployment run is for: its scheduled start in the configured timezone (a
    run that starts late still works the night it was scheduled for)."""
    scheduled = current_run.scheduled_start_time
    return (scheduled or dt.datetime.now(config.tz)).astimezone(config.tz).date()


def _today_failed(flow, flow_run, state) -> None:
    parameters = flow_run.parameters or {}
    try:
        config = _today_config(parameters)
    except InputError:
        config = None
    shop = pipeline.shop_name(config, Path(parameters.get("inbox", "."))) if config else "?"
    day = _scheduled_day(config).isoformat() if config else "?"
    report_failure(flow_run, flow, state, config, shop, day)


@flow(name="nightly-today", on_failure=[_today_failed])
def nightly_today(inbox: str, out: str, state: str, config_path: str | None = None,
                  overrides: dict[str, Any] | None = None) -> str:
    """`nightly` for the date the run was scheduled for, as the scheduled deployment runs it.

    The configuration file is read at each run (threshold changes apply from the next
    night); `overrides` carries the options `logiwatch serve` was given (e.g. `--lang`).
    """
    config = _today_config({"config_path": config_path, "overrides": overrides})
    day = _scheduled_day(config)
    paths = pipeline.RunPaths(inbox=Path(inbox), out=Path(out), state=Path(state),
                              as_of=config.as_of_for_date(day))
    shop = pipeline.shop_name(config, paths.inbox)
    with get_client(sync_client=True) as client:
        client.update_flow_run(current_run.id, name=run_name(shop, paths.day),
                               tags=sorted({*current_run.tags, *run_tags(shop, paths.day)}))
    return _run_stages(paths, config)


@flow(name="backfill", flow_run_name="backfill-{start}-{end}")
def backfill(start: dt.date, end: dt.date, inbox: Path, out: Path, state: Path,
             config: Config) -> list[str]:
    """Run `nightly` for every date from `start` to `end`, oldest first (history builds up),
    with the same behaviour as `logiwatch backfill`: a failing date does not stop the
    others, and the backfill fails naming the failed dates."""
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    report = pipeline.backfill(days, lambda day: run_nightly(pipeline.RunPaths(
        inbox=Path(inbox), out=Path(out), state=Path(state),
        as_of=config.as_of_for_date(day)), config))
    if report.failures:
        raise pipeline.BackfillFailed(report.last_line())
    return [str(f) for f in report.folders.values()]
