"""The run report: one self-contained HTML page per run, ``<reports>/<run_id>/index.html``.

It shows what the run did (counts per stage and per fetch outcome, failures with their
reasons, quarantined rows) and charts of the warehouse as the run left it: tariff rates
over time, each partnership's status over time, expansions by company and region, and
facts per outlet. Charts are Vega-Lite specs rendered to inline SVG by vl-convert, so the
page needs no network and no script.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import altair as alt
import duckdb
import polars as pl
import vl_convert as vlc

from flows.html_page import page
from warehouse.db import Target, connect, read_sql

STAGE_COUNTS = ("discovered", "in_window", "fetched", "not_modified", "articles", "facts")
# Status colours per fact type: in progress light, in force green, over grey, negative red.
PARTNERSHIP_STATUS = {"reported": "#9ecae1", "negotiating": "#4292c6", "agreed": "#31a354", "ended": "#969696",
                      "denied": "#de2d26"}
EXPANSION_STATUS = {"planned": "#9ecae1", "active": "#31a354", "cancelled": "#de2d26"}
WIDTH = 640
MAX_FACTS = 40   # per fact chart, and states per fact: the report stays readable, and as cheap
MAX_STATES = 20  # to draw at a million facts as at ten


@dataclass(frozen=True)
class Chart:
    """One rendered chart: ``points`` is the number of data rows drawn (0: the 'no data' note)."""

    key: str
    title: str
    svg: str
    points: int


def build_run_report(db: Target | str, run_id: str | None, out_dir: Path, max_facts: int = MAX_FACTS,
                     max_states: int = MAX_STATES) -> Path:
    """Write the report of run ``run_id`` (None: the latest run) to ``out_dir/index.html``; return its path.

    The warehouse ``db`` (a file, a ``DuckLake`` or its ``ducklake:`` text) is opened
    read-only (waiting up to 30 s for a load to finish).
    Charts show fact history as the warehouse knew it when the run ended: of each fact
    type the ``max_facts`` facts that changed last, each with its last ``max_states``
    states (the caption says so when there are more). A warehouse without runs or facts
    still gives a page, each empty chart saying 'no data'.
    Raises LookupError when ``run_id`` is not in ``mart.runs``.
    """
    con = connect(db, read_only=True, wait_s=30)
    try:
        run = _run(con, run_id)
        if run_id is not None and run is None:
            msg = f"no run {run_id!r} in {db}; `newsledger status` lists the runs"
            raise LookupError(msg)
        known_at = (run or {}).get("ended_at") or dt.datetime.now(dt.UTC)
        tables = _run_tables(con, run)
        charts = _charts(con, known_at, tables["outcomes"], max_facts, max_states)
    finally:
        con.close()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    page = out_dir / "index.html"
    page.write_text(_page(run, known_at, tables, charts, _stage_seconds(out_dir)), encoding="utf-8")
    return page


def _run(con: duckdb.DuckDBPyConnection, run_id: str | None) -> dict[str, Any] | None:
    """The mart.runs row of ``run_id`` (or of the latest run) as a dict, counts decoded."""
    cursor = con.execute(read_sql("report_run"), {"run_id": run_id})
    row = cursor.fetchone()
    if row is None:
        return None
    run = dict(zip([d[0] for d in cursor.description], row, strict=True))
    run["counts"] = json.loads(run["counts"]) if run["counts"] else {}
    run["parameters"] = json.loads(run["parameters"]) if run["parameters"] else {}
    return run


def _run_tables(con: duckdb.DuckDBPyConnection, run: dict[str, Any] | None) -> dict[str, pl.DataFrame]:
    """The run's counts per stage and outcome, its failures and its quarantined rows."""
    run_id = run["run_id"] if run else None
    names = list(STAGE_COUNTS) if run else []
    stages = pl.DataFrame({"stage": names, "count": [run["counts"].get(k) for k in names] if run else []},
                          schema={"stage": pl.String, "count": pl.Int64})
    return {
        "stages": stages,
        "outcomes": con.execute(read_sql("report_outcomes"), {"run_id": run_id}).pl(),
        "failures": con.execute(read_sql("report_failures"), {"run_id": run_id}).pl(),
        "quarantine": con.execute(read_sql("report_quarantine"), {"run_id": run_id}).pl(),
    }


