"""Shared fixtures: the sample run, and an isolated Prefect home for flow tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from core.config import load_config
from tests.helpers import AS_OF, ROOT

# Prefect writes into PREFECT_HOME and phones home unless told not to
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory) -> Path:
    """The sample data run once without Prefect (shared by the end-to-end tests)."""
    from flows import pipeline

    out = tmp_path_factory.mktemp("sample_out")
    config = load_config(ROOT / "sample_data" / "logiwatch.toml")
    paths = pipeline.RunPaths(inbox=ROOT / "sample_data", out=out, state=out / "state.duckdb",
                              as_of=AS_OF)
    return pipeline.run_pipeline(paths, config)
