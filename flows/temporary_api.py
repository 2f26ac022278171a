"""A temporary Prefect API for one command, started before the command's heavy imports.

Without PREFECT_API_URL, Prefect starts a temporary server the first time a flow needs its
API: the flow waits for the server's imports and database check (about 5 s on 2 cores)
after our own imports (2 to 3 s) instead of beside them. ``temporary_api`` starts the same
server (Prefect's uvicorn app in ephemeral mode, the database under PREFECT_HOME) as the
command begins and hands its URL to Prefect through PREFECT_API_URL, so the two overlap;
``wait_ready`` then blocks until it answers. The server stops when the command ends.

The server runs in a process group of its own: Ctrl-C at the terminal reaches the command
(which then tells the server why its flow run stopped) but not the server, which the
command stops last; SIGTERM to the command stops the server too, and on Linux the server
gets SIGTERM when the command's process dies however it dies (PR_SET_PDEATHSIG).

Prefect reads PREFECT_API_URL once, when first imported: in a process that has already
imported it (tests, a library call), or with PREFECT_API_URL set, nothing is started and
Prefect does as it always does.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from importlib.util import find_spec
from pathlib import Path

_EPHEMERAL = {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}


class TemporaryApi:
    """A temporary Prefect server process on a free loopback port."""

    def __init__(self) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/api"
        app_dir = Path(find_spec("prefect").origin).parents[1]
        command = [sys.executable, "-m", "uvicorn", "--app-dir", str(app_dir), "--factory",
                   "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(port),
                   "--log-level", "error", "--lifespan", "on"]
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (closed in stop) a file: a full pipe would stall the server
        self.process = subprocess.Popen(command, env=os.environ | _EPHEMERAL, stdin=subprocess.DEVNULL,
                                        stdout=self.log, stderr=subprocess.STDOUT, process_group=0,
                                        preexec_fn=_die_with_parent if sys.platform == "linux" else None)

    def wait_ready(self, timeout_s: float = 120.0) -> None:
        """Block until the server answers /health. Raises RuntimeError when its process
        exits or it does not answer within ``timeout_s`` seconds."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.seek(0)
                error = self.log.read().decode(errors="replace")[-2000:]
                msg = f"the temporary Prefect server exited with code {self.process.returncode}: {error}"
                raise RuntimeError(msg)
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        msg = (f"the temporary Prefect server did not answer within {timeout_s:.0f} s; "
               "start one with `newsledger server` and set PREFECT_API_URL")
        raise RuntimeError(msg)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


@contextmanager
def temporary_api() -> Iterator[TemporaryApi | None]:
    """Start a temporary Prefect server now and point PREFECT_API_URL at it for the block;
    yields None (and starts nothing) when PREFECT_API_URL is set or Prefect is already
    imported. Call ``wait_ready`` on it before the first flow runs."""
    if os.environ.get("PREFECT_API_URL") or "prefect" in sys.modules:
        yield None
        return
    api = TemporaryApi()
    os.environ["PREFECT_API_URL"] = api.url
    _temporary_urls.add(api.url)
    on_term = _exit_on_sigterm()
    try:
        yield api
    finally:
        _flush_prefect_logs()  # before the server goes: the last lines of a failed run
        os.environ.pop("PREFECT_API_URL", None)
        _temporary_urls.discard(api.url)
        api.stop()
        if on_term is not None:
            signal.signal(signal.SIGTERM, on_term)


def _die_with_parent() -> None:
    """In the server's process before it starts: SIGTERM when the thread that started it
    (the command's main thread) dies, so that a killed command leaves no server behind."""
    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _exit_on_sigterm():
    """Make SIGTERM raise SystemExit(143) in the main thread, so that the blocks above
    unwind and the server (in its own process group) is stopped; returns the previous
    handler, or None off the main thread, where signals cannot be handled."""
    def terminate(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    with suppress(ValueError):
        return signal.signal(signal.SIGTERM, terminate)
    return None


def is_temporary(api_url: str | None) -> bool:
    """True when ``api_url`` is a server ``temporary_api`` started in this process (it holds
    no global concurrency limits: the warehouse file lock serialises writers)."""
    return api_url in _temporary_urls


def _flush_prefect_logs() -> None:
    """Send the log lines Prefect still buffers for the API, while the server is up."""
    if "prefect" not in sys.modules:
        return
    from prefect.logging.handlers import APILogWorker

    with suppress(Exception):
        APILogWorker.drain_all(timeout=5)


_temporary_urls: set[str] = set()
