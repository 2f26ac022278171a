"""The command line: every command documented with an example; sql on a read-only file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from flows.cli import app

runner = CliRunner()
COMMANDS = ("run", "backfill", "sql", "status", "demo", "reprocess", "inspect", "report", "docs", "quarantine",
            "serve", "server", "deploy")


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.output


def test_top_level_help_lists_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in COMMANDS:
        assert command in result.output


def test_importing_the_cli_loads_no_prefect() -> None:
    """A run starts its temporary Prefect server before Prefect is imported (flows.temporary_api)."""
    probe = "import sys, flows.cli; print(sorted(m for m in sys.modules if m.split('.')[0] == 'prefect'))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_run_without_sources_says_what_to_do() -> None:
    result = runner.invoke(app, ["run"])
    assert result.exit_code == 1
    assert "--source" in result.output


def test_sql_formats(tmp_path) -> None:
    db = tmp_path / "w.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE t AS SELECT 1 AS a, 'x' AS b")
    con.close()
    result = runner.invoke(app, ["sql", "SELECT * FROM t", "--db", str(db), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == [{"a": 1, "b": "x"}]
    result = runner.invoke(app, ["sql", "SELECT * FROM t", "--db", str(db), "--format", "csv"])
    assert result.output.splitlines() == ["a,b", "1,x"]
    result = runner.invoke(app, ["sql", "SELECT ['Ford', 'CATL'] AS parties, {'rate': 25} AS s", "--db", str(db),
                                 "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["parties,s", '"[""Ford"", ""CATL""]","{""rate"": 25}"']


def test_sql_on_missing_warehouse_fails_clearly(tmp_path) -> None:
    result = runner.invoke(app, ["sql", "SELECT 1", "--db", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 1
    assert "newsledger run" in result.output


def test_sql_errors_are_one_line_not_tracebacks(tmp_path) -> None:
    not_a_warehouse = tmp_path / "notes.txt"
    not_a_warehouse.write_text("hello")
    result = runner.invoke(app, ["sql", "SELECT 1", "--db", str(not_a_warehouse)])
    assert result.exit_code == 1 and "cannot open the warehouse" in " ".join(result.output.split())
    db = tmp_path / "w.duckdb"
    duckdb.connect(str(db)).close()
    result = runner.invoke(app, ["sql", "", "--db", str(db)])
    assert result.exit_code == 1 and "no result set" in " ".join(result.output.split())
    result = runner.invoke(app, ["quarantine", "--db", str(db), "--format", "xml"])
    assert result.exit_code == 1 and "--format must be" in result.output


def test_a_failed_run_says_why_in_one_line_without_a_traceback(tmp_path) -> None:
    """As a user runs it: its own process, Prefect's temporary server, the console as is."""
    newsledger = Path(sys.executable).parent / "newsledger"
    done = subprocess.run([str(newsledger), "run", "-s", "http://127.0.0.1:9/feed.xml", "--db", str(tmp_path / "w.db")],
                          capture_output=True, text=True, timeout=300)
    output = " ".join((done.stdout + done.stderr).split())
    assert done.returncode == 1, output
    assert "none of the 1 sources could be read" in output and "pass --allow-private-hosts" in output
    assert "Traceback" not in output and "Error logging to API" not in output
    status = subprocess.run([str(newsledger), "status", "--db", str(tmp_path / "w.db")], capture_output=True,
                            text=True, timeout=120, env=os.environ | {"COLUMNS": "400"})  # no wrapped cells
    listed = " ".join(status.stdout.split())
    assert "failed runs" in listed and "none of the 1 sources could be read" in listed


@pytest.mark.parametrize("db", ["folder", "/proc/no-such-folder/w.duckdb"])
def test_an_unwritable_warehouse_path_fails_before_the_run(tmp_path, db: str) -> None:
    path = tmp_path if db == "folder" else Path(db)
    result = runner.invoke(app, ["run", "-s", "http://127.0.0.1:9/feed.xml", "--db", str(path)])
    assert result.exit_code == 1
    assert ("is a folder" if db == "folder" else "cannot create the folder") in " ".join(result.output.split())


def test_a_run_whose_sources_all_fail_exits_non_zero(tmp_path) -> None:
    result = runner.invoke(app, ["run", "-s", "http://127.0.0.1:9/feed.xml", "--allow-private-hosts",
                                 "--db", str(tmp_path / "w.duckdb")])
    assert result.exit_code == 1
    assert "none of the 1 sources could be read" in " ".join(result.output.split())  # rich wraps lines
    assert not (tmp_path / "w.duckdb").exists()
