"""README documents every configuration key and every command (cf. sqlite-utils test_docs)."""

import pytest
from click.testing import CliRunner

from logiwatch.cli import main
from core.config import defaults
from tests.helpers import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _keys(table, prefix=""):
    for key, value in table.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and key not in ("zones", "carriers", "routing", "severity"):
            yield from _keys(value, f"{path}.")
        else:
            yield path


@pytest.mark.parametrize("key", sorted(_keys(defaults())))
def test_every_config_key_is_in_the_reference(key):
    assert f"`{key}" in README, key


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_is_documented_and_has_help(command):
    assert f"logiwatch {command}" in README
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0 and "Example:" in result.output


def test_readme_starts_with_make_run_and_make_test():
    head = README.split("\n\n", 2)[1]
    assert "make run" in head and "make test" in head


def test_nothing_in_the_repository_points_outside_it():
    """Users and CI have only the clone: no relative path climbs out of it, and every
    document a file names (`*.md`) is in it."""
    import re
    import subprocess

    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.split()
    found = []
    for name in tracked:
        path = ROOT / name
        if path.suffix not in (".py", ".md", ".sql", ".toml", ".txt", ".cfg", "") or \
                not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for ref in re.findall(r"(?:\.\./)+[\w.-]+", text):
            if not (path.parent / ref).resolve().is_relative_to(ROOT):
                found.append((name, ref))
        for doc in set(re.findall(r"[\w./-]*\w\.md\b", text)):
            if not any((base / doc).is_file() for base in (path.parent, ROOT)):
                found.append((name, doc))
    assert found == []


def test_the_rules_table_and_thresholds_match_the_registry():
    from core.registry import RULES, thresholds

    table = README.split("## Rules", 1)[1].split("**Adding a rule", 1)[0]
    rows = {line.split("|")[1].strip(): line for line in table.splitlines()
            if line.startswith("| ") and not line.startswith("| type")}
    assert set(rows) == {f"{code} {rule.label['zh']}" for code, rule in RULES.items()}
    for code, rule in RULES.items():
        row = rows[f"{code} {rule.label['zh']}"]
        assert row.split("|")[3].strip() == ", ".join(s.code for s in rule.subtypes), code
    for name, threshold in thresholds().items():
        assert f"| `thresholds.{name}` | `{threshold.default:g}` |" in README, name
