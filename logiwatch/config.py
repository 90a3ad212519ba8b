"""Configuration: built-in defaults, an optional TOML file over them, validated at start.

This is the one place that knows every configuration key. `DEFAULTS` is the reference
(README "Configuration reference" lists the same keys); `load_config` merges a user file
over it and rejects unknown keys and wrong types with a message naming the key.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from logiwatch.errors import ConfigError

ZONE1_ZHEJIANG = ["浙江", "江苏", "上海", "安徽"]
ZONE3_FAR = ["新疆", "西藏", "青海", "甘肃", "宁夏", "内蒙古", "海南"]

DEFAULTS: dict[str, Any] = {
    # names flow runs, tags and alerts; empty: the inbox folder's name
    "shop": "",
    "timezone": "Asia/Shanghai",
    "day_cutoff": "08:00",
    "duplicate_window_days": 90,
    "thresholds": {
        "unpicked": 24.0,
        "unpicked_promo": 72.0,
        "stalled_zone1": 24.0,
        "stalled_zone2": 48.0,
        "stalled_zone3": 48.0,
        "ship_sla": 48.0,
        "locker_uncollected": 48.0,
        "proxy_signed_window": 24.0,
        "recontact_after": 24.0,
    },
    # [[promotions]] name = "双11", start = "2026-11-01 00:00", end = "2026-11-12 23:59"
    "promotions": [],
    # zone table per shipping warehouse; "default" applies to warehouses not listed
    "zones": {
        "default": {"province": "浙江", "zone1": ZONE1_ZHEJIANG, "zone3": ZONE3_FAR},
    },
    "inputs": {
        "orders": "orders*",
        "inventory": "inventory*",
        "tracking": "tracking*",
        "agents": "agents.csv",
        "feedback": "feedback/*.xlsx",
        "erp_profile": "auto",
        "sheet": "",
        # a late orders export: poll until this local time on the run's date ("" = no wait)
        "wait_until": "",
        "wait_poll_seconds": 60.0,
        # transient I/O errors while reading (a file still being copied) are retried
        "read_retries": 2,
        "read_retry_delay_seconds": 30.0,
    },
    # [carriers.<kuaidi100 code>] aliases = [...], patterns = [...]: merged over the built-in registry
    "carriers": {},
    "routing": {
        "UNPICKED": "售中",
        "STALLED": "售中",
        "WRONG_TRACKING_NO": "售中",
        "OUT_OF_STOCK": "售中",
        "LATE_SHIPMENT": "售中",
        "DELIVERY_EXCEPTION": "售后",
        "PROXY_SIGNED": "售后",
    },
    "priority": {
        "weight_severity": 40.0,
        "weight_overdue": 30.0,
        "weight_amount": 15.0,
        "weight_days_open": 15.0,
        "weight_repeat": 10.0,
        "amount_cap": 500.0,
        "days_open_cap": 7.0,
        "p1_min_score": 65.0,
        "p2_min_score": 40.0,
        "severity": {
            "UNPICKED": 0.6,
            "STALLED": 0.6,
            "WRONG_TRACKING_NO": 0.8,
            "OUT_OF_STOCK": 0.9,
            "LATE_SHIPMENT": 0.7,
            "DELIVERY_EXCEPTION": 1.0,
            "PROXY_SIGNED": 0.3,
        },
    },
    "worklist": {
        "lang": "zh",
        "unassigned_max_rows": 5000,
    },
    # a Prefect notification block ("slack-webhook/ops") told when a run fails ("" = none)
    "alerts": {
        "block": "",
    },
}

# sections whose keys are chosen by the user (warehouse names, carrier codes, anomaly types)
_OPEN_SECTIONS = {"zones", "carriers"}


@dataclass(frozen=True)
class Config:
    """Validated configuration; `data` is the merged dictionary, the rest are conveniences."""

    data: dict[str, Any]
    source: str

    @property
    def thresholds(self) -> dict[str, float]:
        return self.data["thresholds"]

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.data["timezone"])

    @property
    def day_cutoff(self) -> dt.time:
        return _parse_time(self.data["day_cutoff"], "day_cutoff")

    def wait_deadline(self, day: dt.date) -> dt.datetime | None:
        """Until when a run for `day` waits for a late export (aware, configured timezone)."""
        if not self.data["inputs"]["wait_until"]:
            return None
        until = _parse_time(self.data["inputs"]["wait_until"], "inputs.wait_until")
        return dt.datetime.combine(day, until, tzinfo=self.tz)

    def as_of_for_date(self, day: dt.date) -> dt.datetime:
        """The data cut-off of a run "for date D": D at `day_cutoff`, local time."""
        return dt.datetime.combine(day, self.day_cutoff)

    def fingerprint(self) -> str:
        """A stable hash of the effective configuration (for the manifest)."""
        blob = json.dumps(self.data, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _parse_time(value: str, key: str) -> dt.time:
    try:
        return dt.time.fromisoformat(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{key} must be a time like 08:00, got {value!r}") from None


def _parse_datetime(value: Any, key: str) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    try:
        return dt.datetime.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(f"{key} must be a date-time like 2026-11-01 00:00, got {value!r}") from None


def _merge(default: Any, user: Any, key: str) -> Any:
    """Merge `user` over `default`, checking keys and types against the defaults."""
    if isinstance(default, dict):
        if not isinstance(user, dict):
            raise ConfigError(f"{key} must be a table, got {user!r}")
        merged = copy.deepcopy(default)
        open_section = key.split(".")[-1] in _OPEN_SECTIONS
        for name, value in user.items():
            path = f"{key}.{name}" if key else name
            if name in default:
                merged[name] = _merge(default[name], value, path)
            elif open_section:
                merged[name] = value
            else:
                raise ConfigError(f"unknown key {path!r}")
        return merged
    if isinstance(default, bool) or isinstance(user, bool):
        if type(default) is not type(user):
            raise ConfigError(f"{key} must be true or false, got {user!r}")
        return user
    if isinstance(default, (int, float)):
        if not isinstance(user, (int, float)):
            raise ConfigError(f"{key} must be a number, got {user!r}")
        if user < 0:
            raise ConfigError(f"{key} must not be negative, got {user!r}")
        return type(default)(user)
    if isinstance(default, str):
        if not isinstance(user, str):
            raise ConfigError(f"{key} must be text, got {user!r}")
        return user
    if isinstance(default, list):
        if not isinstance(user, list):
            raise ConfigError(f"{key} must be a list, got {user!r}")
        return user
    return user


def _check(data: dict[str, Any]) -> None:
    """Semantic checks that types alone do not catch."""
    try:
        ZoneInfo(data["timezone"])
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"timezone: unknown time zone {data['timezone']!r}") from None
    _parse_time(data["day_cutoff"], "day_cutoff")
    if data["inputs"]["wait_until"]:
        _parse_time(data["inputs"]["wait_until"], "inputs.wait_until")
    if data["alerts"]["block"] and "/" not in data["alerts"]["block"]:
        raise ConfigError("alerts.block must name a Prefect block as <block-type>/<name>, "
                          f"got {data['alerts']['block']!r}")
    for i, promo in enumerate(data["promotions"]):
        key = f"promotions[{i}]"
        if not isinstance(promo, dict) or not {"start", "end"} <= promo.keys():
            raise ConfigError(f"{key} needs start and end")
        start = _parse_datetime(promo["start"], f"{key}.start")
        end = _parse_datetime(promo["end"], f"{key}.end")
        if end <= start:
            raise ConfigError(f"{key}: end must be after start")
        promo["start"], promo["end"] = start, end
        promo.setdefault("name", f"promotion {i + 1}")
    for warehouse, table in data["zones"].items():
        key = f"zones.{warehouse}"
        if not isinstance(table, dict) or set(table) - {"province", "zone1", "zone3"}:
            raise ConfigError(f"{key} takes province, zone1 and zone3")
        for zone in ("zone1", "zone3"):
            if not isinstance(table.get(zone, []), list):
                raise ConfigError(f"{key}.{zone} must be a list of provinces")
    if data["worklist"]["lang"] not in ("zh", "en"):
        raise ConfigError("worklist.lang must be zh or en")
    if data["inputs"]["erp_profile"] not in ("auto", "jushuitan", "wangdiantong", "generic"):
        raise ConfigError("inputs.erp_profile must be auto, jushuitan, wangdiantong or generic")
    for code, carrier in data["carriers"].items():
        if not isinstance(carrier, dict) or set(carrier) - {"name", "aliases", "patterns"}:
            raise ConfigError(f"carriers.{code} takes name, aliases and patterns")


def load_config(path: Path | None = None, overrides: dict[str, Any] | None = None) -> Config:
    """Built-in defaults, merged with the TOML file at `path` and then `overrides`."""
    user: dict[str, Any] = {}
    source = "built-in defaults"
    if path is not None:
        try:
            user = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{path}: config file not found") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML ({exc})") from None
        source = str(path)
    data = _merge(DEFAULTS, user, "")
    if overrides:
        data = _merge(data, overrides, "")
    _check(data)
    return Config(data=data, source=source)
