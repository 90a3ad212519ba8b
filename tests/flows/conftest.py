"""Prefect for the flow tests: the ephemeral test harness (in-process flows), and a real
`prefect server` (SQLite, temporary PREFECT_HOME, a free port) for deployments and schedules."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

BIN = Path(sys.executable).parent


@pytest.fixture(scope="session")
def prefect(tmp_path_factory):
    """The ephemeral Prefect API, one per test session."""
    os.environ["PREFECT_HOME"] = str(tmp_path_factory.mktemp("prefect_home"))
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=90):
        yield


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrefectServer:
    """A `prefect server start` process and the environment that points clients at it."""

    def __init__(self, home: Path):
        self.port = _free_port()
        self.api = f"http://127.0.0.1:{self.port}/api"
        self.env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_API_URL": self.api,
                    "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_UI_ENABLED": "false",
                    # schedule within seconds rather than the default minute
                    "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "2",
                    "PREFECT_RUNNER_POLL_FREQUENCY": "2"}
        self.log = home / "server.log"
        self.process = subprocess.Popen(
            [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1",
             "--port", str(self.port)],
            env=self.env, stdout=self.log.open("w"), stderr=subprocess.STDOUT)
        self.http = httpx.Client(base_url=self.api, timeout=30)
        self._wait_healthy(timeout=120)

    def _wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"prefect server exited: {self.log.read_text()[-2000:]}")
            try:
                if self.http.get("/health").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"prefect server not healthy after {timeout} s")

    def request(self, method: str, path: str, **kwargs) -> httpx.Response:
        """An API call, retried on 502/503/429 as Prefect's own client does (the SQLite
        server answers 503 while the scheduler holds the database)."""
        for _ in range(20):
            response = self.http.request(method, path, **kwargs)
            if response.status_code not in (429, 502, 503):
                return response
            time.sleep(1)
        return response

    def get(self, path: str) -> httpx.Response:
        return self.request("GET", path)

    def post(self, path: str, body: dict) -> httpx.Response:
        return self.request("POST", path, json=body)

    def wait_for(self, probe, timeout: float, what: str):
        """Poll `probe` until it returns something truthy; fail naming `what`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = probe()
            if found:
                return found
            time.sleep(1)
        raise AssertionError(f"timed out after {timeout} s waiting for {what}")

    def stop(self) -> None:
        self.http.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory):
    """A real Prefect server for the session (schedules need one)."""
    server = PrefectServer(tmp_path_factory.mktemp("prefect_server_home"))
    yield server
    server.stop()
