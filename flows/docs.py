"""The data dictionary of the warehouse, generated from its catalog comments.

Every ``mart`` view, column and table macro carries a ``COMMENT ON`` (see
``warehouse/views/99_comments.sql``); this module writes them, with the example questions
of ``warehouse/examples/*.sql``, as Markdown and as a self-contained HTML page.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import duckdb

from flows.html_page import page
from warehouse.db import Target, connect, read_sql


@dataclass(frozen=True)
class Column:
    """A column of a mart view."""

    name: str
    data_type: str
    comment: str


@dataclass(frozen=True)
class View:
    """A mart view and its columns."""

    name: str
    comment: str
    columns: tuple[Column, ...]


@dataclass(frozen=True)
class Macro:
    """A mart table macro."""

    name: str
    parameters: tuple[str, ...]
    comment: str


@dataclass(frozen=True)
class Example:
    """An example question (``warehouse/examples/<name>.sql``) and its SQL."""

    name: str
    question: str
    sql: str


def write_data_dictionary(db: Target | str, out_dir: Path) -> list[Path]:
    """Write ``out_dir/data_dictionary.md`` and ``out_dir/data_dictionary.html``; return both paths.

    Read from the catalog of the warehouse ``db`` (opened read-only, waiting up to 30 s
    for a load): every mart view with its columns (name, type, comment), every mart table
    macro with its parameters, and the example questions. A missing comment is written
    as '(undocumented)'.
    """
    con = connect(db, read_only=True, wait_s=30)
    try:
        views, macros = read_catalog(con)
    finally:
        con.close()
    examples = read_examples()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    markdown = out_dir / "data_dictionary.md"
    markdown.write_text(_markdown(views, macros, examples), encoding="utf-8")
    page = out_dir / "data_dictionary.html"
    page.write_text(_html(views, macros, examples), encoding="utf-8")
    return [markdown, page]


def read_catalog(con: duckdb.DuckDBPyConnection) -> tuple[list[View], list[Macro]]:
    """The mart views (with columns) and table macros of the warehouse, by name."""
    columns: dict[str, list[Column]] = {}
    for table, name, data_type, comment in con.execute(read_sql("catalog_columns")).fetchall():
        columns.setdefault(table, []).append(Column(name, data_type, comment or ""))
    views = [View(name, comment or "", tuple(columns.get(name, ())))
             for name, comment in con.execute(read_sql("catalog_views")).fetchall()]
    macros = [Macro(name, tuple(parameters or ()), comment or "")
              for name, parameters, comment in con.execute(read_sql("catalog_macros")).fetchall()]
    return views, macros


def read_examples() -> list[Example]:
    """The example questions of ``warehouse/examples/*.sql``, by file name."""
    folder = resources.files("warehouse") / "examples"
    examples = []
    for script in sorted(folder.iterdir(), key=lambda p: p.name):
        if script.name.endswith(".sql"):
            sql = script.read_text()
            first = sql.splitlines()[0] if sql else ""
            examples.append(Example(script.name[:-4], first.removeprefix("--").strip(), sql.strip()))
    return examples


def _markdown(views: list[View], macros: list[Macro], examples: list[Example]) -> str:
    """The dictionary as Markdown."""
    lines = ["# newsledger data dictionary", "",
             "Views and table macros of the `mart` schema, for analysts. Times are UTC.", "", "## Views", ""]
    for view in views:
        lines += [f"### mart.{view.name}", "", _md(view.comment), "", "| column | type | meaning |", "|---|---|---|"]
        lines += [f"| `{c.name}` | {_md(c.data_type)} | {_md(c.comment)} |" for c in view.columns]
        lines.append("")
    lines += ["## Table macros", ""]
    for macro in macros:
        lines += [f"### mart.{macro.name}({', '.join(macro.parameters)})", "", _md(macro.comment), ""]
    lines += ["## Example questions", ""]
    for example in examples:
        lines += [f"### {example.question}", "", f"`warehouse/examples/{example.name}.sql`", "", "```sql",
                  example.sql, "```", ""]
    return "\n".join(lines)


def _md(text: str) -> str:
    """Text for a Markdown table cell."""
    return (text or "(undocumented)").replace("|", "\\|").replace("\n", " ")


def _html(views: list[View], macros: list[Macro], examples: list[Example]) -> str:
    """The dictionary as one self-contained HTML page."""
    parts = ["<h1>newsledger data dictionary</h1>",
             "<p>Views and table macros of the <code>mart</code> schema, for analysts. Times are UTC.</p>",
             "<h2>Views</h2>"]
    for view in views:
        rows = "".join(f"<tr><td><code>{_e(c.name)}</code></td><td>{_e(c.data_type)}</td><td>{_e(c.comment)}</td></tr>"
                       for c in view.columns)
        parts.append(f'<h3 id="{_e(view.name)}">mart.{_e(view.name)}</h3><p>{_e(view.comment)}</p>'
                     f"<table><thead><tr><th>column</th><th>type</th><th>meaning</th></tr></thead>"
                     f"<tbody>{rows}</tbody></table>")
    parts.append("<h2>Table macros</h2>")
    for macro in macros:
        parts.append(f'<h3 id="{_e(macro.name)}">mart.{_e(macro.name)}({_e(", ".join(macro.parameters))})</h3>'
                     f"<p>{_e(macro.comment)}</p>")
    parts.append("<h2>Example questions</h2>")
    for example in examples:
        parts.append(f"<h3>{_e(example.question)}</h3><p><code>warehouse/examples/{_e(example.name)}.sql</code></p>"
                     f"<pre>{html.escape(example.sql)}</pre>")
    return page("newsledger data dictionary", "\n".join(parts), _STYLE)


def _e(text: str) -> str:
    return html.escape(text or "(undocumented)")


_STYLE = "pre { background: #f6f6f6; padding: 0.75rem; overflow-x: auto; }\n"
