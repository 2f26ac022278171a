"""SCD type 2 history on valid time, with known time kept (rows closed, never deleted)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from warehouse.db import open_warehouse, refresh_history

UTC = dt.UTC


def _mention(con, url: str, day: str, status: str, rate: float | None = None, valid_from: str | None = None) -> None:
    published = dt.datetime.fromisoformat(day).replace(tzinfo=UTC)
    start = dt.datetime.fromisoformat(valid_from).replace(tzinfo=UTC) if valid_from else None
    con.execute(
        "INSERT INTO core.fact_mentions (mention_id, fact_id, fact_type, article_id, article_url, published_at, "
        "parties, form, status, rate_pct, evidence, valid_from, extractor_version, run_id) "
        "VALUES (?, 'f1', 'partnership', ?, ?, ?, ['A', 'B'], 'merger', ?, ?, 'e', ?, 't', 'r')",
        [f"{url}-{status}", url, url, published, status, rate, start],
    )


def _history(con) -> list[tuple]:
    return con.execute(
        "SELECT status, CAST(valid_from AS DATE)::VARCHAR, CAST(valid_to AS DATE)::VARCHAR, article_url "
        "FROM mart.fact_history ORDER BY valid_from").fetchall()


def _refresh(con, run: str, hour: int) -> None:
    refresh_history(con, run, dt.datetime(2025, 1, 1, hour, tzinfo=UTC))


@pytest.fixture
def con(tmp_path: Path):
    with open_warehouse(tmp_path / "h.duckdb") as connection:
        yield connection


def test_status_change_closes_the_open_row(con) -> None:
    _mention(con, "a1", "2024-12-18", "reported")
    _mention(con, "a2", "2024-12-23", "negotiating")
    _refresh(con, "r1", 1)
    assert _history(con) == [("reported", "2024-12-18", "2024-12-23", "a1"),
                             ("negotiating", "2024-12-23", None, "a2")]


def test_repeated_status_adds_no_row(con) -> None:
    _mention(con, "a1", "2024-12-18", "negotiating")
    _mention(con, "a2", "2024-12-20", "negotiating")
    _refresh(con, "r1", 1)
    assert _history(con) == [("negotiating", "2024-12-18", None, "a1")]


def test_late_older_article_recuts_history_and_keeps_known_time(con) -> None:
    _mention(con, "a2", "2024-12-23", "negotiating")
    _mention(con, "a3", "2025-02-13", "ended")
    _refresh(con, "r1", 1)
    _mention(con, "a1", "2024-12-18", "reported")   # a backfill brings an older report
    _refresh(con, "r2", 2)
    assert _history(con) == [("reported", "2024-12-18", "2024-12-23", "a1"),
                             ("negotiating", "2024-12-23", "2025-02-13", "a2"),
                             ("ended", "2025-02-13", None, "a3")]
    closed = con.execute("SELECT count(*) FROM core.fact_history WHERE known_to IS NOT NULL").fetchone()[0]
    assert closed == 0  # the open rows were unchanged: nothing needed closing
    assert con.execute("SELECT count(DISTINCT run_id) FROM core.fact_history").fetchone()[0] == 2


def test_late_article_between_states_closes_the_superseded_row(con) -> None:
    _mention(con, "a1", "2024-12-18", "reported")
    _mention(con, "a3", "2025-02-13", "ended")
    _refresh(con, "r1", 1)
    _mention(con, "a2", "2024-12-23", "negotiating")
    _refresh(con, "r2", 2)
    assert [row[0] for row in _history(con)] == ["reported", "negotiating", "ended"]
    superseded = con.execute(
        "SELECT status, CAST(valid_to AS DATE)::VARCHAR FROM core.fact_history WHERE known_to IS NOT NULL").fetchall()
    assert superseded == [("reported", "2025-02-13")]


def test_reloading_the_same_mentions_changes_nothing(con) -> None:
    _mention(con, "a1", "2024-12-18", "reported")
    _mention(con, "a2", "2024-12-23", "negotiating")
    _refresh(con, "r1", 1)
    before = con.execute("SELECT * FROM core.fact_history ORDER BY valid_from").fetchall()
    _refresh(con, "r2", 2)
    assert con.execute("SELECT * FROM core.fact_history ORDER BY valid_from").fetchall() == before


def test_state_holds_from_the_date_the_article_gives(con) -> None:
    _mention(con, "a1", "2024-08-27", "reported")
    _mention(con, "a2", "2024-09-16", "agreed", valid_from="2024-09-27")
    _refresh(con, "r1", 1)
    assert _history(con)[-1] == ("agreed", "2024-09-27", None, "a2")


def test_migrations_are_recorded_and_idempotent(tmp_path: Path) -> None:
    from importlib import resources

    from warehouse.db import migrate

    scripts = sorted(p.name for p in (resources.files("warehouse") / "migrations").iterdir() if p.name.endswith(".sql"))
    with open_warehouse(tmp_path / "m.duckdb") as connection:
        assert migrate(connection) == []
        versions = connection.execute("SELECT version FROM main.schema_migrations ORDER BY version").fetchall()
    assert [v for (v,) in versions] == [int(name.split("_")[0]) for name in scripts]


def test_loads_that_recut_only_their_facts_leave_what_a_full_recut_gives(dev_site, tmp_path: Path) -> None:
    """Three monthly partitions, each load re-cutting only the facts it touched; a re-cut of
    every fact afterwards finds nothing to close and nothing to open."""
    from flows.backfill import backfill
    from tests.conftest import table_rows

    db = tmp_path / "w.duckdb"
    backfill(dt.date(2024, 10, 1), dt.date(2024, 12, 31), dev_site.sources, db=str(db), allow_private_hosts=True)
    loaded = table_rows(db, "core.fact_history")
    with open_warehouse(db) as con:
        assert con.execute("SELECT count(*) FROM core.runs WHERE outcome = 'completed'").fetchone()[0] == 3
        con.execute("BEGIN")
        refresh_history(con, "full-recut", dt.datetime.now(UTC))
        con.execute("COMMIT")
    assert len(loaded) >= 20
    assert table_rows(db, "core.fact_history") == loaded
