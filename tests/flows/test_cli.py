"""The command line: every command documented with an example; sql on a read-only file."""

from __future__ import annotations

import json

import duckdb
import pytest
from typer.testing import CliRunner

from flows.cli import app

runner = CliRunner()
COMMANDS = ("run", "backfill", "sql", "status", "demo", "serve")


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


def test_sql_on_missing_warehouse_fails_clearly(tmp_path) -> None:
    result = runner.invoke(app, ["sql", "SELECT 1", "--db", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 1
    assert "newsledger run" in result.output
