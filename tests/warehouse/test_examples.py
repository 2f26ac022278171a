"""The example questions of warehouse/examples/*.sql, answered by the demo warehouse.

The demo's gold facts are in flows/demo_site/articles/*.json; the checks below use the
facts that the rule-based extractors get right on it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import pytest

from flows.demo import DEMO_QUESTIONS, example_sql
from warehouse.db import connect

Rows = list[dict[str, object]]
EXAMPLES = sorted(p.name[:-4] for p in (resources.files("warehouse") / "examples").iterdir() if p.name.endswith(".sql"))


def answer(db: Path, name: str) -> Rows:
    """The rows of example ``name`` as dicts."""
    con = connect(db, read_only=True)
    try:
        cursor = con.execute(example_sql(name))
        columns = [d[0] for d in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _keys(rows: Rows, *columns: str) -> set[tuple]:
    return {tuple(row[c] for c in columns) for row in rows}


def check_partnership_status(rows: Rows) -> None:
    found = _keys(rows, "parties", "form", "status", "since")
    assert ("Honda + Nissan", "merger", "ended", _day("2025-02-13")) in found
    assert ("Leapmotor + Stellantis", "joint_venture", "agreed") in _keys(rows, "parties", "form", "status")
    assert ("CATL + Ford", "licensing", "agreed") in _keys(rows, "parties", "form", "status")


def check_tariffs_in_force(rows: Rows) -> None:
    found = _keys(rows, "imposer", "target", "product", "company", "rate_pct")
    assert ("United States", "China", "electric vehicles", None, 100.0) in found
    assert ("Canada", "China", "electric vehicles", None, 100.0) in found
    assert ("European Union", "China", "electric vehicles", "SAIC", 35.3) in found
    assert ("European Union", "China", "BYD", 17.0) in _keys(rows, "imposer", "target", "company", "rate_pct")
    assert next(r["since"] for r in rows if r["imposer"] == "Canada") == _day("2024-10-01")


def check_expansions_by_company(rows: Rows) -> None:
    found = _keys(rows, "company", "region", "form", "status")
    assert {("BYD", "Thailand", "production", "active"), ("Leapmotor", "Europe", "sales", "active")} <= found


def check_partnership_timeline(rows: Rows) -> None:
    merger = [r for r in rows if r["parties"] == "Honda + Nissan" and r["form"] == "merger"]
    assert merger[-1]["status"] == "ended" and merger[-1]["since"] == _day("2025-02-13") and merger[-1]["until"] is None
    assert merger[-2]["status"] in ("reported", "negotiating") and merger[-2]["until"] == _day("2025-02-13")
    assert all("Nissan" in r["parties"] for r in rows)


def check_partnerships_as_of(rows: Rows) -> None:
    status = {(r["parties"], r["form"]): r["status"] for r in rows}
    assert status[("Honda + Nissan", "merger")] in ("reported", "negotiating")
    assert status[("Leapmotor + Stellantis", "joint_venture")] == "agreed"
    assert ("CATL + Ford", "licensing") not in status  # announced in 2025
    assert all(r["since"] <= _day("2024-12-20") for r in rows)


def check_tariffs_on_date(rows: Rows) -> None:
    found = _keys(rows, "imposer", "target", "product", "rate_pct")
    assert ("United States", "China", "electric vehicles", 100.0) in found
    assert ("Canada", "China", "electric vehicles", 100.0) in found
    assert not {r["imposer"] for r in rows} & {"European Union"}  # EU duties start on 30 October
    assert "all origins" not in {r["target"] for r in rows}       # the U.S. car tariff starts in 2025


def check_expansions_in_region(rows: Rows) -> None:
    assert ("BYD", "Thailand", "production", "active") in _keys(rows, "company", "region", "form", "status")
    assert {r["region"] for r in rows} <= {"Southeast Asia", "Thailand", "Indonesia", "Vietnam", "Malaysia",
                                           "Philippines", "Singapore", "Cambodia", "Laos", "Myanmar"}


def check_tariff_changes(rows: Rows) -> None:
    us = [(r["status"], r["rate_pct"]) for r in rows
          if (r["imposer"], r["target"], r["product"]) == ("United States", "China", "electric vehicles")]
    assert ("proposed", 100.0) in us[:-1] and us[-1] == ("in_effect", 100.0)  # planned in May, in force in September
    canada = [(r["status"], r["until"]) for r in rows if r["imposer"] == "Canada"]
    assert canada == [("proposed", _day("2024-10-01")), ("in_effect", None)]


def check_facts_per_outlet(rows: Rows) -> None:
    facts = {(r["outlet"], r["fact_type"]): r["facts"] for r in rows}
    assert facts[("Trade Route News", "tariff")] >= 8
    assert facts[("Carmaker Weekly", "partnership")] >= 2
    assert facts[("Voltline", "expansion")] >= 2
    assert "unknown" not in {r["outlet"] for r in rows}


def check_corroborated_facts(rows: Rows) -> None:
    honda = [r for r in rows if r["fact"] == "Honda + Nissan"]
    assert [r["published"] for r in honda] == [_day("2024-12-18"), _day("2024-12-23"), _day("2025-02-13")]
    assert honda[-1]["stated_status"] == "ended" and honda[-1]["current_status"] == "ended"
    assert all(r["evidence"] for r in rows)


def check_failed_urls(rows: Rows, counts: dict[str, int]) -> None:
    assert len(rows) == counts["outcome_failed"] + counts["outcome_gave_up"]
    assert all(r["outcome"] in ("failed", "gave_up") and r["error"] for r in rows)


def check_learned_in_latest_run(rows: Rows) -> None:
    assert ("partnership", "Honda + Nissan", "ended") in _keys(rows, "fact_type", "fact", "status")
    assert ("tariff", "Canada -> China", "in_effect") in _keys(rows, "fact_type", "fact", "status")


CHECKS: dict[str, Callable[..., None]] = {
    "partnership_status": check_partnership_status,
    "tariffs_in_force": check_tariffs_in_force,
    "expansions_by_company": check_expansions_by_company,
    "partnership_timeline": check_partnership_timeline,
    "partnerships_as_of": check_partnerships_as_of,
    "tariffs_on_date": check_tariffs_on_date,
    "expansions_in_region": check_expansions_in_region,
    "tariff_changes": check_tariff_changes,
    "facts_per_outlet": check_facts_per_outlet,
    "corroborated_facts": check_corroborated_facts,
    "failed_urls": check_failed_urls,
    "learned_in_latest_run": check_learned_in_latest_run,
}


def test_every_example_asks_a_question_and_is_checked() -> None:
    assert len(EXAMPLES) >= 12
    assert {name for _, name in DEMO_QUESTIONS} <= set(EXAMPLES)
    assert sorted(CHECKS) == EXAMPLES
    for name in EXAMPLES:
        first = example_sql(name).splitlines()[0]
        assert first.startswith("-- ") and first.rstrip().endswith("?"), name


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_gives_the_right_answer(demo_db: Path, name: str) -> None:
    if name == "failed_urls":
        check_failed_urls(answer(demo_db, name), latest_counts(demo_db))
    else:
        CHECKS[name](answer(demo_db, name))


def latest_counts(db: Path) -> dict[str, int]:
    """The counts of the latest run, from mart.runs."""
    con = connect(db, read_only=True)
    try:
        return json.loads(con.execute("SELECT counts FROM mart.runs ORDER BY started_at DESC LIMIT 1").fetchone()[0])
    finally:
        con.close()
