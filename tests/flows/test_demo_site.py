"""Tests for flows/demo_site: the gold articles, the rendered site and the server."""

from __future__ import annotations

import html
import json
import re
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest

from flows.demo_site import load_articles, render_site, serve_demo, serve_site
from flows.demo_site.render import OUTLETS
from transforms.registry import Registry
from warehouse import REFERENCE_DIR

SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}

# Vocabularies of the gold corpus format (/work/shared/corpus/README.md).
FACT_KEYS = {
    "partnership": {"type", "parties", "form", "status", "evidence"},
    "tariff": {
        "type",
        "imposer",
        "target",
        "product",
        "rate_pct",
        "status",
        "effective",
        "evidence",
    },
    "expansion": {"type", "company", "region", "form", "status", "evidence"},
}
OPTIONAL_KEYS = {"tariff": {"company"}}
PARTNERSHIP_FORMS = {
    "joint_venture",
    "licensing",
    "supply",
    "investment",
    "collaboration",
    "merger",
}
PARTNERSHIP_STATUSES = {"reported", "negotiating", "agreed", "ended", "denied"}
TARIFF_STATUSES = {"proposed", "in_effect", "lifted"}
EXPANSION_FORMS = {"sales", "production"}
EXPANSION_STATUSES = {"planned", "active", "cancelled"}
MACRO_REGIONS = {
    "Europe",
    "Southeast Asia",
    "Latin America",
    "North America",
    "Middle East",
    "Africa",
    "South Asia",
    "Oceania",
    "East Asia",
    "Central Asia",
}
COUNTRIES = {
    "United States",
    "China",
    "Canada",
    "Mexico",
    "Brazil",
    "Thailand",
    "Hungary",
    "Japan",
}
IMPOSERS = COUNTRIES | {"European Union"}
# canonical names of the entity registry (the corpus README's "Names")
COMPANIES = {company.name for company in Registry.load(REFERENCE_DIR).companies} | {"Leapmotor International"}
LEGAL_SUFFIXES = re.compile(r"\b(Inc\.?|Co\.|Ltd\.?|Group|Motor Company|Corp\.?)$")


# --------------------------------------------------------------------------- helpers


