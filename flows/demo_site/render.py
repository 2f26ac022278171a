"""Render the demo articles into a small static news site with three outlets.

Each outlet has its own page template and its own way of exposing metadata:

    Voltline          JSON-LD NewsArticle (datePublished, publisher name)
    Carmaker Weekly   OpenGraph og:site_name and article:published_time
    Trade Route News  a visible <time datetime=...> element

Output, relative to the output directory::

    index.html, robots.txt, sitemap_index.xml, manifest.json
    {outlet}/index.html, {outlet}/feed.xml (RSS 2.0), {outlet}/sitemap.xml
    {outlet}/{yyyy}/{mm}/{dd}/{slug}.html

Links are absolute, so the base URL must be known before rendering. The same articles
and base URL always give byte-identical files.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from email.utils import format_datetime
from pathlib import Path
from typing import Any

ARTICLES_DIR = Path(__file__).parent / "articles"

# Articles carry dates only; every timestamp on the site uses noon UTC.
PUBLISH_TIME = time(12, 0, tzinfo=UTC)

AP_MONTHS = [
    "Jan.",
    "Feb.",
    "March",
    "April",
    "May",
    "June",
    "July",
    "Aug.",
    "Sept.",
    "Oct.",
    "Nov.",
    "Dec.",
]
LONG_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
REQUIRED_KEYS = ("id", "outlet", "slug", "published", "title", "body", "facts")
RELATED_COUNT = 3


@dataclass(frozen=True)
class Outlet:
    """A news outlet of the demo site: its name, URL folder and sections."""

    name: str
    slug: str
    tagline: str
    sections: tuple[str, ...]


OUTLETS: tuple[Outlet, ...] = (
    Outlet(
        "Voltline",
        "voltline",
        "Electric cars, batteries and the people who build them.",
        ("News", "Batteries", "Charging", "Reviews"),
    ),
    Outlet(
        "Carmaker Weekly",
        "carmaker-weekly",
        "The business of making cars.",
        ("Industry", "Deals", "Asia", "Opinion"),
    ),
    Outlet(
        "Trade Route News",
        "trade-route-news",
        "Tariffs, trade and supply chains.",
        ("Tariffs", "Policy", "Markets", "Briefings"),
    ),
)
OUTLETS_BY_NAME: dict[str, Outlet] = {outlet.name: outlet for outlet in OUTLETS}


def load_articles(articles_dir: Path = ARTICLES_DIR) -> list[dict[str, Any]]:
    """Return the demo articles, sorted by id.

    Each article is a dict in the gold corpus format (id, outlet, slug, published,
    updated, title, author, body, facts, refs). Raises ValueError when a file lacks a
    required key or names an unknown outlet.
    """
    articles = [_read_article(path) for path in sorted(articles_dir.glob("*.json"))]
    return sorted(articles, key=lambda article: article["id"])


def _read_article(path: Path) -> dict[str, Any]:
    """Read and check one article file."""
    article: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    missing = [key for key in REQUIRED_KEYS if key not in article]
    if missing:
        msg = f"article {path.name} lacks {', '.join(missing)}; add them (see the corpus format)"
        raise ValueError(msg)
    if article["outlet"] not in OUTLETS_BY_NAME:
        msg = f"article {path.name} names unknown outlet {article['outlet']!r}; use one of {sorted(OUTLETS_BY_NAME)}"
        raise ValueError(msg)
    return article


def render_site(
    out_dir: Path, base_url: str, articles: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """Write the demo site for ``base_url`` into ``out_dir`` and return its manifest.

    ``articles`` defaults to ``load_articles()``. The manifest, also written to
    ``out_dir/manifest.json``, holds "base_url", "articles" ({id: absolute URL}),
    "feeds" (RSS URLs), "sitemap_index" (URL) and "last_modified" ({path: ISO date},
    the newest article date behind each file, for HTTP Last-Modified).
    """
    base = base_url.rstrip("/")
    items = load_articles() if articles is None else articles
    files: dict[str, tuple[str, date]] = {}
    for outlet in OUTLETS:
        own = sorted(
            (a for a in items if a["outlet"] == outlet.name),
            key=lambda a: (a["published"], a["id"]),
            reverse=True,
        )
        if own:
            files.update(_render_outlet(outlet, own, base))
    newest = max(changed for _, changed in files.values())
    files["/sitemap_index.xml"] = (_sitemap_index(base, files), newest)
    files["/robots.txt"] = (_robots(base, files), newest)
    files["/index.html"] = (_home_page(base), newest)
    for path, (text, _) in files.items():
        target = out_dir / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    manifest = _manifest(base, items, files)
    (out_dir / "manifest.json").write_text(
        json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    return manifest


def _manifest(
    base: str, items: list[dict[str, Any]], files: dict[str, tuple[str, date]]
) -> dict[str, Any]:
    """Build the manifest dict from the rendered files."""
    return {
        "base_url": base,
        "articles": {a["id"]: base + article_path(a) for a in items},
        "feeds": sorted(base + path for path in files if path.endswith("/feed.xml")),
        "sitemap_index": base + "/sitemap_index.xml",
        "last_modified": {
            path: changed.isoformat() for path, (_, changed) in sorted(files.items())
        },
    }


def article_path(article: dict[str, Any]) -> str:
    """Return the URL path of an article page, e.g. ``/voltline/2024/07/05/slug.html``."""
    outlet = OUTLETS_BY_NAME[article["outlet"]]
    day = date.fromisoformat(article["published"])
    return f"/{outlet.slug}/{day:%Y/%m/%d}/{article['slug']}.html"


def _render_outlet(
    outlet: Outlet, own: list[dict[str, Any]], base: str
) -> dict[str, tuple[str, date]]:
    """Render one outlet's article pages, index, feed and sitemap."""
    template = TEMPLATES[outlet.name]
    files: dict[str, tuple[str, date]] = {}
    for article in own:
        related = [other for other in own if other["id"] != article["id"]][
            :RELATED_COUNT
        ]
        files[article_path(article)] = (
            template(outlet, article, related, base),
            _changed(article),
        )
    newest = max(_changed(article) for article in own)
    files[f"/{outlet.slug}/index.html"] = (_outlet_index(outlet, own, base), newest)
    files[f"/{outlet.slug}/feed.xml"] = (_feed(outlet, own, base), newest)
    files[f"/{outlet.slug}/sitemap.xml"] = (_sitemap(own, base), newest)
    return files


