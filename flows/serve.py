"""The scheduled deployment: `nightly` for today's date, on a cron in the configured timezone.

Schedules need a real Prefect server (`prefect server start`, SQLite) with PREFECT_API_URL
pointing at it; the ephemeral server does not schedule.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from prefect import flow
from prefect.schedules import Cron

from flows.nightly import nightly
from logiwatch.config import Config, load_config


@flow(name="nightly-today")
def nightly_today(inbox: str, out: str, state: str, config_path: str | None = None) -> str:
    """`nightly` for today's date in the configured timezone (deployment parameters are
    plain strings, so the configuration is loaded here from its file)."""
    config = load_config(Path(config_path) if config_path else None)
    today = dt.datetime.now(config.tz).date()
    return nightly(config.as_of_for_date(today), Path(inbox), Path(out), Path(state), config)


def serve_nightly(inbox: Path, out: Path, state: Path, config: Config, cron: str) -> None:
    """Serve the deployment until interrupted."""
    config_path = None if config.source == "built-in defaults" else str(Path(config.source).resolve())
    nightly_today.serve(
        name="logiwatch-nightly",
        schedule=Cron(cron, timezone=config.data["timezone"]),
        parameters={"inbox": str(inbox.resolve()), "out": str(out.resolve()),
                    "state": str(state.resolve()), "config_path": config_path},
    )