def fetch(
    url: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """GET a URL and return status, headers and body; HTTP errors are returned, not raised."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read()


def values(field: Any) -> list[Any]:
    """Return a fact field as a list of its allowed readings."""
    return field if isinstance(field, list) else [field]


def all_facts(
    articles: list[dict[str, Any]],
) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """Yield (article, fact) pairs."""
    for article in articles:
        for fact in article["facts"]:
            yield article, fact


@pytest.fixture(scope="module")
def articles() -> list[dict[str, Any]]:
    return load_articles()


@pytest.fixture(scope="module")
def site(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, dict[str, Any]]]:
    with serve_demo(tmp_path_factory.mktemp("demo_site")) as served:
        yield served


# --------------------------------------------------------------------------- served site


def test_every_article_answers_200_with_its_title(
    site: tuple[str, dict[str, Any]], articles: list[dict[str, Any]]
) -> None:
    _, manifest = site
    titles = {article["id"]: article["title"] for article in articles}
    assert set(manifest["articles"]) == set(titles)
    for article_id, url in manifest["articles"].items():
        status, headers, body = fetch(url)
        assert status == 200, url
        assert headers["Content-Type"] == "text/html; charset=utf-8"
        page = html.unescape(body.decode("utf-8"))
        assert f"<h1>{titles[article_id]}</h1>" in page


def test_feeds_are_rss_listing_every_article(site: tuple[str, dict[str, Any]]) -> None:
    _, manifest = site
    links: set[str] = set()
    assert len(manifest["feeds"]) == len(OUTLETS)
    for feed_url in manifest["feeds"]:
        status, headers, body = fetch(feed_url)
        assert status == 200
        assert headers["Content-Type"].startswith("application/rss+xml")
        root = ET.fromstring(body)
        assert root.tag == "rss" and root.get("version") == "2.0"
        channel = root.find("channel")
        assert channel is not None and channel.findtext("title")
        for item in channel.findall("item"):
            link = item.findtext("link")
            assert link and item.findtext("guid") == link and item.findtext("title")
            assert (
                parsedate_to_datetime(item.findtext("pubDate") or "").tzinfo is not None
            )
            links.add(link)
    assert links == set(manifest["articles"].values())


def test_sitemap_index_lists_each_outlet_sitemap(
    site: tuple[str, dict[str, Any]],
) -> None:
    base, manifest = site
    status, headers, body = fetch(manifest["sitemap_index"])
    assert status == 200 and headers["Content-Type"].startswith("application/xml")
    locs = [
        loc.text
        for loc in ET.fromstring(body).iterfind("sm:sitemap/sm:loc", SITEMAP_NS)
    ]
    assert sorted(locs) == sorted(
        f"{base}/{outlet.slug}/sitemap.xml" for outlet in OUTLETS
    )
    pages: set[str] = set()
    for loc in locs:
        assert loc is not None
        urlset = ET.fromstring(fetch(loc)[2])
        for entry in urlset.iterfind("sm:url", SITEMAP_NS):
            date.fromisoformat(
                entry.findtext("sm:lastmod", namespaces=SITEMAP_NS) or ""
            )
            pages.add(entry.findtext("sm:loc", namespaces=SITEMAP_NS) or "")
    assert pages == set(manifest["articles"].values())


def test_robots_allows_all_and_names_the_sitemap_index(
    site: tuple[str, dict[str, Any]],
) -> None:
    base, manifest = site
    status, headers, body = fetch(base + "/robots.txt")
    text = body.decode("utf-8")
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    assert "User-agent: *\nAllow: /\n" in text
    assert f"Sitemap: {manifest['sitemap_index']}" in text.splitlines()


def test_conditional_get_answers_304(site: tuple[str, dict[str, Any]]) -> None:
    _, manifest = site
    url = manifest["feeds"][0]
    status, headers, _ = fetch(url)
    assert status == 200 and headers["ETag"] and headers["Last-Modified"]
    assert fetch(url, {"If-None-Match": headers["ETag"]})[:3:2] == (304, b"")
    assert fetch(url, {"If-Modified-Since": headers["Last-Modified"]})[0] == 304
    assert fetch(url, {"If-None-Match": '"other"'})[0] == 200


def test_unknown_paths_and_manifest_answer_404(
    site: tuple[str, dict[str, Any]],
) -> None:
    base, _ = site
    assert fetch(base + "/voltline/2024/01/01/missing.html")[0] == 404
    assert fetch(base + "/manifest.json")[0] == 404
    assert fetch(base + "/../../etc/passwd")[0] == 404


def test_pages_expose_metadata_per_outlet(
    site: tuple[str, dict[str, Any]], articles: list[dict[str, Any]]
) -> None:
    _, manifest = site
    for article in articles:
        page = fetch(manifest["articles"][article["id"]])[2].decode("utf-8")
        moment = f"{article['published']}T12:00:00+00:00"
        assert (
            "cookie-banner" in page and "<footer>" in page and 'class="related"' in page
        )
        if article["outlet"] == "Voltline":
            data = json.loads(re.search(r'ld\+json">(.*?)</script>', page).group(1))  # type: ignore[union-attr]
            assert data["@type"] == "NewsArticle" and data["datePublished"] == moment
            assert data["publisher"]["name"] == "Voltline"
        elif article["outlet"] == "Carmaker Weekly":
            assert '<meta property="og:site_name" content="Carmaker Weekly">' in page
            assert (
                f'<meta property="article:published_time" content="{moment}">' in page
            )
        else:
            assert f'<time datetime="{moment}">' in page


# --------------------------------------------------------------------------- rendering and serving


def test_render_is_deterministic(tmp_path: Path) -> None:
    first = render_site(tmp_path / "a", "http://127.0.0.1:8765")
    second = render_site(tmp_path / "b", "http://127.0.0.1:8765/")
    assert first == second
    files = sorted(
        p.relative_to(tmp_path / "a")
        for p in (tmp_path / "a").rglob("*")
        if p.is_file()
    )
    assert files == sorted(
        p.relative_to(tmp_path / "b")
        for p in (tmp_path / "b").rglob("*")
        if p.is_file()
    )
    for name in files:
        assert (tmp_path / "a" / name).read_bytes() == (
            tmp_path / "b" / name
        ).read_bytes()


def test_serve_site_serves_a_rendered_directory(tmp_path: Path) -> None:
    (tmp_path / "robots.txt").write_text("User-agent: *\nAllow: /\n", encoding="utf-8")
    with serve_site(tmp_path) as base:
        status, headers, _ = fetch(base + "/robots.txt")
    assert status == 200 and headers["Last-Modified"]


def test_serve_site_refuses_public_hosts(tmp_path: Path) -> None:
    with (
        pytest.raises(ValueError, match="loopback"),
        serve_site(tmp_path, host="0.0.0.0"),
    ):
        pass


# --------------------------------------------------------------------------- gold articles


def test_articles_match_the_brief(articles: list[dict[str, Any]]) -> None:
    assert len(articles) == 12
    assert {article["outlet"] for article in articles} == {
        outlet.name for outlet in OUTLETS
    }
    assert any(not article["facts"] for article in articles)
    for article in articles:
        words = sum(len(paragraph.split()) for paragraph in article["body"])
        assert 3 <= len(article["body"]) <= 6, article["id"]
        assert 150 <= words <= 350, (article["id"], words)
        assert (
            date(2024, 1, 1)
            <= date.fromisoformat(article["published"])
            <= date(2025, 12, 31)
        )


def test_every_evidence_is_in_its_article(articles: list[dict[str, Any]]) -> None:
    for article, fact in all_facts(articles):
        texts = [article["title"], *article["body"]]
        assert any(fact["evidence"] in text for text in texts), (
            article["id"],
            fact["evidence"],
        )


def test_gold_facts_use_the_corpus_vocabularies(articles: list[dict[str, Any]]) -> None:
    for article, fact in all_facts(articles):
        kind = fact["type"]
        assert (
            FACT_KEYS[kind]
            <= set(fact)
            <= FACT_KEYS[kind] | OPTIONAL_KEYS.get(kind, set())
        ), article["id"]
        if kind == "partnership":
            assert len(fact["parties"]) >= 2 and set(fact["parties"]) <= COMPANIES
            assert set(values(fact["form"])) <= PARTNERSHIP_FORMS
            assert set(values(fact["status"])) <= PARTNERSHIP_STATUSES
        elif kind == "tariff":
            assert fact["imposer"] in IMPOSERS and fact["target"] in IMPOSERS | {None}
            assert fact["rate_pct"] is None or isinstance(fact["rate_pct"], float)
            assert set(values(fact["status"])) <= TARIFF_STATUSES
            assert fact["effective"] is None or date.fromisoformat(fact["effective"])
            assert fact.get("company", "BYD") in COMPANIES
        else:
            assert set(values(fact["company"])) <= COMPANIES
            assert set(values(fact["region"])) <= MACRO_REGIONS | COUNTRIES
            assert set(values(fact["form"])) <= EXPANSION_FORMS
            assert set(values(fact["status"])) <= EXPANSION_STATUSES
        for name in [*fact.get("parties", []), *values(fact.get("company") or [])]:
            assert not LEGAL_SUFFIXES.search(name), name


def test_honda_nissan_merger_status_changes_over_time(
    articles: list[dict[str, Any]],
) -> None:
    statuses = [
        fact["status"]
        for article in sorted(articles, key=lambda a: a["published"])
        for fact in article["facts"]
        if fact["type"] == "partnership"
        and fact["form"] == "merger"
        and set(fact["parties"]) == {"Honda", "Nissan"}
    ]
    assert statuses == ["reported", "negotiating", "ended"]
