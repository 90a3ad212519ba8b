"""The scheduled deployment: `nightly-today` on a cron in the configured timezone.

Schedules need a real Prefect server (`prefect server start`, SQLite) with PREFECT_API_URL
pointing at it; the ephemeral server does not schedule.

No `from __future__ import annotations` (see flows/nightly.py).
"""

from pathlib import Path
from typing import Any

from prefect.schedules import Cron

from flows.nightly import nightly_today, shop_tags
from flows import pipeline
from core.config import Config

DEPLOYMENT = "logiwatch-nightly"


def deployment_parameters(inbox: Path, out: Path, state: Path, config: Config,
                          overrides: dict[str, Any] | None) -> dict[str, Any]:
    """The deployment's parameters: absolute paths, the configuration file (read at each
    run) and the options given on the command line over it."""
    config_path = None if config.source == "built-in defaults" else str(
        Path(config.source).resolve())
    return {"inbox": str(inbox.resolve()), "out": str(out.resolve()),
            "state": str(state.resolve()), "config_path": config_path,
            "overrides": overrides or {}}


def serve_nightly(inbox: Path, out: Path, state: Path, config: Config, cron: str,
                  overrides: dict[str, Any] | None = None) -> None:
    """Register the deployment and run its scheduled (and triggered) runs until interrupted."""
    shop = pipeline.shop_name(config, inbox)
    nightly_today.serve(
        name=DEPLOYMENT,
        schedule=Cron(cron, timezone=config.timezone),
        parameters=deployment_parameters(inbox, out, state, config, overrides),
        tags=shop_tags(shop),
        description=f"logiwatch nightly worklists for {shop}",
    )
