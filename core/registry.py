"""The rule registry: every rule's metadata, read from `transforms/sql/rules/<name>.toml`.

A rule is two files named after it: `<name>.sql` (the query, returning the common rule
columns) and `<name>.toml` (its type code, labels in Chinese and English, subtypes with their
labels, severity, default team, the thresholds it reads with their defaults, and per subtype
the reason template, action, customer script, remark template and flag). Configuration
defaults, routing, the label catalog, the summary's sheets, the README's rules table and the
tests' expectations all come from here, so adding a rule is adding its files and its tests.

This module is data only: it reads TOML files and imports nothing else of the project.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

RULES_DIR = Path(__file__).resolve().parent.parent / "transforms" / "sql" / "rules"
# what an agent reads, per subtype; reason and action also in English (`--lang en`); the
# customer script and the ERP remark are written for Chinese customers and the ERP
HANDLING_KEYS = ("reason", "action", "script", "remark", "flag", "reason_en", "action_en")
LANGS = ("zh", "en")


class RegistryError(Exception):
    """A rule's metadata file is missing, malformed or contradicts another rule's."""


@dataclass(frozen=True)
class Threshold:
    """A threshold a rule binds as `$name` (hours unless the doc says otherwise)."""

    name: str
    default: float
    doc: str


@dataclass(frozen=True)
class Subtype:
    """A subtype: its labels, and what differs from the rule's handling for it."""

    code: str
    label: dict[str, str]
    handling: dict[str, str]


@dataclass(frozen=True)
class Rule:
    """One rule's metadata (`<name>.toml`) beside its query (`<name>.sql`)."""

    name: str
    type: str
    label: dict[str, str]
    severity: float
    team: str
    thresholds: tuple[Threshold, ...]
    handling: dict[str, str]
    subtypes: tuple[Subtype, ...]
    texts: dict[str, str] = field(default_factory=dict)
    explains: tuple[str, ...] = ()

    def handling_for(self, subtype: str) -> dict[str, str]:
        """Reason template, action, script, remark and flag for a subtype (the subtype's own
        text where it has one, else the rule's)."""
        own = next((s.handling for s in self.subtypes if s.code == subtype), {})
        return {**self.handling, **own}


def _labels(value, where: str) -> dict[str, str]:
    if not isinstance(value, dict) or set(value) != set(LANGS) or \
            not all(isinstance(v, str) and v for v in value.values()):
        raise RegistryError(f"{where}: label needs zh and en texts")
    return dict(value)


def _handling(table: dict, where: str) -> dict[str, str]:
    texts = {k: table[k] for k in HANDLING_KEYS if k in table}
    for key, text in texts.items():
        if not isinstance(text, str):
            raise RegistryError(f"{where}.{key}: must be text")
    return texts


def load_rule(path: Path) -> Rule:
    """One rule's metadata from its TOML file, checked."""
    where = path.name
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(f"{where}: not valid TOML ({exc})") from None
    unknown = set(data) - {"type", "severity", "team", "label", "thresholds", "handling",
                           "subtypes", "texts", "explains"}
    if unknown:
        raise RegistryError(f"{where}: unknown key {sorted(unknown)[0]!r}")
    for key in ("type", "severity", "team", "label", "subtypes"):
        if key not in data:
            raise RegistryError(f"{where}: missing {key!r}")
    if not isinstance(data["severity"], (int, float)) or not 0 <= data["severity"] <= 1:
        raise RegistryError(f"{where}: severity must be a number from 0 to 1")
    thresholds = []
    for name, spec in data.get("thresholds", {}).items():
        if not isinstance(spec, dict) or not isinstance(spec.get("default"), (int, float)):
            raise RegistryError(f"{where}: thresholds.{name} needs a numeric default")
        thresholds.append(Threshold(name, float(spec["default"]), str(spec.get("doc", ""))))
    subtypes = tuple(
        Subtype(code, _labels(spec.get("label"), f"{where}: subtypes.{code}"),
                _handling(spec, f"{where}: subtypes.{code}"))
        for code, spec in data["subtypes"].items())
    if not subtypes:
        raise RegistryError(f"{where}: a rule needs at least one subtype")
    handling = _handling(data.get("handling", {}), f"{where}: handling")
    rule = Rule(name=path.stem, type=str(data["type"]), label=_labels(data["label"], where),
                severity=float(data["severity"]), team=str(data["team"]),
                thresholds=tuple(thresholds), handling=handling, subtypes=subtypes,
                texts={str(k): str(v) for k, v in data.get("texts", {}).items()},
                explains=tuple(str(t) for t in data.get("explains", ())))
    for sub in subtypes:
        missing = [k for k in HANDLING_KEYS if k not in rule.handling_for(sub.code)]
        if missing:
            raise RegistryError(f"{where}: subtype {sub.code} has no {missing[0]} (give it in "
                                "[handling] or in the subtype)")
    return rule


def load_registry(folder: Path = RULES_DIR) -> dict[str, Rule]:
    """Every rule of the folder by type code, in file-name order; a query without metadata,
    metadata without a query, or two rules disagreeing on a shared name is an error."""
    queries = {p.stem for p in folder.glob("*.sql")}
    metas = {p.stem for p in folder.glob("*.toml")}
    if queries != metas:
        odd = sorted(queries ^ metas)[0]
        kind = "metadata (.toml)" if odd in queries else "query (.sql)"
        raise RegistryError(f"rule {odd!r} has no {kind} in {folder}")
    rules: dict[str, Rule] = {}
    for path in sorted(folder.glob("*.toml")):
        rule = load_rule(path)
        if rule.type in rules:
            raise RegistryError(f"{path.name}: type {rule.type} is declared by "
                                f"{rules[rule.type].name}.toml too")
        rules[rule.type] = rule
    _check_shared(rules.values())
    return rules


def _check_shared(rules) -> None:
    """Names several rules may share (thresholds, subtype codes, texts) must agree."""
    seen: dict[str, tuple[str, object]] = {}
    for rule in rules:
        shared = [(f"threshold {t.name}", t.default) for t in rule.thresholds]
        shared += [(f"subtype {s.code}", tuple(sorted(s.label.items()))) for s in rule.subtypes]
        shared += [(f"text {k}", v) for k, v in rule.texts.items()]
        for name, value in shared:
            if name in seen and seen[name][1] != value:
                raise RegistryError(f"{rule.name}.toml: {name} differs from "
                                    f"{seen[name][0]}.toml")
            seen.setdefault(name, (rule.name, value))


RULES: dict[str, Rule] = load_registry()


def thresholds() -> dict[str, Threshold]:
    """Every threshold some rule declares, by name."""
    return {t.name: t for rule in RULES.values() for t in rule.thresholds}
