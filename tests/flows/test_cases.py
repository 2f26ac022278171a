"""Real-world inputs that broke news pipelines (``../shared/cases/*.json``), run through the
nightly flow: each input is served on loopback, the flow crawls it into a DuckDB file and
the case's ``expected`` is checked on what the warehouse holds.

Two runs: the HTML pages with the run's clock set to the day case 01 was fetched
(2019-05-13), so a page is judged against its own fetch time; the feeds and the robots.txt
case with today's clock (a 2023 feed entry is not in the future today). The HTML pages are
listed in a news sitemap that dates only the pages whose case is not about dates (an
article with no date is quarantined). A feed's article links are mapped from their public
host to the local server (the feed is otherwise served as given) and lead to undated
pages, so the date a loaded article carries is the feed's.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import posixpath
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import duckdb
import pytest

from flows.nightly import nightly
from transforms.extract import decode_html, extract_article

CASES_DIR = Path(os.environ.get("NEWSLEDGER_CASES", Path(__file__).resolve().parents[3] / "shared" / "cases"))
PAST_CLOCK = "2019-05-13T09:00:00Z"
ROBOTS_PAGES_PUBLISHED = "2024-03-01T08:00:00Z"
CONTENT_TYPES = {"html": "text/html", "feed": "application/xml", "sitemap": "application/xml", "robots": "text/plain"}
TESTED = {"01", "03", "05", "07", "10", "12", "14"}


@dataclass
class Route:
    """A response the local site gives for one path."""

    body: bytes
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)


class LocalSite:
    """A threaded HTTP server on a free loopback port serving fixed routes (404 elsewhere)."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requested: list[str] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
                site.requested.append(self.path)
                route = site.routes.get(urlsplit(self.path).path)
                if route is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Length", str(len(route.body)))
                for name, value in route.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(route.body)

            def log_message(self, *args: object) -> None:
                return

        return Handler

    def add(self, path: str, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> str:
        """Serve ``body`` at ``path``; returns its absolute URL."""
        self.routes[path] = Route(body, content_type, headers or {})
        return self.base_url + path

    def __enter__(self) -> LocalSite:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def load_cases() -> dict[str, dict]:
    """Every case file by its two-digit number."""
    return {path.name[:2]: json.loads(path.read_text(encoding="utf-8")) for path in sorted(CASES_DIR.glob("*.json"))}


def undated_page(title: str, case_id: str) -> bytes:
    """An English article page with no date anywhere, long enough to be an article."""
    text = (f"Case {case_id}: the company said the new plant would open next year and employ several hundred "
            "people. Officials said the investment had been approved by the board after a long review.")
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}</title></head><body>"
            f"<article><h1>{title}</h1><p>{text}</p><p>{text} It was the largest investment in the region.</p>"
            "</article></body></html>").encode()


def serve_case(site: LocalSite, case_id: str, case: dict) -> str:
    """Serve a case's input (and the pages its feed links to); returns the input's URL."""
    headers = dict(case.get("serve_with_headers") or {})
    encoding = case.get("input_encoding", "utf-8")
    content_type = headers.pop("Content-Type", CONTENT_TYPES[case["input_kind"]])
    body_text = case["input"]
    for link in [e["link"] for e in case.get("expected", {}).get("entries", [])]:
        parts = urlsplit(link)
        local_prefix = f"/cases/{case_id}/site"
        body_text = body_text.replace(f"{parts.scheme}://{parts.netloc}", site.base_url + local_prefix)
        site.add(local_prefix + parts.path, undated_page(f"Story of case {case_id}", case_id), "text/html")
    return site.add(case["base_url"], body_text.encode(encoding), content_type, headers)


def local_link(site: LocalSite, case_id: str, link: str) -> str:
    """Where a feed's public article link is served locally."""
    return f"{site.base_url}/cases/{case_id}/site{urlsplit(link).path}"


