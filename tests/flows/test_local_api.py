"""Prefect's temporary server: a new Prefect home starts from a database migrated once."""

import shutil
import sqlite3
import subprocess
import sys

import pytest

from flows.local_api import (PREFECT_DB, SKIP_BLOCK_REGISTRATION, LocalPrefectAPI,
                             blocks_registered, build_template, seed_prefect_home)
from logiwatch import cli

MEMO = "memo_store.toml"  # where Prefect's server notes that it registered the block types


@pytest.fixture(scope="module")
def built_template(tmp_path_factory):
    """A template as `make`'s set-up builds it (python -m flows.local_api)."""
    template = tmp_path_factory.mktemp("built") / "template"
    build_template(template)
    return template


def _serve(home, env=None):
    """Start a server on `home`, wait until it answers, stop it."""
    api = LocalPrefectAPI(env={"PREFECT_HOME": str(home), **(env or {})})
    api.start()
    try:
        api.wait()
        assert api.ready
    finally:
        api.stop()


def _template(tmp_path, content=b"migrated"):
    template = tmp_path / "template"
    template.mkdir()
    (template / PREFECT_DB).write_bytes(content)
    return template


def test_a_new_prefect_home_gets_a_copy_of_the_template(tmp_path):
    home = tmp_path / "home"
    assert seed_prefect_home(home, _template(tmp_path))
    assert (home / PREFECT_DB).read_bytes() == b"migrated"
    assert [p.name for p in home.iterdir()] == [PREFECT_DB]  # no copy left half-way


def test_a_home_with_a_database_keeps_it(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / PREFECT_DB).write_bytes(b"runs of earlier nights")
    assert not seed_prefect_home(home, _template(tmp_path))
    assert (home / PREFECT_DB).read_bytes() == b"runs of earlier nights"


def test_without_a_template_nothing_is_copied(tmp_path):
    home = tmp_path / "home"
    assert not seed_prefect_home(home, tmp_path / "no-template")
    assert not home.exists()


def test_the_command_seeds_its_prefect_home_unless_a_database_url_is_set(tmp_path, monkeypatch):
    template = _template(tmp_path)
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("PREFECT_API_DATABASE_CONNECTION_URL", raising=False)
    monkeypatch.setenv("PREFECT_SERVER_DATABASE_CONNECTION_URL", "postgresql+asyncpg://db/prefect")
    assert not cli.seed_new_prefect_home(template)
    monkeypatch.delenv("PREFECT_SERVER_DATABASE_CONNECTION_URL")
    assert cli.seed_new_prefect_home(template)
    assert (tmp_path / "home" / PREFECT_DB).read_bytes() == b"migrated"


def test_a_home_the_command_cannot_write_to_is_left_to_prefect(tmp_path, monkeypatch):
    not_a_folder = tmp_path / "home"
    not_a_folder.write_text("a file where the home should be", encoding="utf-8")
    monkeypatch.setenv("PREFECT_HOME", str(not_a_folder))
    monkeypatch.delenv("PREFECT_API_DATABASE_CONNECTION_URL", raising=False)
    monkeypatch.delenv("PREFECT_SERVER_DATABASE_CONNECTION_URL", raising=False)
    assert not cli.seed_new_prefect_home(_template(tmp_path))


def test_the_template_is_a_migrated_database_a_server_starts_from(tmp_path, built_template):
    """`make`'s set-up (python -m flows.local_api): one file, Prefect's tables and its
    migration stamp in it (no write-ahead log left beside it); a server on a home seeded
    from it answers, and keeps the stamp (nothing to migrate)."""
    template = built_template
    assert [p.name for p in template.iterdir()] == [PREFECT_DB]
    with sqlite3.connect(template / PREFECT_DB) as db:
        tables = {t for (t,) in db.execute("select name from sqlite_master where type='table'")}
        (stamp,) = db.execute("select version_num from alembic_version").fetchone()
    assert {"flow_run", "task_run", "log", "alembic_version"} <= tables
    home = tmp_path / "home"
    assert seed_prefect_home(home, template)
    _serve(home)
    with sqlite3.connect(home / PREFECT_DB) as db:
        assert db.execute("select version_num from alembic_version").fetchone() == (stamp,)


def test_a_seeded_home_holds_the_block_types_and_a_server_skips_registering_them(
        tmp_path, built_template):
    """The template's block types are registered by this environment's Prefect: a home
    seeded from it has them all, and a server started with SKIP_BLOCK_REGISTRATION answers
    without registering them again (it writes no memo of a registration)."""
    with sqlite3.connect(built_template / PREFECT_DB) as db:
        assert db.execute("select count(*) from block_schema").fetchone()[0] > 0
    home = tmp_path / "home"
    assert not blocks_registered(home, built_template)  # no database yet
    seed_prefect_home(home, built_template)
    assert blocks_registered(home, built_template)
    _serve(home, SKIP_BLOCK_REGISTRATION)
    assert not (home / MEMO).exists()
    assert blocks_registered(home, built_template)
    # without the settings, Prefect registers them (and notes it): what the skip saves
    _serve(home)
    assert (home / MEMO).exists()


def test_a_home_missing_a_block_schema_is_registered_as_usual(tmp_path, built_template):
    """A database an older Prefect registered lacks a schema of this one: not skipped."""
    home = tmp_path / "home"
    home.mkdir()
    shutil.copyfile(built_template / PREFECT_DB, home / PREFECT_DB)
    with sqlite3.connect(home / PREFECT_DB) as db:
        db.execute("delete from block_schema where rowid = (select max(rowid) from block_schema)")
    assert not blocks_registered(home, built_template)
    assert not blocks_registered(home, tmp_path / "no-template")
    (home / PREFECT_DB).write_bytes(b"not a database")
    assert not blocks_registered(home, built_template)


def test_set_up_goes_on_without_a_template_it_cannot_build(tmp_path):
    """make's set-up (python -m flows.local_api) where the environment cannot hold one: a
    one-line notice, exit 0, and the installation is not failed for it."""
    blocked = tmp_path / "a-file"
    blocked.write_text("", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-c", f"import sys; sys.prefix = {str(blocked)!r}; import runpy; "
                               "runpy.run_module('flows.local_api', run_name='__main__')"],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0
    assert result.stderr.startswith("logiwatch: no migrated Prefect home built (")
    assert len(result.stderr.strip().splitlines()) == 1