# --------------------------------------------------------------------------- dates


def _published(article: dict[str, Any]) -> date:
    """Return the publication date."""
    return date.fromisoformat(article["published"])


def _changed(article: dict[str, Any]) -> date:
    """Return the date of the latest version: updated, else published."""
    return date.fromisoformat(article.get("updated") or article["published"])


def _moment(day: date) -> datetime:
    """Return the site-wide timestamp of a date."""
    return datetime.combine(day, PUBLISH_TIME)


def _ap_date(day: date) -> str:
    """Format as 'Oct. 30, 2024'."""
    return f"{AP_MONTHS[day.month - 1]} {day.day}, {day.year}"


def _long_date(day: date) -> str:
    """Format as '30 October 2024'."""
    return f"{day.day} {LONG_MONTHS[day.month - 1]} {day.year}"


def _esc(text: str) -> str:
    """Escape text for HTML and XML element content."""
    return html.escape(text, quote=False)


def _attr(text: str) -> str:
    """Escape text for a double- or single-quoted HTML or XML attribute."""
    return html.escape(text, quote=True)


# --------------------------------------------------------------------------- page parts


def _head(title: str, url: str, extra: str = "") -> str:
    """Return the document head with title, canonical link and extra tags."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_esc(title)}</title>\n"
        f'<link rel="canonical" href="{_attr(url)}">\n{extra}</head>\n'
    )


def _nav(outlet: Outlet, base: str) -> str:
    """Return the site header with the outlet's section links."""
    links = "".join(
        f'<li><a href="{_attr(base)}/{outlet.slug}/index.html#{section.lower()}">{_esc(section)}</a></li>'
        for section in outlet.sections
    )
    return (
        f'<header class="site-header"><a class="logo" href="{_attr(base)}/{outlet.slug}/index.html">'
        f'{_esc(outlet.name)}</a><p class="tagline">{_esc(outlet.tagline)}</p>'
        f'<nav><ul>{links}<li><a href="{_attr(base)}/{outlet.slug}/feed.xml">RSS</a></li></ul></nav></header>\n'
    )


def _cookie_banner() -> str:
    """Return a cookie consent banner."""
    return (
        '<div class="cookie-banner" role="dialog"><p>We use cookies to remember your '
        "settings and to measure how our pages are read.</p>"
        "<button>Accept all</button><button>Only necessary</button></div>\n"
    )


def _related(related: list[dict[str, Any]], base: str) -> str:
    """Return the related-stories box."""
    links = "".join(
        f'<li><a href="{_attr(base + article_path(a))}">{_esc(a["title"])}</a></li>'
        for a in related
    )
    return f'<aside class="related"><h2>Related stories</h2><ul>{links}</ul></aside>\n'


