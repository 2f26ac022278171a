"""Time-travel macros of the mart: facts_as_of, fact_timeline, tariffs_in_force,
partnership_timeline, expansions; and the reference tables they resolve names with."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from transforms.registry import Registry
from warehouse import REFERENCE_DIR
from warehouse.db import open_warehouse, refresh_history
from warehouse.reference import load_reference

UTC = dt.UTC
RUN_1 = dt.datetime(2025, 1, 1, 1, tzinfo=UTC)
RUN_2 = dt.datetime(2025, 3, 1, 1, tzinfo=UTC)

_COLUMNS = ("mention_id", "fact_id", "fact_type", "article_id", "article_url", "published_at", "parties", "form",
            "status", "imposer", "target", "product", "product_category", "rate_pct", "company", "region",
            "evidence", "valid_from", "extractor_version", "run_id")
_INSERT = f"INSERT INTO core.fact_mentions ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"


def _day(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC) if text else None


def _mention(con, fact_id: str, url: str, day: str, status: str, **fields: object) -> None:
    """Insert one mention; fields override the partnership defaults."""
    row: dict[str, object] = {
        "mention_id": f"{fact_id}-{url}-{status}", "fact_id": fact_id, "fact_type": "partnership",
        "article_id": url, "article_url": url, "published_at": _day(day), "parties": ["Honda", "Nissan"],
        "form": "merger", "status": status, "evidence": "e", "extractor_version": "t", "run_id": "r",
    }
    row |= fields
    if isinstance(row.get("valid_from"), str):
        row["valid_from"] = _day(row["valid_from"])  # type: ignore[arg-type]
    con.execute(_INSERT, [row.get(column) for column in _COLUMNS])


def _tariff(con, fact_id: str, url: str, day: str, status: str, rate: float, **fields: object) -> None:
    tariff: dict[str, object] = {"fact_type": "tariff", "parties": None, "form": None, "imposer": "United States",
                                 "target": "China", "product": "electric vehicles",
                                 "product_category": "electric vehicles", "rate_pct": rate}
    _mention(con, fact_id, url, day, status, **(tariff | fields))


def _expansion(con, fact_id: str, company: str, region: str, form: str) -> None:
    _mention(con, fact_id, f"{fact_id}-url", "2024-07-05", "active", fact_type="expansion", parties=None,
             form=form, company=company, region=region)


@pytest.fixture
def con(tmp_path: Path):
    with open_warehouse(tmp_path / "m.duckdb") as connection:
        yield connection


def _as_of(con, valid_at: str, known_at: dt.datetime | None = None) -> dict[str, str]:
    """fact_id -> status from mart.facts_as_of."""
    if known_at is None:
        rows = con.execute("SELECT fact_id, status FROM mart.facts_as_of(CAST(? AS DATE))", [valid_at]).fetchall()
    else:
        rows = con.execute("SELECT fact_id, status FROM mart.facts_as_of(CAST(? AS DATE), known_at := ?)",
                           [valid_at, known_at]).fetchall()
    return dict(rows)


def test_facts_as_of_gives_the_status_at_each_date(con) -> None:
    _mention(con, "f1", "a1", "2024-12-18", "reported")
    _mention(con, "f1", "a2", "2024-12-23", "negotiating")
    refresh_history(con, "r1", RUN_1)
    assert _as_of(con, "2024-12-01") == {}
    assert _as_of(con, "2024-12-20") == {"f1": "reported"}
    assert _as_of(con, "2024-12-24") == {"f1": "negotiating"}


def test_facts_as_of_returns_the_identifying_fields(con) -> None:
    _mention(con, "f1", "a1", "2024-12-18", "reported")
    refresh_history(con, "r1", RUN_1)
    cursor = con.execute("SELECT * FROM mart.facts_as_of(DATE '2024-12-20')")
    columns = [d[0] for d in cursor.description]
    assert columns == ["fact_id", "fact_type", "parties", "form", "imposer", "target", "product", "company",
                       "region", "status", "rate_pct", "valid_from", "valid_to"]
    row = dict(zip(columns, cursor.fetchone(), strict=True))
    assert (row["fact_type"], row["parties"], row["form"], row["valid_to"]) == ("partnership", ["Honda", "Nissan"],
                                                                               "merger", None)


def test_a_fact_first_recorded_later_is_unknown_before_that_run(con) -> None:
    _mention(con, "f1", "a1", "2024-12-18", "reported")
    refresh_history(con, "r1", RUN_1)
    _mention(con, "f2", "b1", "2024-12-10", "agreed", parties=["CATL", "Ford"], form="licensing")
    refresh_history(con, "r2", RUN_2)
    assert _as_of(con, "2024-12-31", known_at=RUN_1) == {"f1": "reported"}
    assert _as_of(con, "2024-12-31", known_at=RUN_2) == {"f1": "reported", "f2": "agreed"}
    assert _as_of(con, "2024-12-31") == {"f1": "reported", "f2": "agreed"}
    assert _as_of(con, "2024-12-31", known_at=RUN_1 - dt.timedelta(seconds=1)) == {}


def test_a_recut_history_keeps_what_was_known_before(con) -> None:
    _mention(con, "f1", "a1", "2024-12-18", "reported")
    _mention(con, "f1", "a3", "2025-02-13", "ended")
    refresh_history(con, "r1", RUN_1)
    _mention(con, "f1", "a2", "2024-12-23", "negotiating")   # a backfill finds the missing step
    refresh_history(con, "r2", RUN_2)
    assert _as_of(con, "2025-01-05", known_at=RUN_1) == {"f1": "reported"}
    assert _as_of(con, "2025-01-05", known_at=RUN_2) == {"f1": "negotiating"}
    timeline = con.execute("SELECT status FROM mart.fact_timeline(known_at := ?)", [RUN_1]).fetchall()
    assert [s for (s,) in timeline] == ["reported", "ended"]
    timeline = con.execute("SELECT status FROM mart.fact_timeline()").fetchall()
    assert [s for (s,) in timeline] == ["reported", "negotiating", "ended"]


def test_tariffs_in_force_on_a_day(con) -> None:
    _tariff(con, "t1", "a1", "2024-05-15", "proposed", 100.0)
    _tariff(con, "t1", "a2", "2024-09-16", "in_effect", 100.0, valid_from="2024-09-27")
    _tariff(con, "t2", "b1", "2024-03-01", "in_effect", 25.0, product="batteries", product_category="batteries")
    _tariff(con, "t2", "b2", "2025-01-01", "lifted", 25.0, product="batteries", product_category="batteries")
    refresh_history(con, "r1", RUN_1)

    def in_force(day: str) -> dict[str, float]:
        rows = con.execute("SELECT fact_id, rate_pct FROM mart.tariffs_in_force(CAST(? AS DATE))", [day]).fetchall()
        return dict(rows)

    assert in_force("2024-06-01") == {"t2": 25.0}
    assert in_force("2024-09-26") == {"t2": 25.0}
    assert in_force("2024-09-27") == {"t1": 100.0, "t2": 25.0}
    assert in_force("2024-12-31") == {"t1": 100.0, "t2": 25.0}
    assert in_force("2025-01-01") == {"t1": 100.0}
    assert con.execute("SELECT count(*) FROM mart.tariffs_in_force('2024-10-01')").fetchone()[0] == 2


def test_partnership_timeline_orders_every_state_of_the_company_deals(con) -> None:
    con.execute("INSERT INTO core.dim_company VALUES ('Nissan', ['Nissan Motor'], 'Japan', 'carmaker')")
    _mention(con, "f1", "a3", "2025-02-13", "ended")
    _mention(con, "f1", "a1", "2024-12-18", "reported")
    _mention(con, "f1", "a2", "2024-12-23", "negotiating")
    _mention(con, "f2", "b1", "2024-12-23", "agreed", parties=["Mitsubishi Motors", "Nissan"], form="investment")
    _mention(con, "f3", "c1", "2024-11-13", "agreed", parties=["Rivian", "Volkswagen"], form="joint_venture")
    refresh_history(con, "r1", RUN_1)
    rows = con.execute("SELECT array_to_string(parties, '+'), status, CAST(valid_to AS DATE)::VARCHAR "
                       "FROM mart.partnership_timeline('nissan motor')").fetchall()
    assert rows == [("Honda+Nissan", "reported", "2024-12-23"), ("Honda+Nissan", "negotiating", "2025-02-13"),
                    ("Honda+Nissan", "ended", None), ("Mitsubishi Motors+Nissan", "agreed", None)]
    assert con.execute("SELECT count(*) FROM mart.partnership_timeline('Toyota')").fetchone()[0] == 0


def test_expansions_in_a_macro_region_include_its_countries(con) -> None:
    load_reference(con, Registry.load(REFERENCE_DIR))
    _expansion(con, "e1", "BYD", "Hungary", "production")
    _expansion(con, "e2", "Leapmotor", "Europe", "sales")
    _expansion(con, "e3", "BYD", "Thailand", "production")
    _expansion(con, "e4", "BYD", "Brazil", "production")
    refresh_history(con, "r1", RUN_1)

    def found(region: str | None = None, company: str | None = None) -> set[tuple[str, str]]:
        query = "SELECT company, region FROM mart.expansions(company := ?, region := ?)"
        return {(c, r) for c, r in con.execute(query, [company, region]).fetchall()}

    assert found("Europe") == {("BYD", "Hungary"), ("Leapmotor", "Europe")}
    assert found("Hungary") == {("BYD", "Hungary")}
    assert found("southeast asia") == {("BYD", "Thailand")}
    assert found("EU") == {("BYD", "Hungary")}
    assert found("Latin America", company="byd") == {("BYD", "Brazil")}
    assert found(company="BYD") == {("BYD", "Hungary"), ("BYD", "Thailand"), ("BYD", "Brazil")}
    assert len(found()) == 4
    statuses = con.execute("SELECT DISTINCT status, valid_to FROM mart.expansions()").fetchall()
    assert statuses == [("active", None)]


def test_load_reference_fills_places_with_their_regions_and_is_repeatable(con) -> None:
    registry = Registry.load(REFERENCE_DIR)
    first = load_reference(con, registry)
    assert load_reference(con, registry) == first
    assert con.execute("SELECT count(*) FROM core.dim_place").fetchone()[0] == first["dim_place"] > 100
    hungary, europe = (con.execute("SELECT regions FROM core.dim_place WHERE name = ?", [name]).fetchone()[0]
                       for name in ("Hungary", "Europe"))
    assert "Europe" in hungary and "Hungary" in europe
    assert con.execute("SELECT country FROM core.dim_company WHERE name = 'BYD'").fetchone()[0] == "China"
