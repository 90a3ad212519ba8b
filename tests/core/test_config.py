"""Configuration: defaults, merging, and a message naming the key for every bad value."""

import datetime as dt
import re

import duckdb
import pytest

from core.config import defaults, load_config
from core.errors import ConfigError
from transforms.reference import create_reference_tables


def _load(tmp_path, text):
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def test_defaults_are_the_spec_values():
    t = load_config().thresholds
    assert (t.unpicked, t.unpicked_promo, t.stalled_zone1, t.stalled_zone2, t.stalled_zone3,
            t.ship_sla, t.locker_uncollected, t.proxy_signed_window,
            t.recontact_after) == (24, 72, 24, 48, 48, 48, 48, 24, 24)
    assert load_config().as_of_for_date(dt.date(2026, 11, 20)) == dt.datetime(2026, 11, 20, 8)
    assert defaults()["duplicate_window_days"] == 90


def test_a_file_overrides_only_what_it_names(tmp_path):
    config = _load(tmp_path, "[thresholds]\nunpicked = 12\n")
    assert config.thresholds.unpicked == 12.0 and config.thresholds.ship_sla == 48.0


@pytest.mark.parametrize("text, message", [
    ("[thresholds]\nunpickd = 1\n", "unknown key 'thresholds.unpickd'"),
    ("[thresholds]\nunpicked = \"24h\"\n", "thresholds.unpicked: Input should be a valid number"),
    ("[thresholds]\nship_sla = -1\n", "thresholds.ship_sla: Input should be greater than or equal to 0"),
    ("timezone = \"Mars/Olympus\"\n", "timezone: unknown time zone 'Mars/Olympus'"),
    ("day_cutoff = \"8 o'clock\"\n", "day_cutoff: must be a time like 08:00, got \"8 o'clock\""),
    ("[[promotions]]\nstart = \"2026-11-12\"\nend = \"2026-11-10\"\n",
     "promotions[0]: end must be after start"),
    ("[[promotions]]\nstart = \"2026-11-12\"\n", "promotions[0].end: missing"),
    ("[routing]\nLOST = \"售后\"\n", "unknown key 'routing.LOST'"),
    ("[priority.severity]\nLOST = 1\n", "unknown key 'priority.severity.LOST'"),
    ("[worklist]\nlang = \"fr\"\n", "worklist.lang: Input should be 'zh' or 'en', got 'fr'"),
    ("[inputs]\nerp_profile = \"kuaimai\"\n", "inputs.erp_profile: Input should be 'auto'"),
    ("[zones.\"杭州仓\"]\nzone2 = [\"浙江\"]\n", "unknown key 'zones.杭州仓.zone2'"),
    ("[zones.\"杭州仓\"]\nzone1 = [\"浙江\", \"海南\"]\nzone3 = [\"海南\"]\n",
     "zones.杭州仓: 海南 in both zone1 and zone3"),
    ("[carriers.zhongtong]\nprefix = \"7\"\n", "unknown key 'carriers.zhongtong.prefix'"),
    ("thresholds = 3\n", "thresholds: Input should be a valid dictionary"),
    ("[thresholds]\nlost_parcel = 3\n", "unknown key 'thresholds.lost_parcel'"),
    ("[alerts]\nblock = \"ops\"\n", "alerts.block: must name a Prefect block as <block-type>/<name>"),
    ("source = \"x\"\n", "unknown key 'source'"),
    ("not toml at all [", "not valid TOML"),
])
def test_bad_values_name_their_key(tmp_path, text, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        _load(tmp_path, text)


def test_missing_file():
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(__import__("pathlib").Path("/nonexistent/logiwatch.toml"))


def test_bad_carrier_pattern_is_a_config_error():
    config = load_config(overrides={"carriers": {"zhongtong": {"patterns": ["7[0-9"]}}})
    con = duckdb.connect()
    try:
        with pytest.raises(ConfigError, match="carriers: a pattern is not a valid regular"):
            create_reference_tables(con, config)
    finally:
        con.close()


def test_fingerprint_changes_with_the_configuration():
    assert load_config().fingerprint() == load_config().fingerprint()
    assert load_config().fingerprint() != load_config(
        overrides={"thresholds": {"unpicked": 30}}).fingerprint()
