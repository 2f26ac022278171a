"""The run report: a self-contained page whose charts render in a real browser."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from flows.report import build_run_report
from warehouse.db import connect, open_warehouse

CHARTS = ["chart-tariffs", "chart-partnerships", "chart-expansions", "chart-outlets", "chart-fetch-outcomes"]


def latest_run(db: Path) -> tuple[str, dict]:
    con = connect(db, read_only=True)
    try:
        run_id, counts = con.execute("SELECT run_id, counts FROM mart.runs ORDER BY started_at DESC LIMIT 1").fetchone()
    finally:
        con.close()
    return run_id, json.loads(counts)


def open_report(browser: Browser, page_path: Path, screenshot: Path) -> dict:
    """Load the report; return its charts (id, data points, SVG marks, size), errors and requests."""
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: requests.append(request.url))
    page.goto(page_path.as_uri())
    charts = []
    for figure in page.locator("figure.chart").all():
        svg = figure.locator("svg")
        box = svg.bounding_box()
        charts.append({
            "id": figure.get_attribute("id"),
            "points": int(figure.get_attribute("data-points") or -1),
            "marks": svg.locator("g.role-mark > *").count(),
            "empty": "no-data" in (figure.get_attribute("class") or ""),
            "svg_text": svg.text_content() or "",
            "size": (box["width"], box["height"]) if box else (0, 0),
        })
    page.screenshot(path=str(screenshot), full_page=True)
    text = page.locator("body").inner_text()
    page.close()
    return {"charts": charts, "errors": errors, "requests": requests, "text": text}


def test_report_charts_render_with_data_in_chromium(demo_db: Path, browser: Browser, tmp_path: Path) -> None:
    run_id, counts = latest_run(demo_db)
    page_path = build_run_report(demo_db, None, tmp_path / "reports" / run_id)
    assert page_path == tmp_path / "reports" / run_id / "index.html"
    shown = open_report(browser, page_path, tmp_path / "report.png")
    assert [c["id"] for c in shown["charts"]] == CHARTS
    for chart in shown["charts"]:
        assert chart["points"] > 0, chart["id"]
        assert chart["marks"] >= chart["points"], chart["id"]
        assert not chart["empty"] and "no data" not in chart["svg_text"], chart["id"]
        assert chart["size"][0] > 100 and chart["size"][1] > 40, chart["id"]
    assert shown["errors"] == []
    assert [url for url in shown["requests"] if not url.startswith("file://")] == []
    assert (tmp_path / "report.png").stat().st_size > 10_000
    assert run_id in shown["text"] and "Honda + Nissan (merger)" in page_path.read_text()
    assert f"discovered\t{counts['discovered']}" in shown["text"]


def test_report_lists_the_failures_of_the_run(demo_db: Path, tmp_path: Path) -> None:
    run_id, counts = latest_run(demo_db)
    text = build_run_report(demo_db, run_id, tmp_path / run_id).read_text()
    failures = text.split('id="failures"', 1)[1].split("<h2>", 1)[0]
    if counts["outcome_failed"] + counts["outcome_gave_up"] == 0:
        assert "No URL failed." in failures
    else:
        assert failures.count("<tr>") == counts["outcome_failed"] + counts["outcome_gave_up"] + 1


def test_report_is_self_contained(demo_db: Path, tmp_path: Path) -> None:
    text = build_run_report(demo_db, None, tmp_path).read_text()
    assert "<script" not in text and "<link" not in text
    assert "src=" not in text and "@import" not in text
    assert text.count("<svg") == len(CHARTS)


def test_empty_warehouse_renders_every_chart_with_a_no_data_note(browser: Browser, tmp_path: Path) -> None:
    db = tmp_path / "empty.duckdb"
    with open_warehouse(db):
        pass
    page_path = build_run_report(db, None, tmp_path / "reports" / "none")
    shown = open_report(browser, page_path, tmp_path / "empty.png")
    assert [c["id"] for c in shown["charts"]] == CHARTS
    for chart in shown["charts"]:
        assert chart["points"] == 0 and chart["empty"] and "no data" in chart["svg_text"], chart["id"]
    assert shown["errors"] == []
    assert "no run yet" in shown["text"]


def test_unknown_run_is_an_error(demo_db: Path, tmp_path: Path) -> None:
    with pytest.raises(LookupError, match="newsledger status"):
        build_run_report(demo_db, "nightly-19700101T000000Z-000000", tmp_path)


def _figures(page_path: Path) -> dict[str, tuple[int, str]]:
    """Each chart's id -> (data points, caption) as written in the page."""
    found = re.findall(r'<figure class="[^"]*" id="([^"]+)" data-points="(\d+)"><figcaption>([^<]*)</figcaption>',
                       page_path.read_text())
    return {chart: (int(points), html.unescape(caption)) for chart, points, caption in found}


def test_fact_charts_draw_the_facts_that_changed_last_and_say_so(demo_db: Path, tmp_path: Path) -> None:
    whole = _figures(build_run_report(demo_db, None, tmp_path / "whole"))
    capped = _figures(build_run_report(demo_db, None, tmp_path / "capped", max_facts=2))
    con = connect(demo_db, read_only=True)
    try:
        totals = dict(con.execute(
            "SELECT fact_type, count(DISTINCT fact_id) FROM mart.fact_timeline() "
            "WHERE fact_type <> 'tariff' OR rate_pct IS NOT NULL GROUP BY fact_type").fetchall())
        current_expansions, = con.execute(
            "SELECT count(*) FROM mart.fact_timeline() WHERE fact_type = 'expansion' AND valid_to IS NULL").fetchone()
    finally:
        con.close()
    totals["expansion"] = current_expansions
    for chart, fact_type in (("chart-tariffs", "tariff"), ("chart-partnerships", "partnership"),
                             ("chart-expansions", "expansion")):
        assert totals[fact_type] > 2, fact_type  # the demo has more facts of each type than the cap
        assert capped[chart][1].endswith(f": the 2 facts that changed last, of {totals[fact_type]}"), capped[chart]
        assert 0 < capped[chart][0] < whole[chart][0], chart
        assert "changed last" not in whole[chart][1]  # under the default cap, every fact is drawn
    assert capped["chart-outlets"] == whole["chart-outlets"]


def test_fact_charts_draw_the_last_states_of_each_fact_and_say_so(demo_db: Path, tmp_path: Path) -> None:
    whole = _figures(build_run_report(demo_db, None, tmp_path / "whole"))
    one_state = _figures(build_run_report(demo_db, None, tmp_path / "one", max_states=1))
    con = connect(demo_db, read_only=True)
    try:
        most_states, = con.execute("SELECT max(n) FROM (SELECT count(*) AS n FROM mart.fact_timeline() "
                                   "WHERE fact_type = 'partnership' GROUP BY fact_id)").fetchone()
    finally:
        con.close()
    assert most_states > 1  # a partnership of the demo changed status (Ford and Xiaomi: reported, denied)
    assert one_state["chart-partnerships"][1].endswith(": the last 1 states of each"), one_state["chart-partnerships"]
    assert one_state["chart-partnerships"][0] < whole["chart-partnerships"][0]
