"""Show what the pipeline takes from one page: metadata, every date signal, text and facts.

``inspect_page`` runs the same extraction and fact rules as the nightly flow on one URL
(fetched politely, robots.txt included) or one local file (a saved page or an archived
body), and prints the result; nothing is written to the warehouse.
"""

from __future__ import annotations

import datetime as dt
import gzip
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from flows.crawl import Crawler
from flows.settings import Settings
from transforms.extract import Article, NotAnArticle, decode_html, extract_article
from transforms.facts import ArticleText, extract_facts
from transforms.process import load_registry
from transforms.published import PRIORITY, Choice
from warehouse import REFERENCE_DIR

FACT_FIELDS = ("parties", "form", "status", "imposer", "target", "product", "rate_pct", "effective_date",
               "company", "region", "valid_from")


class InspectError(RuntimeError):
    """The target could not be read or fetched; the message says why and what to try."""


@dataclass(frozen=True)
class Target:
    """A page's bytes and where and when they were obtained."""

    url: str
    body: bytes
    content_type: str
    fetched_at: dt.datetime


def inspect_page(target: str, console: Console, allow_private_hosts: bool = False) -> None:
    """Print what the pipeline extracts from ``target`` (an http(s) URL or a local file path).

    Shows the title, author, outlet, language and whether the page would be loaded; the
    publication date with every candidate signal, the verdict on each and the one chosen;
    the article text; and the facts found, each with its evidence sentence. Dates are judged
    against the fetch time (a file's modification time; the ``clock`` setting when set).

    Raises InspectError when the file cannot be read or the URL gives no page (refused
    host, robots.txt, HTTP error).
    """
    settings = Settings(allow_private_hosts=allow_private_hosts)
    page = read_target(target, settings)
    console.print(f"[bold]{escape(page.url)}[/bold]  ({len(page.body)} bytes, "
                  f"fetched {page.fetched_at:%Y-%m-%dT%H:%M:%SZ})")
    try:
        article = extract_article(decode_html(page.body, page.content_type), page.url, fetched_at=page.fetched_at)
    except NotAnArticle as exc:
        console.print(f"[yellow]not an article:[/yellow] {escape(str(exc))}; the nightly run logs it as 'not_article'.")
        return
    console.print(metadata_table(article))
    if article.date_choice is not None:
        console.print(dates_table(article.date_choice))
    console.print(Panel(Text(article.text), title="text", expand=False))
    console.print(facts_table(article, page.fetched_at))


def read_target(target: str, settings: Settings) -> Target:
    """The bytes of a URL (fetched with the crawler) or of a local file (gunzipped if .gz)."""
    if target.startswith(("http://", "https://")):
        return _fetch(target, settings)
    path = Path(target).expanduser()
    if not path.is_file():
        msg = f"{target} is neither an http(s) URL nor a readable file; pass a page URL or a saved HTML file"
        raise InspectError(msg)
    body = path.read_bytes()
    if body.startswith(b"\x1f\x8b"):
        body = gzip.decompress(body)
    modified = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
    return Target(path.resolve().as_uri(), body, "", settings.clock or modified)


def _fetch(url: str, settings: Settings) -> Target:
    """GET ``url`` with the pipeline's crawler (robots.txt, host checks, size cap)."""
    with Crawler(settings) as crawler:
        fetch = crawler.fetch(url)
    if fetch.body is None:
        hint = " (pass allow_private_hosts for a local server)" if "non-public" in (fetch.error or "") else ""
        msg = f"{url}: no page to inspect: {fetch.error or f'HTTP {fetch.status}'}{hint}"
        raise InspectError(msg)
    return Target(fetch.final_url, fetch.body, fetch.content_type, settings.clock or fetch.fetched_at)


def metadata_table(article: Article) -> Table:
    """Title, author, outlet, language, canonical URL, publication date, load decision."""
    table = Table(title="metadata", show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value")
    published = (f"{article.published_at:%Y-%m-%dT%H:%M:%SZ} from {article.published_source}"
                 if article.published_at else "unknown")
    loaded = ("yes, if it passes validation" if article.language == "en"
              else f"no: non_english ({article.language})")
    for field, value in (("title", article.title), ("author", article.author), ("outlet", article.outlet),
                         ("language", article.language), ("canonical", article.canonical_url),
                         ("published", published), ("a run would load it", loaded)):
        table.add_row(field, Text(value or "-"))
    if article.date_choice is not None and article.date_choice.conflict:
        table.add_row("date conflict", Text(article.date_choice.conflict))
    return table


def dates_table(choice: Choice) -> Table:
    """Every date signal, best-ranked first, with its verdict and the reason for it."""
    table = Table(title=f"publication date signals (priority: {' > '.join(PRIORITY)})")
    for column in ("verdict", "source", "value (UTC)", "kind", "found in", "why"):
        table.add_column(column)
    styles = {"chosen": "green", "outranked": "dim", "refused": "red"}
    for verdict in choice.verdicts:
        candidate = verdict.candidate
        value = f"{candidate.value:%Y-%m-%dT%H:%M:%SZ}" if candidate.exact else f"{candidate.value:%Y-%m-%d}"
        table.add_row(f"[{styles.get(verdict.status, '')}]{verdict.status}[/]", candidate.source, value,
                      "modified" if candidate.modified else "published", Text(candidate.detail), Text(verdict.reason))
    if not choice.verdicts:
        table.add_row("-", "-", "-", "-", "no date signal on the page", "-")
    return table


def facts_table(article: Article, fetched_at: dt.datetime) -> Table:
    """The facts the rules find in the article, with their fields and evidence."""
    published = (article.published_at or fetched_at).date()
    registry = load_registry(str(REFERENCE_DIR))
    facts = extract_facts(ArticleText(article.title, article.text, published), registry)
    table = Table(title=f"facts ({len(facts)})")
    for column in ("type", "fields", "evidence"):
        table.add_column(column)
    for fact in facts:
        fields = "; ".join(f"{key}={fact[key]}" for key in FACT_FIELDS if fact.get(key) not in (None, [], ""))
        table.add_row(fact["fact_type"], Text(fields), Text(fact["evidence"] or ""))
    return table
