"""The rule registry: every rule is its query plus its metadata, and everything that names a
rule (configuration, labels, routing, worklists, the summary) comes from it."""

import csv
import re
import shutil
import subprocess
import sys

import pytest

from core.config import load_config
from core.db import params_used, sql_text
from core.errors import ConfigError
from core.labels import LABELS, SUBTYPE_LABELS, TYPE_LABELS
from core.registry import RULES, RULES_DIR, RegistryError, load_registry
from tests.helpers import ROOT

GLOBAL_PARAMS = {"as_of", "duplicate_window_days"}


@pytest.mark.parametrize("code", sorted(RULES))
def test_a_rule_binds_only_what_it_declares(code):
    rule = RULES[code]
    declared = {t.name for t in rule.thresholds} | GLOBAL_PARAMS
    assert params_used(sql_text(f"rules/{rule.name}")) <= declared


@pytest.mark.parametrize("code", sorted(RULES))
def test_every_rule_and_subtype_has_labels_and_handling(code):
    rule = RULES[code]
    assert TYPE_LABELS["zh"][code] == rule.label["zh"] and TYPE_LABELS["en"][code]
    assert LABELS[f"type.{code}"] == rule.label["zh"]
    for sub in rule.subtypes:
        assert SUBTYPE_LABELS["zh"][sub.code] and SUBTYPE_LABELS["en"][sub.code]
        handling = rule.handling_for(sub.code)
        for key in ("reason", "action", "script", "remark", "flag"):
            # the SQL looks up `<key>.<T>.<S>`, else `<key>.<T>`
            assert LABELS.get(f"{key}.{code}.{sub.code}", LABELS.get(f"{key}.{code}")) \
                == handling[key]


def test_a_sample_run_emits_only_declared_types_and_subtypes(sample_run):
    with (sample_run / "anomalies.csv").open(encoding="utf-8-sig") as fh:
        emitted = {(r["anomaly_type"], r["subtype"]) for r in csv.DictReader(fh)}
    declared = {(code, s.code) for code, rule in RULES.items() for s in rule.subtypes}
    assert emitted and emitted <= declared


def test_configuration_defaults_come_from_the_registry():
    config = load_config()
    for code, rule in RULES.items():
        assert getattr(config.routing, code) == rule.team
        assert getattr(config.priority.severity, code) == rule.severity
        for threshold in rule.thresholds:
            assert getattr(config.thresholds, threshold.name) == threshold.default


@pytest.mark.parametrize("overrides, key", [
    ({"thresholds": {"lost_parcel": 3}}, "thresholds.lost_parcel"),
    ({"routing": {"LOST_PARCEL": "售后"}}, "routing.LOST_PARCEL"),
    ({"priority": {"severity": {"LOST_PARCEL": 1}}}, "priority.severity.LOST_PARCEL"),
])
def test_configuration_naming_an_undeclared_rule_or_threshold_names_the_key(overrides, key):
    with pytest.raises(ConfigError, match=re.escape(f"unknown key {key!r}")):
        load_config(overrides=overrides)


@pytest.fixture
def rules_copy(tmp_path):
    folder = tmp_path / "rules"
    shutil.copytree(RULES_DIR, folder)
    return folder


def _twin(folder, name, code):
    """Copy rule `name` as `<name>_twin` with type `<code>_TWIN` (query and metadata)."""
    sql = (folder / f"{name}.sql").read_text(encoding="utf-8").replace(f"'{code}'",
                                                                       f"'{code}_TWIN'")
    meta = (folder / f"{name}.toml").read_text(encoding="utf-8").replace(
        f'type = "{code}"', f'type = "{code}_TWIN"')
    (folder / f"{name}_twin.sql").write_text(sql, encoding="utf-8")
    (folder / f"{name}_twin.toml").write_text(meta, encoding="utf-8")


def test_a_twin_rule_is_registered_from_its_files_alone(rules_copy):
    _twin(rules_copy, "stalled", "STALLED")
    rules = load_registry(rules_copy)
    assert set(rules) == set(RULES) | {"STALLED_TWIN"}
    assert rules["STALLED_TWIN"].name == "stalled_twin"


@pytest.mark.parametrize("edit, message", [
    (lambda f: (f / "unpicked.toml").unlink(), "rule 'unpicked' has no metadata (.toml)"),
    (lambda f: (f / "stalled.sql").unlink(), "rule 'stalled' has no query (.sql)"),
    (lambda f: [shutil.copy(f / f"stalled.{ext}", f / f"stalled_copy.{ext}")
                for ext in ("sql", "toml")],
     "stalled_copy.toml: type STALLED is declared by stalled.toml too"),
    (lambda f: _twin(f, "stalled", "STALLED") or _replace(f / "stalled_twin.toml",
                                                          "default = 24", "default = 12"),
     "stalled_twin.toml: threshold stalled_zone1 differs from stalled.toml"),
    (lambda f: _replace(f / "proxy_signed.toml", 'flag = "黄"\n', ""),
     "proxy_signed.toml: subtype SIGNED_PROXY has no flag"),
    (lambda f: _replace(f / "late_shipment.toml", 'en = "Late shipment"', 'fr = "Retard"'),
     "late_shipment.toml: label needs zh and en texts"),
    (lambda f: _replace(f / "unpicked.toml", "severity = 0.6", "severity = 6"),
     "unpicked.toml: severity must be a number from 0 to 1"),
])
def test_a_broken_registry_is_an_error_naming_the_file(rules_copy, edit, message):
    edit(rules_copy)
    with pytest.raises(RegistryError, match=re.escape(message)):
        load_registry(rules_copy)


def _replace(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_twin_rule_runs_end_to_end_with_its_label_team_and_worklist_rows(tmp_path):
    """What a contributor does: copy a rule's two files, rename the type, change nothing else."""
    import openpyxl

    repo = tmp_path / "repo"
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout.split()
    for name in files:
        if (ROOT / name).is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, repo / name)
    _twin(repo / "transforms/sql/rules", "delivery_exception", "DELIVERY_EXCEPTION")
    env = {"PYTHONPATH": str(repo), "PATH": "/usr/bin:/bin"}
    for lang in ("zh", "en"):
        result = subprocess.run(
            [sys.executable, "-m", "logiwatch.cli", "run", "--no-prefect", "--lang", lang,
             "--out", str(tmp_path / lang)], cwd=repo, env=env, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
    with (tmp_path / "zh/2026-11-20/anomalies.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    original = [r for r in rows if r["anomaly_type"] == "DELIVERY_EXCEPTION"]
    twin = [r for r in rows if r["anomaly_type"] == "DELIVERY_EXCEPTION_TWIN"]
    assert original and len(twin) == len(original)
    assert {r["team"] for r in twin} == {"售后"}
    assert all(r["reason"] and r["action"] for r in twin)
    assert {r["agent_id"] for r in twin} == {r["agent_id"] for r in original}
    listed = 0
    for path in (tmp_path / "zh/2026-11-20/worklists").glob("*.xlsx"):
        ws = openpyxl.load_workbook(path)["待办"]
        header = [c.value for c in ws[2]]  # row 1 is the title
        column = header.index("其他异常")
        listed += sum("派送异常" in (row[column] or "") for row in
                      ws.iter_rows(min_row=3, values_only=True))
    assert listed >= len(original)  # each order lists its twin beside the original
