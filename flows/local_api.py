"""A temporary Prefect API for one CLI command, started before anything heavy is imported.

Without `PREFECT_API_URL`, Prefect starts the same temporary server itself, but only when the
flow starts: the command first imports Prefect's whole server package in its own process
(about 4 s) and then waits for the server's process to boot (about 5 s) with nothing else to
do. Started here, at the top of the command, the server boots on the second core while the
command imports its modules and checks the exports, and the command never imports the
server package. The server is Prefect's own: the same uvicorn server and settings as
`prefect.server.api.server.SubprocessASGIServer`, with one difference: the child builds
Prefect's app with Python's cyclic garbage collector paused (`create_app`).

This module imports nothing from Prefect: it must run before Prefect is imported, since
Prefect reads `PREFECT_API_URL` when it is imported.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

# `uvicorn` exits with 3 when its port was taken between our choice and its bind
PORT_IN_USE = 3

# the child's app factory (uvicorn's `--factory`) and how the child starts: uvicorn's own
# command line, run with the collector paused from the first import
SERVER_APP = "flows.local_api:create_app"
_CHILD = ("import gc; gc.disable(); import runpy; "
          "runpy.run_module('uvicorn', run_name='__main__', alter_sys=True)")

# What a new Prefect home builds on its server's first start, at about 6 s of one core (a
# first run on the sample took 12.8 s, the next ones 6.0 s): its database, through every one
# of Prefect's migrations. `make`'s set-up builds one once into the environment
# (`build_template`); a command copies it into a Prefect home that has no database yet
# (`seed_prefect_home`: a first run then took 6.1–6.2 s), and Prefect's server, which checks
# the migrations on every start, brings a copy an older Prefect made up to date.
PREFECT_DB = "prefect.db"

# Prefect's server also registers its block types on every start (about 1 s of one core: it
# imports every installed collection, Dask with prefect-dask, and writes each type and
# schema), unless a memo in the home says it registered them into that database already; the
# memo names the database's path, so a home seeded from the template never has one. Where the
# home's database holds every block schema the template's does (`blocks_registered`: the
# template is registered by this environment's Prefect), the start skips the registration
# with these settings: a server alone answered after 2.5–3.1 s instead of 3.2–3.5 s.
SKIP_BLOCK_REGISTRATION = {"PREFECT_SERVER_REGISTER_BLOCKS_ON_START": "false",
                           "PREFECT_SERVER_MEMOIZE_BLOCK_AUTO_REGISTRATION": "false"}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def create_app():
    """Prefect's server app, for uvicorn in the child process (`SERVER_APP`).

    The child starts with the cyclic garbage collector paused: importing Prefect's server and
    building its app create some 400,000 objects that live as long as the server, and
    the collector would walk them again and again (0.4 s of the boot, and 0.15 s of the
    first request, measured on 2 cores). Once the app is built, those objects are frozen out
    of later collections and the collector runs as usual.
    """
    import gc

    from prefect.server.api.server import create_app as prefect_app

    app = prefect_app()
    gc.freeze()
    gc.enable()
    return app


class LocalPrefectAPI:
    """Prefect's temporary server in a child process: `start()` first, `wait()` before the
    first flow; it stops when the interpreter exits."""

    def __init__(self, startup_timeout: float = 90.0, env: dict[str, str] | None = None):
        self.startup_timeout = startup_timeout
        self.env = env or {}
        self.process: subprocess.Popen | None = None
        self.url = ""
        self._ready = False

    def start(self) -> str:
        """Start the server and return its API URL (it may not answer yet).

        The server stops at interpreter exit, after Prefect's own exit handlers (registered
        later, so run earlier) have sent the run's last logs and events to it.
        """
        if self.process is None:
            atexit.register(self.stop)
        port = _free_port()
        self.url = f"http://127.0.0.1:{port}/api"
        self.process = subprocess.Popen(
            [sys.executable, "-c", _CHILD, "--app-dir", str(Path(__file__).parent.parent),
             "--factory", SERVER_APP, "--host", "127.0.0.1", "--port", str(port),
             "--log-level", "error", "--lifespan", "on"],
            env={**os.environ, **self.env, "PREFECT_UI_ENABLED": "0",
                 "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"})
        return self.url

    @property
    def ready(self) -> bool:
        """Whether the server has answered (`wait` returned)."""
        return self._ready

    def wait(self) -> None:
        """Block until the server answers its health check (once; later calls return at
        once). A server that exits or does not answer in time is an error."""
        if self._ready or self.process is None:
            return
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            code = self.process.poll()
            if code == PORT_IN_USE:
                self.start()
                continue
            if code is not None:
                raise RuntimeError(f"the temporary Prefect server exited with code {code}")
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=2) as response:
                    if response.status == 200 and json.load(response) is True:
                        self._ready = True
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError):
                pass
            time.sleep(0.05)
        raise RuntimeError(f"the temporary Prefect server did not answer within "
                           f"{self.startup_timeout:.0f} s")

    def stop(self) -> None:
        """Stop the server (it keeps nothing that a later command needs: runs are in
        PREFECT_HOME's database)."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


def template_home() -> Path:
    """Where `make`'s set-up keeps a Prefect home built by this environment's Prefect (inside
    the virtual environment, so it goes with it)."""
    return Path(sys.prefix) / "share" / "logiwatch" / "prefect-home"


def seed_prefect_home(home: Path, template: Path) -> bool:
    """Copy the template's database into a Prefect home that has none yet; returns whether it
    did. Nothing is replaced: the copy is linked into place only where no database is, so a
    run starting at the same moment never loses a database another one has opened."""
    if (home / PREFECT_DB).exists() or not (template / PREFECT_DB).is_file():
        return False
    home.mkdir(parents=True, exist_ok=True)
    fd, copy = tempfile.mkstemp(prefix=f".{PREFECT_DB}.", dir=home)
    os.close(fd)
    try:
        shutil.copyfile(template / PREFECT_DB, copy)
        os.link(copy, home / PREFECT_DB)
    except FileExistsError:
        return False
    finally:
        os.unlink(copy)
    return True


def _block_schemas(database: Path) -> set[tuple[str, str, str]]:
    """The block types and schemas a Prefect database holds (read only)."""
    uri = f"{database.resolve().as_uri()}?mode=ro"
    with contextlib.closing(sqlite3.connect(uri, uri=True)) as db:
        return set(db.execute(
            "select t.slug, s.checksum, s.version from block_schema s "
            "join block_type t on t.id = s.block_type_id").fetchall())


def blocks_registered(home: Path, template: Path) -> bool:
    """Whether the database of the Prefect home `home` holds every block type and schema
    the template's holds, so a server on it has nothing to register
    (`SKIP_BLOCK_REGISTRATION`). False when either database is missing or unreadable."""
    try:
        wanted = _block_schemas(template / PREFECT_DB)
        return bool(wanted) and wanted <= _block_schemas(home / PREFECT_DB)
    except sqlite3.Error:
        return False


def build_template(template: Path, startup_timeout: float = 90.0) -> None:
    """Start Prefect's server once on a new home (it runs every migration), stop it, and fold
    the database's write-ahead log into the database, so that the one file copies whole; then
    put a folder holding only that database at `template`, replacing an older one."""
    template.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=".prefect-home-", dir=template.parent))
    staged = Path(tempfile.mkdtemp(prefix=".prefect-template-", dir=template.parent))
    try:
        api = LocalPrefectAPI(startup_timeout, env={"PREFECT_HOME": str(building),
                                                    "PREFECT_SERVER_ANALYTICS_ENABLED": "false"})
        api.start()
        try:
            api.wait()
        finally:
            api.stop()
        with contextlib.closing(sqlite3.connect(building / PREFECT_DB)) as db:
            db.execute("pragma wal_checkpoint(truncate)")
        os.replace(building / PREFECT_DB, staged / PREFECT_DB)
        shutil.rmtree(template, ignore_errors=True)
        os.replace(staged, template)
    finally:
        shutil.rmtree(building, ignore_errors=True)
        shutil.rmtree(staged, ignore_errors=True)


if __name__ == "__main__":
    # `make`'s set-up; without the template a new Prefect home only takes longer to start, so
    # a failure here is a notice, not a failed installation
    try:
        build_template(template_home())
    except (OSError, RuntimeError, sqlite3.Error) as exc:
        print(f"logiwatch: no migrated Prefect home built ({exc}); a new Prefect home "
              "will run Prefect's migrations on its first start", file=sys.stderr)
