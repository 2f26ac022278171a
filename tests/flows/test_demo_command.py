"""`newsledger demo` as a new user runs it: relative default paths, answers printed."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from flows.cli import app


def test_demo_runs_in_a_fresh_folder_and_prints_answers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "data" / "demo.duckdb").exists()
    assert list((tmp_path / "data" / "reports").glob("*/data_docs/index.html"))
    assert list((tmp_path / "data" / "reports").glob("*/index.html"))
    for heading in ("Current status of each partnership", "Tariffs in force", "Where each company is expanding"):
        assert heading in result.output
    assert "Honda +" in result.output
    con = duckdb.connect(str(tmp_path / "data" / "demo.duckdb"), read_only=True)
    status = con.execute("SELECT status FROM mart.facts WHERE parties = ['Honda', 'Nissan']").fetchone()
    con.close()
    assert status == ("ended",)  # reported -> negotiating -> ended across three articles