def _footer(outlet: Outlet, base: str) -> str:
    """Return the site footer and newsletter box."""
    return (
        '<section class="newsletter"><h2>Get the morning briefing</h2>'
        '<form><input type="email" placeholder="Email address"><button>Sign up</button></form></section>\n'
        f"<footer><p>&copy; {_esc(outlet.name)}. All rights reserved.</p><ul>"
        f'<li><a href="{_attr(base)}/{outlet.slug}/index.html">Home</a></li>'
        '<li><a href="#about">About us</a></li><li><a href="#privacy">Privacy policy</a></li>'
        f'<li><a href="{_attr(base)}/{outlet.slug}/sitemap.xml">Sitemap</a></li></ul></footer>\n'
    )


def _paragraphs(article: dict[str, Any]) -> str:
    """Return the body paragraphs as <p> elements."""
    return "".join(f"<p>{_esc(paragraph)}</p>\n" for paragraph in article["body"])


def _byline(article: dict[str, Any], prefix: str = "By ") -> str:
    """Return the author line, empty when there is no author."""
    author = article.get("author")
    return f'<span class="author">{prefix}{_esc(author)}</span>' if author else ""


def _json_script(data: dict[str, Any]) -> str:
    """Return a JSON-LD script tag that cannot close itself early."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True).replace("</", "<\\/")
    return f'<script type="application/ld+json">{text}</script>\n'


# --------------------------------------------------------------------------- templates


def _page_voltline(
    outlet: Outlet, article: dict[str, Any], related: list[dict[str, Any]], base: str
) -> str:
    """Article page with JSON-LD NewsArticle metadata."""
    url = base + article_path(article)
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article["title"],
        "datePublished": _moment(_published(article)).isoformat(),
        "dateModified": _moment(_changed(article)).isoformat(),
        "mainEntityOfPage": url,
        "publisher": {"@type": "Organization", "name": outlet.name},
    }
    if article.get("author"):
        data["author"] = {"@type": "Person", "name": article["author"]}
    head = _head(f"{article['title']} | {outlet.name}", url, _json_script(data))
    return (
        f"{head}<body>\n{_cookie_banner()}{_nav(outlet, base)}<main>\n<article>\n"
        f"<h1>{_esc(article['title'])}</h1>\n"
        f'<p class="byline">{_byline(article)} &middot; <span class="date">{_ap_date(_published(article))}</span></p>\n'
        f"{_paragraphs(article)}</article>\n{_related(related, base)}</main>\n{_footer(outlet, base)}</body>\n</html>\n"
    )


def _page_carmaker(
    outlet: Outlet, article: dict[str, Any], related: list[dict[str, Any]], base: str
) -> str:
    """Article page with OpenGraph and article:* meta tags."""
    url = base + article_path(article)
    meta = (
        f'<meta property="og:site_name" content="{_attr(outlet.name)}">\n'
        f'<meta property="og:type" content="article">\n'
        f'<meta property="og:title" content="{_attr(article["title"])}">\n'
        f'<meta property="og:url" content="{_attr(url)}">\n'
        f'<meta property="article:published_time" content="{_moment(_published(article)).isoformat()}">\n'
        f'<meta property="article:modified_time" content="{_moment(_changed(article)).isoformat()}">\n'
    )
    if article.get("author"):
        meta += (
            f'<meta property="article:author" content="{_attr(article["author"])}">\n'
        )
    return (
        f'{_head(article["title"], url, meta)}<body>\n<div class="page">\n{_nav(outlet, base)}'
        f'<div class="ad-slot">Advertisement</div>\n<main class="columns">\n<article class="story">\n'
        f'<header><h1>{_esc(article["title"])}</h1>\n<div class="meta">{_byline(article)} '
        f'<span class="date">{_long_date(_published(article))}</span></div></header>\n'
        f'<div class="story-body">\n{_paragraphs(article)}</div>\n'
        '<div class="share">Share: <a href="#mail">Email</a> <a href="#link">Copy link</a></div>\n'
        f"</article>\n{_related(related, base)}</main>\n{_footer(outlet, base)}</div>\n"
        f"{_cookie_banner()}</body>\n</html>\n"
    )


def _page_trade_route(
    outlet: Outlet, article: dict[str, Any], related: list[dict[str, Any]], base: str
) -> str:
    """Article page with a visible <time datetime> element and the byline last."""
    url = base + article_path(article)
    day = _published(article)
    author = (
        f'<p class="byline">Reporting by {_esc(article["author"])}</p>\n'
        if article.get("author")
        else ""
    )
    head = _head(f"{article['title']} - {outlet.name}", url)
    return (
        f"{head}<body>\n{_cookie_banner()}{_nav(outlet, base)}"
        '<main>\n<p class="breadcrumbs"><a href="#tariffs">Tariffs</a> / <a href="#policy">Policy</a></p>\n'
        f'<article>\n<time datetime="{_moment(day).isoformat()}">{_ap_date(day)}</time>\n'
        f"<h1>{_esc(article['title'])}</h1>\n{_paragraphs(article)}{author}</article>\n"
        f"{_related(related, base)}</main>\n{_footer(outlet, base)}</body>\n</html>\n"
    )


TEMPLATES: dict[
    str, Callable[[Outlet, dict[str, Any], list[dict[str, Any]], str], str]
] = {
    "Voltline": _page_voltline,
    "Carmaker Weekly": _page_carmaker,
    "Trade Route News": _page_trade_route,
}


# --------------------------------------------------------------------------- listings


def _outlet_index(outlet: Outlet, own: list[dict[str, Any]], base: str) -> str:
    """Return the outlet's front page listing its articles, newest first."""
    url = f"{base}/{outlet.slug}/index.html"
    items = "".join(
        f'<li><a href="{_attr(base + article_path(a))}">{_esc(a["title"])}</a> '
        f'<span class="date">{_ap_date(_published(a))}</span></li>\n'
        for a in own
    )
    return (
        f"{_head(f'{outlet.name}: {outlet.tagline}', url)}<body>\n{_cookie_banner()}{_nav(outlet, base)}"
        f'<main>\n<h1>Latest stories</h1>\n<ul class="story-list">\n{items}</ul>\n</main>\n'
        f"{_footer(outlet, base)}</body>\n</html>\n"
    )


