"""Prefect's temporary server: a new Prefect home starts from a database migrated once."""

import sqlite3
import subprocess
import sys

from flows.local_api import PREFECT_DB, LocalPrefectAPI, build_template, seed_prefect_home
from logiwatch import cli


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


def test_the_template_is_a_migrated_database_a_server_starts_from(tmp_path):
    """`make`'s set-up (python -m flows.local_api): one file, Prefect's tables and its
    migration stamp in it (no write-ahead log left beside it); a server on a home seeded
    from it answers, and keeps the stamp (nothing to migrate)."""
    template = tmp_path / "template"
    build_template(template)
    assert [p.name for p in template.iterdir()] == [PREFECT_DB]
    with sqlite3.connect(template / PREFECT_DB) as db:
        tables = {t for (t,) in db.execute("select name from sqlite_master where type='table'")}
        (stamp,) = db.execute("select version_num from alembic_version").fetchone()
    assert {"flow_run", "task_run", "log", "alembic_version"} <= tables
    home = tmp_path / "home"
    assert seed_prefect_home(home, template)
    api = LocalPrefectAPI(env={"PREFECT_HOME": str(home)})
    api.start()
    try:
        api.wait()
        assert api.ready
    finally:
        api.stop()
    with sqlite3.connect(home / PREFECT_DB) as db:
        assert db.execute("select version_num from alembic_version").fetchone() == (stamp,)


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
