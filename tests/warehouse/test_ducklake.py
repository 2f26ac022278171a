"""A DuckLake warehouse (local DuckDB-file catalog, Parquet data path): the nightly flow
loads it with one snapshot per run and gives the same mart as a DuckDB-file warehouse."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import warehouse
from flows.cli import app
from flows.nightly import nightly
from tests.conftest import table_rows
from warehouse.db import LAKE_ALIAS, DuckLake, connect, parse_target

RUN_COLUMNS = ("run_id",)


def snapshots(lake: DuckLake) -> list[tuple[int, str | None, str | None]]:
    """(snapshot_id, author, commit message) of every snapshot of the lake, oldest first."""
    con = connect(lake, read_only=True)
    try:
        return con.execute("SELECT snapshot_id, author, commit_message FROM ducklake_snapshots(?) "
                           "ORDER BY snapshot_id", [LAKE_ALIAS]).fetchall()
    finally:
        con.close()


def lake_rows(lake: DuckLake, table: str, exclude: tuple[str, ...] = ()) -> list[tuple]:
    """The rows of ``table`` in the lake without the ``exclude`` columns, sorted as ``table_rows`` sorts."""
    con = connect(lake, read_only=True)
    try:
        cursor = con.execute("SELECT * FROM query_table(?)", [table])
        names = [column[0] for column in cursor.description]
        rows = cursor.fetchall()
    finally:
        con.close()
    return sorted((tuple(v for k, v in zip(names, row, strict=True) if k not in exclude) for row in rows), key=repr)


@pytest.fixture(scope="module")
def loaded(dev_site, tmp_path_factory) -> dict:
    """Two nightly runs over the dev site into a fresh DuckLake, one into a fresh DuckDB file."""
    folder = tmp_path_factory.mktemp("ducklake")
    lake = parse_target(f"ducklake:{folder / 'catalog.ducklake'}")
    first = nightly(dev_site.sources, db=str(lake), allow_private_hosts=True)
    after_first = snapshots(lake)
    mentions_first = lake_rows(lake, "mart.fact_mentions")
    second = nightly(dev_site.sources, db=str(lake), allow_private_hosts=True)
    file_db = folder / "w.duckdb"
    nightly(dev_site.sources, db=str(file_db), allow_private_hosts=True)
    return {"lake": lake, "file": file_db, "first": first, "second": second, "after_first": after_first,
            "after_second": snapshots(lake), "mentions_first": mentions_first}


def test_target_parses_a_local_catalog_with_its_data_path_beside_it(tmp_path) -> None:
    assert parse_target(f"ducklake:{tmp_path}/c.ducklake") == DuckLake(f"{tmp_path}/c.ducklake",
                                                                      f"{tmp_path}/c.ducklake.files")
    assert parse_target(tmp_path / "w.duckdb") == tmp_path / "w.duckdb"
    server = parse_target("ducklake:postgres:dbname=lake host=db", "s3://bucket/lake/")
    assert server.catalog_file is None and server.data_path == "s3://bucket/lake/"
    with pytest.raises(ValueError, match="NEWSLEDGER_DUCKLAKE_DATA_PATH"):
        parse_target("ducklake:postgres:dbname=lake host=db")


def test_runs_complete_and_stage_beside_the_catalog(loaded) -> None:
    assert loaded["first"]["outcome"] == "completed" and loaded["first"]["counts"]["articles"] == 35
    assert loaded["second"]["outcome"] == "completed" and loaded["second"]["counts"]["articles"] == 0
    assert Path(loaded["first"]["reports"]).parent == loaded["lake"].catalog_file.parent / "reports"


def test_tables_are_parquet_files_under_the_data_path(loaded) -> None:
    data = Path(loaded["lake"].data_path)
    files = {path.relative_to(data).parts[:2] for path in data.rglob("*.parquet")}
    assert {("core", "articles"), ("core", "fact_mentions"), ("core", "fact_history"), ("raw", "fetch_log")} <= files
    con = connect(loaded["lake"], read_only=True)
    try:
        listed = [Path(row[0]) for row in con.execute(
            "SELECT data_file FROM ducklake_list_files(?, 'fact_mentions', schema => 'core')", [LAKE_ALIAS]).fetchall()]
    finally:
        con.close()
    assert listed and all(path.is_relative_to(data) and path.exists() for path in listed)


def test_first_run_adds_the_schema_then_exactly_one_snapshot_for_its_load(loaded) -> None:
    messages = [message for _, _, message in loaded["after_first"]]
    assert messages[0] is None  # the empty lake, created by ATTACH
    migrations = sorted(path.name for path in (Path(warehouse.__file__).parent / "migrations").glob("*.sql"))
    assert messages[1:2 + len(migrations)] == ["schema_migrations", *(f"migration {name}" for name in migrations)]
    assert messages[2 + len(migrations)].startswith("views ")
    assert messages[3 + len(migrations):] == [f"run {loaded['first']['run_id']}"]
    assert {author for _, author, _ in loaded["after_first"][1:]} == {"newsledger"}


def test_second_run_over_an_unchanged_site_adds_exactly_one_snapshot(loaded) -> None:
    """The second run still records itself (mart.runs, fetch log, crawl state) in one
    snapshot; the views are not re-created, and no article or fact changes."""
    added = loaded["after_second"][len(loaded["after_first"]):]
    assert [message for _, _, message in added] == [f"run {loaded['second']['run_id']}"]
    assert lake_rows(loaded["lake"], "mart.fact_mentions") == loaded["mentions_first"]


def test_mart_fact_mentions_equal_those_of_a_duckdb_file_warehouse(loaded) -> None:
    lake_mentions = lake_rows(loaded["lake"], "mart.fact_mentions", RUN_COLUMNS)
    assert lake_mentions and lake_mentions == table_rows(loaded["file"], "mart.fact_mentions", RUN_COLUMNS)
    assert lake_rows(loaded["lake"], "mart.facts") == table_rows(loaded["file"], "mart.facts")


def test_table_macros_answer_on_the_lake_as_on_a_file(loaded) -> None:
    """The macros' defaults hold: known_at := now() is the time of the call, NULL means any."""
    questions = [
        ("SELECT * FROM mart.facts_as_of(DATE '2025-03-01')", ()),
        ("SELECT * FROM mart.expansions()", ()),
        ("SELECT * FROM mart.expansions(region := ?)", ("Europe",)),
        ("SELECT * FROM mart.tariffs_in_force(DATE '2024-11-01')", ()),
        ("SELECT * FROM mart.partnership_timeline(?)", ("Nissan",)),
    ]
    lake = connect(loaded["lake"], read_only=True)
    file = connect(loaded["file"], read_only=True)
    try:
        for query, params in questions:
            answer = lake.execute(query, list(params)).fetchall()
            assert answer and answer == file.execute(query, list(params)).fetchall(), query
    finally:
        lake.close()
        file.close()


def test_sql_and_status_read_the_lake(loaded) -> None:
    runner = CliRunner()
    target = str(loaded["lake"])
    result = runner.invoke(app, ["sql", "SELECT count(*) AS n FROM mart.runs", "--warehouse", target, "-f", "csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout.split() == ["n", "2"]
    result = runner.invoke(app, ["status", "--warehouse", target])
    assert result.exit_code == 0 and "completed" in result.stdout
    result = runner.invoke(app, ["quarantine", "--warehouse", target, "-f", "csv"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["report", "--warehouse", target])
    assert result.exit_code == 0 and result.stdout.strip().endswith("index.html"), result.output
    result = runner.invoke(app, ["status", "--warehouse", target, "--db", "other.duckdb"])
    assert result.exit_code == 1 and "not both" in result.output