def _charts(con: duckdb.DuckDBPyConnection, known_at: dt.datetime, outcomes: pl.DataFrame,
            max_facts: int, max_states: int) -> list[Chart]:
    """Every chart of the report, in page order: fact history as known at ``known_at`` (the
    ``max_facts`` facts of each type that changed last, their last ``max_states`` states),
    the run's outcomes."""
    current = {"known_at": known_at, "max_facts": max_facts}
    history = current | {"max_states": max_states}
    return [
        _render("tariffs", "Tariff rates over time, per imposer → target",
                con.execute(read_sql("report_tariffs"), history).pl(), _tariff_chart),
        _render("partnerships", "Status of each partnership over time",
                con.execute(read_sql("report_partnerships"), history).pl(), _partnership_chart),
        _render("expansions", "Expansions by company and region (current status)",
                con.execute(read_sql("report_expansions"), current).pl(), _expansion_chart),
        _render("outlets", "Facts per outlet", con.execute(read_sql("report_outlets")).pl(), _outlet_chart),
        _render("fetch-outcomes", "URLs per fetch outcome in this run", outcomes, _outcome_chart),
    ]


def _render(key: str, title: str, data: pl.DataFrame, draw: Callable[[pl.DataFrame], alt.TopLevelMixin]) -> Chart:
    """Draw ``data`` with ``draw`` (or a 'no data' note when empty) and render it to SVG. With
    a ``facts_total`` column (a capped fact chart), the title says how many facts are drawn."""
    if "facts_total" in data.columns:
        title += _cut_note(data)
        data = data.drop("fact_id", "facts_total", "states_cut")
    chart = draw(data) if data.height else _no_data_chart()
    with alt.data_transformers.disable_max_rows():
        spec = chart.properties(description=title).to_json()
    svg = _scope_ids(vlc.vegalite_to_svg(spec), key)
    return Chart(key, title, svg, data.height)


def _cut_note(data: pl.DataFrame) -> str:
    """What a capped fact chart leaves out, for its title ('' when it draws everything)."""
    facts, facts_total = data.get_column("fact_id").n_unique(), data.get_column("facts_total").max() or 0
    notes = [f"the {facts} facts that changed last, of {facts_total}"] if facts_total > facts else []
    if data.get_column("states_cut").any():
        notes.append(f"the last {data.get_column('fact_id').value_counts().get_column('count').max()} states of each")
    return ": " + "; ".join(notes) if notes else ""


def _status_color(colours: dict[str, str]) -> alt.Scale:
    """A colour scale over the statuses of one fact type, in vocabulary order."""
    return alt.Scale(domain=list(colours), range=list(colours.values()))


def _tariff_chart(data: pl.DataFrame) -> alt.LayerChart:
    """Each tariff state as a segment from valid_from to valid_to at its rate; a point where it starts."""
    base = alt.Chart(data).encode(
        x=alt.X("valid_from:T", title="valid from"),
        y=alt.Y("rate_pct:Q", title="rate (%)"),
        color=alt.Color("pair:N", title="imposer → target"),
        tooltip=["pair:N", "product:N", "company:N", "status:N", "rate_pct:Q", "valid_from:T"],
    )
    segments = base.mark_rule(strokeWidth=2, opacity=0.6).encode(x2="valid_until:T")
    points = base.mark_point(size=70, filled=True).encode(shape=alt.Shape("status:N", title="status"))
    return alt.layer(segments, points).properties(width=WIDTH, height=260)


def _partnership_chart(data: pl.DataFrame) -> alt.Chart:
    """A Gantt chart: one row per partnership, one bar per status interval."""
    rows = data.get_column("partnership").n_unique()
    return alt.Chart(data).mark_bar(height=14).encode(
        x=alt.X("valid_from:T", title="valid time"),
        x2="valid_until:T",
        y=alt.Y("partnership:N", title=None),
        color=alt.Color("status:N", scale=_status_color(PARTNERSHIP_STATUS), title="status"),
        tooltip=["partnership:N", "status:N", "valid_from:T", "valid_until:T"],
    ).properties(width=WIDTH, height=max(60, 24 * rows))


def _expansion_chart(data: pl.DataFrame) -> alt.Chart:
    """A grid of company × region, one mark per form, coloured by status."""
    return alt.Chart(data).mark_point(size=160, filled=True).encode(
        x=alt.X("region:N", title="region"),
        xOffset=alt.XOffset("form:N"),
        y=alt.Y("company:N", title=None),
        color=alt.Color("status:N", scale=_status_color(EXPANSION_STATUS), title="status"),
        shape=alt.Shape("form:N", title="form"),
        tooltip=["company:N", "region:N", "form:N", "status:N", "valid_from:T"],
    ).properties(width=max(160, 90 * data.get_column("region").n_unique()))


def _outlet_chart(data: pl.DataFrame) -> alt.Chart:
    """Distinct facts per outlet, stacked by fact type."""
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("sum(facts):Q", title="facts", axis=alt.Axis(format="d", tickMinStep=1)),
        y=alt.Y("outlet:N", title=None, sort="-x"),
        color=alt.Color("fact_type:N", title="fact type"),
        tooltip=["outlet:N", "fact_type:N", "facts:Q"],
    ).properties(width=WIDTH)


