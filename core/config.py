"""Configuration: typed pydantic models, built-in defaults, one TOML file over them.

This is the one place that knows every configuration key. Rule thresholds, routing and
severities are not listed here: each rule declares them in its metadata
(`transforms/sql/rules/<name>.toml`), and the models below are built from the registry, so a
key no rule declares is an error naming the key. README "Configuration reference" lists every
key (a test checks it). The configuration is loaded once and passed whole (it serialises to
JSON) to the flows and stages.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tomllib
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (BaseModel, ConfigDict, Field, ValidationError, create_model,
                      field_validator, model_validator)

from core.errors import ConfigError
from core.registry import RULES, thresholds as rule_thresholds

ZONE1_ZHEJIANG = ["浙江", "江苏", "上海", "安徽"]
ZONE3_FAR = ["新疆", "西藏", "青海", "甘肃", "宁夏", "内蒙古", "海南"]
ERP_PROFILES = ("auto", "jushuitan", "wangdiantong", "generic")


class Section(BaseModel):
    """A configuration table: unknown keys are errors, values are checked when set."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _time(value: str) -> dt.time:
    try:
        return dt.time.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError("must be a time like 08:00") from None


# thresholds: what the rules declare, plus the follow-up interval of handed-back work
Thresholds = create_model(
    "Thresholds", __base__=Section,
    recontact_after=(float, Field(24.0, ge=0, description=(
        "hours after an agent's contact before the problem is shown again"))),
    reopen_after=(float, Field(48.0, ge=0, description=(
        "hours after an agent resolved a problem before it reopens if the rule still fires"))),
    **{t.name: (float, Field(t.default, ge=0, description=t.doc))
       for t in rule_thresholds().values()})
Routing = create_model("Routing", __base__=Section,
                       **{code: (str, rule.team) for code, rule in RULES.items()})
Severity = create_model("Severity", __base__=Section,
                        **{code: (float, Field(rule.severity, ge=0, le=1))
                           for code, rule in RULES.items()})


class Promotion(Section):
    """A big promotion (大促): pickups are slower inside it."""

    name: str = ""
    start: dt.datetime
    end: dt.datetime

    @field_validator("start", "end")
    @classmethod
    def _local(cls, value: dt.datetime) -> dt.datetime:
        return value.replace(tzinfo=None)  # every time in the exports is local time

    @model_validator(mode="after")
    def _ordered(self) -> Promotion:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self


class ZoneTable(Section):
    """Zones of one shipping warehouse: zone 2 is every province not listed."""

    province: str = ""
    zone1: list[str] = []
    zone3: list[str] = []

    @field_validator("zone1", "zone3")
    @classmethod
    def _once(cls, provinces: list[str]) -> list[str]:
        return list(dict.fromkeys(provinces))  # a province listed twice is listed once

    @model_validator(mode="after")
    def _one_zone_each(self) -> ZoneTable:
        both = [p for p in self.zone1 if p in self.zone3]
        if both:
            raise ValueError(f"{'、'.join(both)} in both zone1 and zone3")
        return self


class Carrier(Section):
    """Aliases and number patterns added to a built-in carrier, or a new carrier."""

    name: str = ""
    aliases: list[str] = []
    patterns: list[str] = []


class Inputs(Section):
    """Where the exports are and how they are read."""

    orders: str = "orders*"
    inventory: str = "inventory*"
    tracking: str = "tracking*"
    agents: str = "agents.csv"
    feedback: str = "feedback/*.xlsx"
    erp_profile: Literal[ERP_PROFILES] = "auto"
    sheet: str = ""
    wait_until: str = ""
    wait_poll_seconds: float = Field(60.0, ge=0)
    read_retries: int = Field(2, ge=0)
    read_retry_delay_seconds: float = Field(30.0, ge=0)

    @field_validator("wait_until")
    @classmethod
    def _a_time(cls, value: str) -> str:
        if value:
            _time(value)
        return value


class Priority(Section):
    """The score's weights and caps, and the tier cut-offs."""

    weight_severity: float = Field(40.0, ge=0)
    weight_overdue: float = Field(30.0, ge=0)
    weight_amount: float = Field(15.0, ge=0)
    weight_days_open: float = Field(15.0, ge=0)
    weight_repeat: float = Field(10.0, ge=0)
    amount_cap: float = Field(500.0, gt=0)
    days_open_cap: float = Field(7.0, gt=0)
    p1_min_score: float = Field(65.0, ge=0)
    p2_min_score: float = Field(40.0, ge=0)
    severity: Severity = Severity()


class Worklist(Section):
    """The agents' workbooks."""

    lang: Literal["zh", "en"] = "zh"
    # what a team can work from one list (six agents at 30 orders a day: about a week); the
    # rest is in anomalies.csv and the summary's backlog. Each row costs about a millisecond
    # to write (a 5,000-row list took 4.7 s of a million-order run)
    unassigned_max_rows: int = Field(1000, ge=0)


