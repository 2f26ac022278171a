"""Shared fixtures: the gold corpus, a rendered dev site served on loopback, settings."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "CRITICAL")

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("NEWSLEDGER_CORPUS", ROOT.parent / "shared" / "corpus"))
OUTLETS = ("motor-ledger", "auto-thirty", "ev-dispatch", "trade-desk-daily", "asia-auto-wire", "grid-gear")
# the warehouse tables two runs are compared on, and the columns that name a run or a moment
TABLES = ("core.articles", "core.fact_mentions", "core.fact_history", "core.crawl_state", "core.quarantine",
          "raw.pages", "mart.articles", "mart.fact_mentions", "mart.facts", "mart.fact_history")
EPHEMERAL = frozenset({"run_id", "fetched_at", "last_attempt_at", "known_from", "known_to", "quarantined_at",
                       "released_at", "recorded_at", "duration_ms", "archive_path", "started_at", "ended_at"})


def table_rows(db: Path, table: str, exclude: tuple[str, ...] = (), keep=lambda row: True) -> list[tuple]:
    """The rows of ``table`` (its name bound, not formatted in) without the ``exclude``
    columns, those for which ``keep(row as a dict)`` holds, sorted."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        cursor = con.execute("SELECT * FROM query_table(?)", [table])
        names = [column[0] for column in cursor.description]
        records = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()
    return sorted((tuple(v for k, v in r.items() if k not in exclude) for r in records if keep(r)), key=repr)


def free_port() -> int:
    """A TCP port free on loopback now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServedSite:
    """A site rendered by the corpus's render_site.py and served by its serve_site.py."""

    def __init__(self, directory: Path, port: int, args: list[str]) -> None:
        self.directory = directory
        self.base_url = f"http://127.0.0.1:{port}"
        self.manifest = json.loads((directory / "manifest.json").read_text())
        self._process = subprocess.Popen(
            [sys.executable, str(CORPUS / "serve_site.py"), str(directory), "--port", str(port), *args],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        line = self._process.stdout.readline()
        if "serving" not in line:
            raise RuntimeError(f"serve_site.py did not start: {line!r}")

    @property
    def sources(self) -> list[str]:
        """Each outlet's feed and the sitemap index."""
        return [f"{self.base_url}/{outlet}/feed.xml" for outlet in OUTLETS] + [f"{self.base_url}/sitemap_index.xml"]

    def stats(self) -> dict:
        with urllib.request.urlopen(f"{self.base_url}/__stats") as response:
            return json.loads(response.read())

    def stop(self) -> None:
        self._process.terminate()
        self._process.wait(timeout=10)


def serve_split(split: Path, out: Path, *serve_args: str, noise: bool = False) -> ServedSite:
    """Render ``split`` for a free port and serve it there."""
    port = free_port()
    render = [sys.executable, str(CORPUS / "render_site.py"), str(split), str(out), "--base-url", f"http://127.0.0.1:{port}"]
    subprocess.run(render + (["--noise"] if noise else []), check=True, capture_output=True)
    site = ServedSite(out, port, list(serve_args))
    time.sleep(0.05)
    return site


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not (CORPUS / "dev").is_dir():
        pytest.fail(f"the gold corpus is missing at {CORPUS}; set NEWSLEDGER_CORPUS")
    return CORPUS


@pytest.fixture(scope="session")
def dev_site(corpus: Path, tmp_path_factory: pytest.TempPathFactory):
    """The dev split rendered (no noise) and served on a free loopback port."""
    site = serve_split(corpus / "dev", tmp_path_factory.mktemp("dev-site") / "site")
    yield site
    site.stop()


CHROMIUM = "/usr/bin/chromium"  # Debian's package, installed by `make install` when missing
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled demo site crawled by the nightly flow into a fresh warehouse."""
    from flows.demo_site import serve_demo
    from flows.nightly import nightly

    folder = tmp_path_factory.mktemp("demo")
    db = folder / "demo.duckdb"
    with serve_demo(folder / "site") as (_, manifest):
        nightly([*manifest["feeds"], manifest["sitemap_index"]], db=str(db), allow_private_hosts=True)
    return db


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium driven by Playwright, per test module: Playwright's sync API keeps
    an event loop running while open, which turns Prefect's sync calls into coroutines."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