def _outcome_chart(data: pl.DataFrame) -> alt.Chart:
    """URLs per fetch outcome."""
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("urls:Q", title="URLs", axis=alt.Axis(format="d", tickMinStep=1)),
        y=alt.Y("outcome:N", title=None, sort="-x"),
        tooltip=["outcome:N", "urls:Q"],
    ).properties(width=WIDTH)


def _no_data_chart() -> alt.Chart:
    """A chart that only says 'no data'."""
    note = alt.Data(values=[{"note": "no data"}])
    return alt.Chart(note).mark_text(fontSize=16, color="#777").encode(text="note:N").properties(
        width=WIDTH, height=60)


def _scope_ids(svg: str, prefix: str) -> str:
    """Prefix the SVG's element ids (clip paths, gradients) so several SVGs can share one page."""
    ids = set(re.findall(r'\bid="([^"]+)"', svg))
    for ident in sorted(ids, key=len, reverse=True):
        svg = re.sub(rf'(\bid="|url\(#|href="#){re.escape(ident)}(?=[")])', rf"\g<1>{prefix}-{ident}", svg)
    return svg


def _stage_seconds(out_dir: Path) -> dict[str, float]:
    """Seconds per stage from the run summary beside the report, when there is one."""
    summary = out_dir / "summary.json"
    if not summary.exists():
        return {}
    try:
        return dict(json.loads(summary.read_text()).get("stage_seconds") or {})
    except (ValueError, AttributeError):
        return {}


def _page(run: dict[str, Any] | None, known_at: dt.datetime, tables: dict[str, pl.DataFrame],
          charts: list[Chart], seconds: dict[str, float]) -> str:
    """The whole HTML page."""
    title = f"newsledger run {run['run_id']}" if run else "newsledger: no runs yet"
    body = [f"<h1>{_e(title)}</h1>", _run_summary(run, known_at)]
    body.append("<h2>Counts per stage</h2>" + _table(tables["stages"], empty="No run, no counts."))
    if seconds:
        timing = pl.DataFrame({"stage": list(seconds), "seconds": [float(v) for v in seconds.values()]})
        body.append("<h2>Time per stage</h2>" + _table(timing))
    body.append("<h2>URLs per fetch outcome</h2>" + _table(tables["outcomes"], empty="No URL was fetched."))
    body.append('<h2 id="failures">Failures</h2>' + _table(tables["failures"], empty="No URL failed."))
    body.append("<h2>Quarantined rows</h2>" + _table(tables["quarantine"], empty="No row was quarantined."))
    body.append("<h2>Charts</h2>" + "".join(_figure(chart) for chart in charts))
    return page(_e(title), "\n".join(body), _STYLE, viewport=True)


def _run_summary(run: dict[str, Any] | None, known_at: dt.datetime) -> str:
    """A definition list of the run's identity, outcome and error."""
    if run is None:
        return "<p>The warehouse has no run yet.</p>"
    items = [("kind", run["kind"]), ("started", run["started_at"]), ("ended", run["ended_at"]),
             ("outcome", run["outcome"]), ("error", run["error"]), ("facts as known at", known_at)]
    items += [(name, value) for name, value in run["parameters"].items() if value is not None]
    cells = "".join(f"<dt>{_e(k)}</dt><dd>{_e(_text(v))}</dd>" for k, v in items if v is not None)
    return f'<dl class="run outcome-{_e(run["outcome"])}">{cells}</dl>'


def _figure(chart: Chart) -> str:
    """A chart in its figure; an empty chart (its SVG says 'no data') is marked with the class no-data."""
    kind = "chart" if chart.points else "chart no-data"
    return (f'<figure class="{kind}" id="chart-{chart.key}" data-points="{chart.points}">'
            f"<figcaption>{_e(chart.title)}</figcaption>{chart.svg}</figure>")


def _table(frame: pl.DataFrame, empty: str = "None.") -> str:
    """An HTML table of ``frame``, or a sentence when it has no rows."""
    if frame.height == 0:
        return f'<p class="empty">{_e(empty)}</p>'
    head = "".join(f"<th>{_e(name)}</th>" for name in frame.columns)
    rows = "".join("<tr>" + "".join(f"<td>{_e(_text(v))}</td>" for v in row) + "</tr>" for row in frame.iter_rows())
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _text(value: object) -> str:
    """A cell value as text: empty for NULL, ISO for times."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return str(value)


def _e(value: object) -> str:
    return html.escape(str(value))


_STYLE = """h1 { font-size: 1.4rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
dl.run { display: grid; grid-template-columns: max-content auto; gap: 0.2rem 1rem; }
dl.run dt { font-weight: 600; } dl.run dd { margin: 0; }
dl.outcome-failed { border-left: 4px solid #c33; padding-left: 0.5rem; }
figure.chart { margin: 1.5rem 0; } figcaption { font-weight: 600; margin-bottom: 0.5rem; }
figure.chart svg { max-width: 100%; height: auto; }
p.empty { color: #777; }
"""
