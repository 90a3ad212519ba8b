"""The fleet: every sub-folder of a root is one shop's inbox; shops run in parallel on Dask
(prefect-dask's DaskTaskRunner), dates in order within a shop.

No `from __future__ import annotations` (see flows/nightly.py).
"""

import datetime as dt
import os
from pathlib import Path

from prefect import flow, task, unmapped
from prefect.cache_policies import NO_CACHE
from prefect_dask import DaskTaskRunner

from flows import pipeline


@task(name="run_shop", cache_policy=NO_CACHE, persist_result=False)
def run_shop(inbox: str, out: str, days: list[dt.date], threads: int,
             lang: str | None) -> list[dict]:
    """One shop, all its dates (never raises: a failed shop is a row with its error)."""
    return pipeline.run_shop(Path(inbox), Path(out), days, threads, lang)


@flow(name="fleet", flow_run_name="fleet-{days[0]}")
def fleet(shops: list[str], out: str, days: list[dt.date], threads: int,
          lang: str | None = None) -> list[dict]:
    """Map the shops over the task runner; returns one result row per shop and date."""
    futures = run_shop.map(shops, unmapped(out), unmapped(days), unmapped(threads),
                           unmapped(lang))
    return [row for future in futures for row in future.result()]


def shop_inboxes(root: Path) -> list[Path]:
    """Every sub-folder of `root` (but hidden ones) is a shop's inbox, in name order."""
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))


def run_fleet(root: Path, out: Path, days: list[dt.date], address: str | None = None,
              workers: int = 2, lang: str | None = None) -> list[dict]:
    """Run every shop of `root` for `days` on Dask: an existing scheduler at `address`, or a
    local cluster of `workers` processes. Each worker runs one shop at a time with
    cores ÷ workers DuckDB threads, so DuckDB threads × workers ≤ cores."""
    shops = [str(p) for p in shop_inboxes(root)]
    cores = os.cpu_count() or 1
    threads = max(1, cores // max(workers, 1))
    if address:
        runner = DaskTaskRunner(address=address)
    else:
        runner = DaskTaskRunner(cluster_kwargs={
            "n_workers": workers, "threads_per_worker": 1, "processes": True,
            "dashboard_address": ":0"})
    return fleet.with_options(task_runner=runner)(shops, str(out), days, threads, lang)
