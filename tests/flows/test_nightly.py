"""The Prefect flows on the ephemeral server: same outputs as the plain pipeline."""

import datetime as dt

import pytest

from logiwatch.config import load_config
from tests.helpers import AS_OF, ROOT


@pytest.fixture(scope="session")
def prefect(tmp_path_factory):
    import os

    os.environ["PREFECT_HOME"] = str(tmp_path_factory.mktemp("prefect_home"))
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=90):
        yield


def test_nightly_flow_matches_the_plain_pipeline(prefect, sample_run, tmp_path):
    from flows.nightly import nightly

    config = load_config(ROOT / "sample_data" / "logiwatch.toml")
    folder = nightly(as_of=AS_OF, inbox=ROOT / "sample_data", out=tmp_path,
                     state=tmp_path / "state.duckdb", config=config)
    assert (tmp_path / "2026-11-20").samefile(folder)
    ours = (tmp_path / "2026-11-20" / "anomalies.csv").read_text(encoding="utf-8-sig")
    plain = (sample_run / "anomalies.csv").read_text(encoding="utf-8-sig")
    assert ours == plain


def test_backfill_runs_every_date_oldest_first(prefect, tmp_path):
    from flows.nightly import backfill

    config = load_config(ROOT / "sample_data" / "logiwatch.toml")
    folders = backfill(start=dt.date(2026, 11, 19), end=dt.date(2026, 11, 20),
                       inbox=ROOT / "sample_data", out=tmp_path, state=tmp_path / "state.duckdb",
                       config=config)
    assert [p.rsplit("/", 1)[-1] for p in folders] == ["2026-11-19", "2026-11-20"]
    # a problem seen on the 19th keeps its first_seen on the 20th
    import csv

    def first_seen(day):
        with (tmp_path / day / "anomalies.csv").open(encoding="utf-8-sig") as fh:
            return {r["anomaly_key"]: r["first_seen"] for r in csv.DictReader(fh)}

    earlier, later = first_seen("2026-11-19"), first_seen("2026-11-20")
    carried = set(earlier) & set(later)
    assert carried
    assert all(later[k] == "2026-11-19 08:00:00" for k in carried)
