"""A temporary Prefect API for one CLI command, started before anything heavy is imported.

Without `PREFECT_API_URL`, Prefect starts the same temporary server itself, but only when the
flow starts: the command first imports Prefect's whole server package in its own process
(about 4 s) and then waits for the server's process to boot (about 5 s) with nothing else to
do. Started here, at the top of the command, the server boots on the second core while the
command imports its modules and checks the exports, and the command never imports the
server package. The server is Prefect's own: the same uvicorn command and settings as
`prefect.server.api.server.SubprocessASGIServer`.

This module imports nothing from Prefect: it must run before Prefect is imported, since
Prefect reads `PREFECT_API_URL` when it is imported.
"""

from __future__ import annotations

import atexit
import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

# `uvicorn` exits with 3 when its port was taken between our choice and its bind
PORT_IN_USE = 3


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _prefect_dir() -> Path:
    spec = importlib.util.find_spec("prefect")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("prefect is not installed")
    return Path(next(iter(spec.submodule_search_locations))).parent


class LocalPrefectAPI:
    """Prefect's temporary server in a child process: `start()` first, `wait()` before the
    first flow; it stops when the interpreter exits."""

    def __init__(self, startup_timeout: float = 90.0):
        self.startup_timeout = startup_timeout
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
            [sys.executable, "-m", "uvicorn", "--app-dir", str(_prefect_dir()), "--factory",
             "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port",
             str(port), "--log-level", "error", "--lifespan", "on"],
            env={**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1",
                 "PREFECT__SERVER_FINAL": "1"})
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