def _home_page(base: str) -> str:
    """Return the top-level page linking the three outlets."""
    items = "".join(
        f'<li><a href="{_attr(base)}/{o.slug}/index.html">{_esc(o.name)}</a>: {_esc(o.tagline)}</li>\n'
        for o in OUTLETS
    )
    return (
        f"{_head('Newsledger demo news sites', base + '/index.html')}<body>\n"
        f"<h1>Demo news sites</h1>\n<ul>\n{items}</ul>\n</body>\n</html>\n"
    )


def _feed(outlet: Outlet, own: list[dict[str, Any]], base: str) -> str:
    """Return the outlet's RSS 2.0 feed, newest item first."""
    items = "".join(
        "<item>"
        f"<title>{_esc(a['title'])}</title>"
        f"<link>{_esc(base + article_path(a))}</link>"
        f'<guid isPermaLink="true">{_esc(base + article_path(a))}</guid>'
        f"<pubDate>{format_datetime(_moment(_published(a)), usegmt=True)}</pubDate>"
        f"<description>{_esc(a['body'][0])}</description>"
        "</item>\n"
        for a in own
    )
    newest = max(_changed(a) for a in own)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0">\n<channel>\n'
        f"<title>{_esc(outlet.name)}</title>\n<link>{_esc(base)}/{outlet.slug}/index.html</link>\n"
        f"<description>{_esc(outlet.tagline)}</description>\n<language>en</language>\n"
        f"<lastBuildDate>{format_datetime(_moment(newest), usegmt=True)}</lastBuildDate>\n"
        f"{items}</channel>\n</rss>\n"
    )


def _sitemap(own: list[dict[str, Any]], base: str) -> str:
    """Return the outlet's sitemap with a lastmod per article."""
    urls = "".join(
        f"<url><loc>{_esc(base + article_path(a))}</loc><lastmod>{_changed(a).isoformat()}</lastmod></url>\n"
        for a in own
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{urls}</urlset>\n'
    )


def _sitemap_index(base: str, files: dict[str, tuple[str, date]]) -> str:
    """Return the sitemap index listing each outlet's sitemap."""
    entries = "".join(
        f"<sitemap><loc>{_esc(base + path)}</loc><lastmod>{changed.isoformat()}</lastmod></sitemap>\n"
        for path, (_, changed) in sorted(files.items())
        if path.endswith("/sitemap.xml")
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{entries}</sitemapindex>\n'
    )


def _robots(base: str, files: dict[str, tuple[str, date]]) -> str:
    """Return robots.txt allowing everything and naming the sitemaps."""
    sitemaps = [base + "/sitemap_index.xml"]
    sitemaps += sorted(base + path for path in files if path.endswith("/sitemap.xml"))
    lines = ["User-agent: *", "Allow: /", "", *(f"Sitemap: {url}" for url in sitemaps)]
    return "\n".join(lines) + "\n"