class Engine(Section):
    """DuckDB's resources, set on purpose: threads (0: one per core) and a memory limit past
    which it spills to disk in the run's work folder. The default 3 GB keeps a run of a
    million orders under 4 GB in all ("" : DuckDB's own default, 80 % of the machine)."""

    threads: int = Field(0, ge=0)
    memory_limit: str = "3GB"


class StateFile(Section):
    """The state file kept between runs."""

    backups: int = Field(3, ge=0)


class Limits(Section):
    """Limits that protect the machine: a value over one is a reject with its reason."""

    max_cell_chars: int = Field(32767, ge=1)  # Excel holds no longer text in a cell
    max_line_bytes: int = Field(64 * 1024 * 1024, ge=1024)


class Alerts(Section):
    """Where a failed run is reported besides its log."""

    block: str = ""

    @field_validator("block")
    @classmethod
    def _block_slug(cls, value: str) -> str:
        if value and "/" not in value:
            raise ValueError("must name a Prefect block as <block-type>/<name>, "
                             f"got {value!r}")
        return value


class Config(Section):
    """The validated configuration of a run (everything but `source` is in its hash)."""

    shop: str = ""
    timezone: str = "Asia/Shanghai"
    day_cutoff: str = "08:00"
    duplicate_window_days: int = Field(90, ge=0)
    metrics_window_days: int = Field(30, ge=1)
    thresholds: Thresholds = Thresholds()
    promotions: list[Promotion] = []
    zones: dict[str, ZoneTable] = {
        "default": ZoneTable(province="浙江", zone1=ZONE1_ZHEJIANG, zone3=ZONE3_FAR)}
    inputs: Inputs = Inputs()
    carriers: dict[str, Carrier] = {}
    routing: Routing = Routing()
    priority: Priority = Priority()
    worklist: Worklist = Worklist()
    alerts: Alerts = Alerts()
    state: StateFile = StateFile()
    engine: Engine = Engine()
    limits: Limits = Limits()
    source: str = "built-in defaults"

    @field_validator("promotions", mode="before")
    @classmethod
    def _named(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [{"name": f"promotion {i + 1}", **p} if isinstance(p, dict) else p
                    for i, p in enumerate(value)]
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @field_validator("day_cutoff")
    @classmethod
    def _cutoff_time(cls, value: str) -> str:
        _time(value)
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def cutoff_time(self) -> dt.time:
        return dt.time.fromisoformat(self.day_cutoff)

    def as_of_for_date(self, day: dt.date) -> dt.datetime:
        """The data cut-off of a run "for date D": D at `day_cutoff`, local time."""
        return dt.datetime.combine(day, self.cutoff_time)

    def wait_deadline(self, day: dt.date) -> dt.datetime | None:
        """Until when a run for `day` waits for a late export (aware, configured timezone)."""
        if not self.inputs.wait_until:
            return None
        return dt.datetime.combine(day, dt.time.fromisoformat(self.inputs.wait_until),
                                   tzinfo=self.tz)

    def threshold_hours(self) -> dict[str, float]:
        """Every threshold by name, as the rules bind them."""
        return self.thresholds.model_dump()

    def fingerprint(self) -> str:
        """A stable hash of the effective configuration (for the manifest)."""
        blob = json.dumps(self.model_dump(mode="json", exclude={"source"}), sort_keys=True,
                          ensure_ascii=False)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


def defaults() -> dict[str, Any]:
    """Every key with its built-in default, as plain data (the reference for the README)."""
    return Config().model_dump(mode="json", exclude={"source"})


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Tables merge key by key (a user's warehouse zone table joins `default`); every other
    value replaces what it is over."""
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _message(error: dict) -> str:
    key = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error["loc"]).lstrip(".")
    if error["type"] == "extra_forbidden":
        return f"unknown key {key!r}"
    if error["type"] == "missing":
        return f"{key}: missing"
    text = error["msg"].removeprefix("Value error, ")
    value = error.get("input")
    shown = "" if isinstance(value, (dict, list)) or value is None or repr(value) in text \
        else f", got {value!r}"
    return f"{key}: {text}{shown}"


def load_config(path: Path | None = None, overrides: dict[str, Any] | None = None) -> Config:
    """Built-in defaults, the TOML file at `path` over them, then `overrides`; the first bad
    key stops with a ConfigError naming it."""
    data: dict[str, Any] = {}
    source = "built-in defaults"
    if path is not None:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{path}: config file not found") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML ({exc})") from None
        source = str(path)
    if "source" in data:
        raise ConfigError("unknown key 'source'")
    data = _merge(defaults(), _merge(data, overrides or {}))
    try:
        return Config.model_validate({**data, "source": source})
    except ValidationError as exc:
        raise ConfigError(_message(exc.errors()[0])) from None