def sitemap(urls: list[str], dated: dict[str, str] | None = None) -> bytes:
    """A news sitemap listing ``urls``; only those in ``dated`` get a publication date (an
    article with no date at all is quarantined), the others' own signals decide."""
    news = "<news:news><news:publication_date>{}</news:publication_date></news:news>"
    locs = "".join(f"<url><loc>{url}</loc>{news.format(dated[url]) if url in (dated or {}) else ''}</url>"
                   for url in urls)
    return ('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{locs}</urlset>').encode()


def serve_robots_case(site: LocalSite, case: dict) -> tuple[str, dict[str, str]]:
    """robots.txt on its own origin, a gzipped sitemap under an allowed path listing the
    paths to check, an article at each; returns the sitemap URL and {path: URL}."""
    site.add(case["base_url"], case["input"].encode(), "text/plain")
    paths = list(case["expected"]["allowed"])
    urls = {path: site.add(path, undated_page(f"Robots page {path}", "14"), "text/html") for path in paths}
    allowed_dir = posixpath.dirname(next(p for p, ok in case["expected"]["allowed"].items() if ok).rstrip("/"))
    dated = dict.fromkeys(urls.values(), ROBOTS_PAGES_PUBLISHED)
    source = site.add(f"{allowed_dir}/sitemap.xml.gz", gzip.compress(sitemap(list(urls.values()), dated)),
                      "application/x-gzip")
    return source, urls


@dataclass
class Warehouse:
    """A run's DuckDB file and what was served."""

    db: Path
    site: LocalSite
    urls: dict[str, str]
    robots_urls: dict[str, str] = field(default_factory=dict)
    robots_site: LocalSite | None = None

    def one(self, sql: str, *params: object) -> tuple:
        con = duckdb.connect(str(self.db), read_only=True)
        try:
            row = con.execute(sql, list(params)).fetchone()
        finally:
            con.close()
        assert row is not None, (sql, params)
        return row

    def all(self, sql: str, *params: object) -> list[tuple]:
        con = duckdb.connect(str(self.db), read_only=True)
        try:
            return con.execute(sql, list(params)).fetchall()
        finally:
            con.close()


@pytest.fixture(scope="module")
def cases() -> dict[str, dict]:
    if not CASES_DIR.is_dir():
        pytest.fail(f"the cases are missing at {CASES_DIR}; set NEWSLEDGER_CASES")
    return load_cases()


@pytest.fixture(scope="module")
def sites() -> Iterator[tuple[LocalSite, LocalSite]]:
    with LocalSite() as content, LocalSite() as robots:
        yield content, robots


@pytest.fixture(scope="module")
def past_run(cases, sites, tmp_path_factory) -> Warehouse:
    """The HTML cases, crawled from a sitemap with the clock at 2019-05-13."""
    site, _ = sites
    urls = {cid: serve_case(site, cid, case) for cid, case in cases.items() if case["input_kind"] == "html"}
    undated = {urls[cid]: PAST_CLOCK for cid, case in cases.items()
               if cid in urls and "published" not in case["expected"]}
    source = site.add("/cases/sitemap.xml", sitemap(list(urls.values()), undated), "application/xml")
    db = tmp_path_factory.mktemp("past") / "w.duckdb"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("NEWSLEDGER_CLOCK", PAST_CLOCK)
        nightly(sources=[source], db=str(db), allow_private_hosts=True)
    return Warehouse(db, site, urls)


@pytest.fixture(scope="module")
def today_run(cases, sites, tmp_path_factory) -> Warehouse:
    """The feed cases and the robots.txt case (on its own origin), crawled today."""
    site, robots_site = sites
    urls = {cid: serve_case(site, cid, case) for cid, case in cases.items() if case["input_kind"] == "feed"}
    robots_source, robots_urls = serve_robots_case(robots_site, cases["14"])
    db = tmp_path_factory.mktemp("today") / "w.duckdb"
    nightly(sources=[*urls.values(), robots_source], db=str(db), allow_private_hosts=True)
    return Warehouse(db, site, urls, robots_urls, robots_site)


def test_every_case_has_a_test(cases) -> None:
    assert set(cases) == TESTED


