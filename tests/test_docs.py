"""README documents every configuration key and every command (cf. sqlite-utils test_docs)."""

import pytest
from click.testing import CliRunner

from logiwatch.cli import main
from logiwatch.config import DEFAULTS
from tests.helpers import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _keys(table, prefix=""):
    for key, value in table.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and key not in ("zones", "carriers", "routing", "severity"):
            yield from _keys(value, f"{path}.")
        else:
            yield path


@pytest.mark.parametrize("key", sorted(_keys(DEFAULTS)))
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
