"""Every mart view, column and macro is documented, and the data dictionary shows it all."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.docs import read_examples, write_data_dictionary
from warehouse.db import connect, open_warehouse

MACROS = {"facts_as_of", "fact_timeline", "tariffs_in_force", "partnership_timeline", "expansions"}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("comments") / "c.duckdb"
    with open_warehouse(path):
        pass
    return path


@pytest.fixture
def con(db: Path):
    connection = connect(db, read_only=True)
    yield connection
    connection.close()


def test_every_mart_view_has_a_comment(con) -> None:
    views = dict(con.execute("SELECT view_name, comment FROM duckdb_views() WHERE schema_name = 'mart'").fetchall())
    assert {"articles", "fact_mentions", "facts", "fact_history", "fact_evidence", "fetch_log", "runs",
            "quarantine"} <= set(views)
    assert [name for name, comment in views.items() if not comment] == []


def test_every_mart_column_has_a_comment(con) -> None:
    missing = con.execute(
        "SELECT table_name || '.' || column_name FROM duckdb_columns() "
        "WHERE schema_name = 'mart' AND coalesce(comment, '') = '' ORDER BY ALL").fetchall()
    assert missing == []
    assert con.execute("SELECT count(*) FROM duckdb_columns() WHERE schema_name = 'mart'").fetchone()[0] > 80


def test_every_mart_macro_has_a_comment(con) -> None:
    macros = dict(con.execute(
        "SELECT function_name, comment FROM duckdb_functions() WHERE schema_name = 'mart'").fetchall())
    assert set(macros) >= MACROS
    assert [name for name, comment in macros.items() if not comment] == []


def test_comments_survive_a_second_write_open(db: Path) -> None:
    with open_warehouse(db) as connection:
        count = connection.execute(
            "SELECT count(*) FROM duckdb_columns() WHERE schema_name = 'mart' AND comment IS NULL").fetchone()[0]
    assert count == 0


def test_data_dictionary_lists_every_view_column_macro_and_example(db: Path, con, tmp_path: Path) -> None:
    paths = write_data_dictionary(db, tmp_path / "docs")
    assert [p.name for p in paths] == ["data_dictionary.md", "data_dictionary.html"]
    markdown, page = (p.read_text() for p in paths)
    for text in (markdown, page):
        assert "(undocumented)" not in text
        for (view,) in con.execute("SELECT view_name FROM duckdb_views() WHERE schema_name = 'mart'").fetchall():
            assert f"mart.{view}" in text
        for name in MACROS:
            assert f"mart.{name}(" in text
        for example in read_examples():
            assert f"{example.name}.sql" in text
    assert "| `valid_to` |" in markdown
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page
