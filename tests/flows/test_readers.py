"""Analysts can query the warehouse while a run is fetching: the run holds the file for
writing only during its final load."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from typer.testing import CliRunner

from flows.cli import app
from tests.conftest import serve_split
from warehouse.db import open_warehouse

NEWSLEDGER = Path(sys.executable).with_name("newsledger")


def test_sql_succeeds_while_a_run_is_fetching(corpus: Path, tmp_path: Path) -> None:
    site = serve_split(corpus / "dev", tmp_path / "site", "--slow-ms", "250")
    db = tmp_path / "w.duckdb"
    with open_warehouse(db):
        pass  # an existing, empty warehouse
    run = subprocess.Popen(
        [str(NEWSLEDGER), "run", *[a for s in site.sources for a in ("-s", s)], "--allow-private-hosts",
         "--db", str(db)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "NEWSLEDGER_PER_HOST_CONCURRENCY": "2"},
    )
    try:
        deadline = time.monotonic() + 120
        while site.stats()["total"] < 20 and run.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert run.poll() is None, "the run ended before the query could overlap its fetching"
        result = CliRunner().invoke(app, ["sql", "SELECT count(*) AS n FROM mart.articles", "--db", str(db),
                                          "--format", "csv", "--wait", "0"])
        assert result.exit_code == 0, result.output
        assert result.output.splitlines() == ["n", "0"]
        assert run.wait(timeout=300) == 0, run.stderr.read()
    finally:
        if run.poll() is None:
            run.kill()
        site.stop()
    result = CliRunner().invoke(app, ["sql", "SELECT count(*) AS n FROM mart.articles", "--db", str(db), "-f", "csv"])
    assert result.output.splitlines() == ["n", "35"]