def test_01_date_in_a_script_is_not_the_publish_date(past_run, cases) -> None:
    expected = cases["01"]["expected"]
    outcome, error = past_run.one("SELECT outcome, error FROM mart.fetch_log WHERE url = ?", past_run.urls["01"])
    assert outcome == "non_english", error
    assert f"published: {expected['published']} (text)" in error
    assert "title: Le port de Brest mise sur l'éolien flottant" in error
    started = past_run.one("SELECT started_at FROM mart.runs")[0]
    assert started.astimezone(dt.UTC).date().isoformat() == expected["crawled_at"]


def test_03_metadata_beats_the_print_issue_date_in_the_url(past_run, cases) -> None:
    published, source = past_run.one("SELECT published_at, published_source FROM mart.articles WHERE url = ?",
                                     past_run.urls["03"])
    assert published.astimezone(dt.UTC).date().isoformat() == cases["03"]["expected"]["published"]
    assert source == "meta"


def test_05_slash_format_pubdate_is_read_as_written(today_run, cases) -> None:
    entry = cases["05"]["expected"]["entries"][0]
    url = local_link(today_run.site, "05", entry["link"])
    published, source = today_run.one("SELECT published_at, published_source FROM mart.articles WHERE url = ?", url)
    assert source == "feed"
    # "2016-06-29T15:07:41 (no zone given)": a zone-less feed date is taken as UTC.
    assert published.astimezone(dt.UTC) == dt.datetime(2016, 6, 29, 15, 7, 41, tzinfo=dt.UTC)


def test_07_atom_entry_resolves_to_its_alternate_link(today_run, cases) -> None:
    entry = cases["07"]["expected"]["entries"][0]
    url = local_link(today_run.site, "07", entry["link"])
    published, source = today_run.one("SELECT published_at, published_source FROM mart.articles WHERE url = ?", url)
    assert published.astimezone(dt.UTC) == dt.datetime(2023, 5, 22, 12, 31, tzinfo=dt.UTC)
    assert source == "feed"
    logged = [url for (url,) in today_run.all("SELECT url FROM mart.fetch_log")]
    assert not [u for u in logged if "img.example.it" in u or u.endswith(".jpg")]


def test_10_related_teaser_stays_out_of_the_body(past_run, cases) -> None:
    expected = cases["10"]["expected"]
    outcome, error = past_run.one("SELECT outcome, error FROM mart.fetch_log WHERE url = ?", past_run.urls["10"])
    assert outcome == "non_english", error
    assert "title: Deutschland bleibt Niedriglohnland" in error
    # The body the run extracted, from the bytes it archived (extraction is a pure function of them).
    path, content_type = past_run.one("SELECT archive_path, content_type FROM raw.pages WHERE url = ?",
                                      past_run.urls["10"])
    article = extract_article(decode_html(gzip.decompress(Path(path).read_bytes()), content_type),
                              past_run.urls["10"], fetched_at=dt.datetime.fromisoformat(PAST_CLOCK))
    assert article.language == "de"
    for text in expected["text_contains"]:
        assert text in article.text
    for text in expected["text_not_contains"]:
        assert text not in article.text


def test_12_title_without_site_name_or_slogan(past_run, cases) -> None:
    title, outlet, source = past_run.one("SELECT title, outlet, published_source FROM mart.articles WHERE url = ?",
                                         past_run.urls["12"])
    assert title == cases["12"]["expected"]["title"]
    assert outlet == "Harbour Times"
    assert source == "sitemap"   # the page has no date of its own


def test_14_robots_longest_match_wins(today_run, cases) -> None:
    for path, allowed in cases["14"]["expected"]["allowed"].items():
        outcome, status, error = today_run.one(
            "SELECT outcome, http_status, error FROM mart.fetch_log WHERE url = ?", today_run.robots_urls[path])
        if allowed:
            assert (outcome, status) == ("loaded", 200), (path, error)
            loaded = today_run.one("SELECT count(*) FROM mart.articles WHERE url = ?", today_run.robots_urls[path])
            assert loaded == (1,), path
        else:
            assert outcome == "disallowed", path
            assert path not in today_run.robots_site.requested
