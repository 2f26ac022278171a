"""Crawling that is polite, resilient and replayable: real loopback HTTP, real DuckDB files.

One served dev site with noise pages and a 30 % share of URLs failing once (500/503 with
Retry-After: 1) is crawled by three nightly runs that the tests share:

- run 1 loads every dev article once; each noise page gets its outcome;
- run 2, over the unchanged site, sends only conditional requests for pages and changes
  no data row. "Changed" means any column of a data table except the bookkeeping of the
  attempt itself: ``core.crawl_state``'s ``last_attempt_at``, ``last_status`` and
  ``run_id``, and the rows of URLs still failing, whose attempt counter is meant to grow.
  ``raw.fetch_log`` and ``core.runs`` are logs: they gain rows by design;
- run 3 no longer requests the URL given up in run 2 (NEWSLEDGER_MAX_ATTEMPTS=2).

Decisions on noise pages: a truncated copy of an article keeps about half its text, too
little for the near-duplicate detector (MinHash over word shingles), so it is loaded as an
article of its own; the Latin-1 and the 5 MB copies keep the full text and are duplicates.

A second site serves the real-world pages of the corpus (``real-html/``) through a gzipped
sitemap, next to a gzip bomb sitemap and a feed with an XML entity bomb.
"""

from __future__ import annotations

import gzip
import json
import shutil
import threading
import time
import tracemalloc
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import pairwise
from pathlib import Path

import duckdb
import httpx
import pytest
from typer.testing import CliRunner

from flows.archive import Archive
from flows.cli import app
from flows.crawl import BodyRefused, Crawler, gunzip_capped
from flows.nightly import nightly
from flows.settings import Settings
from tests.conftest import CORPUS, ServedSite, free_port, serve_split, table_rows
from transforms.discover import parse_source
from transforms.extract import decode_html, extract_article

DATA_TABLES = ("mart.articles", "mart.fact_mentions", "mart.facts", "mart.fact_history", "core.articles",
               "core.fact_mentions", "core.fact_history", "raw.pages", "core.quarantine")
ATTEMPT_COLUMNS = ("last_attempt_at", "last_status", "run_id")
NOISE_OUTCOMES = {
    "duplicate": "duplicate", "near_duplicate": "near_duplicate", "listing": "not_article",
    "empty_body": "not_article", "non_english": "non_english", "truncated_html": "loaded",
    "latin1": "duplicate", "large_page": "duplicate", "missing": "failed", "robots_disallowed": "disallowed",
}
MOJIBAKE = ("Ã", "â€", "Â", "\ufffd")


def snapshot(db: Path) -> dict[str, list[tuple]]:
    """Every data table's rows, and the crawl state of URLs not failing, without attempt bookkeeping."""
    tables = {table: table_rows(db, table) for table in DATA_TABLES}
    tables["core.crawl_state"] = table_rows(db, "core.crawl_state", ATTEMPT_COLUMNS,
                                            keep=lambda row: row["last_outcome"] not in ("failed", "gave_up"))
    return tables


def fetch_log(db: Path, run_id: str) -> dict[str, dict]:
    """One run's fetch-log rows by URL."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        frame = con.execute("SELECT * FROM mart.fetch_log WHERE run_id = ?", [run_id]).pl()
    finally:
        con.close()
    return frame.rows_by_key("url", named=True, unique=True)


def requests_between(before: dict, after: dict) -> dict[str, dict[str, int]]:
    """Requests per path and status made between two /__stats snapshots."""
    delta = {}
    for path, statuses in after["paths"].items():
        counts = {status: n - before["paths"].get(path, {}).get(status, 0) for status, n in statuses.items()}
        if any(counts.values()):
            delta[path] = {status: n for status, n in counts.items() if n}
    return delta


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


@dataclass
class Crawled:
    """Three nightly runs over one noisy site, with what the server saw of each."""

    db: Path
    runs: list[dict]
    seconds: list[float]
    requests: list[dict[str, dict[str, int]]]
    before_second: dict[str, list[tuple]]
    after_second: dict[str, list[tuple]]


@pytest.fixture(scope="module")
def noisy_site(corpus: Path, tmp_path_factory: pytest.TempPathFactory):
    site = serve_split(corpus / "dev", tmp_path_factory.mktemp("noisy") / "site", "--fail-rate", "0.3", noise=True)
    yield site
    site.stop()


@pytest.fixture(scope="module")
def crawled(noisy_site: ServedSite, tmp_path_factory: pytest.TempPathFactory) -> Crawled:
    db = tmp_path_factory.mktemp("crawled") / "w.duckdb"
    runs, seconds, stats, snapshots = [], [], [noisy_site.stats()], []
    with pytest.MonkeyPatch.context() as env:
        env.setenv("NEWSLEDGER_MAX_ATTEMPTS", "2")
        env.setenv("NEWSLEDGER_RETRY_BACKOFF_H", "0")  # the runs follow each other within seconds
        for _ in range(3):
            started = time.perf_counter()
            runs.append(nightly(noisy_site.sources, db=str(db), allow_private_hosts=True))
            seconds.append(time.perf_counter() - started)
            stats.append(noisy_site.stats())
            snapshots.append(snapshot(db))
    requests = [requests_between(a, b) for a, b in pairwise(stats)]
    return Crawled(db, runs, seconds, requests, snapshots[0], snapshots[1])


def noise_url(site: ServedSite, kind: str) -> str:
    return next(url for url, noise in site.manifest["noise"].items() if noise == kind)


def page_urls(site: ServedSite) -> list[str]:
    """Every page URL that answers 200 on this site: articles and noise pages."""
    gone = ("missing", "robots_disallowed")
    return list(site.manifest["articles"].values()) + [u for u, k in site.manifest["noise"].items() if k not in gone]


# ----------------------------------------------------------------------------- run 1


def test_one_run_loads_every_dev_article_exactly_once(crawled: Crawled, noisy_site: ServedSite) -> None:
    urls = [row[0] for row in duckdb.connect(str(crawled.db), read_only=True).execute(
        "SELECT url FROM mart.articles").fetchall()]
    expected = list(noisy_site.manifest["articles"].values()) + [noise_url(noisy_site, "truncated_html")]
    assert sorted(urls) == sorted(expected)
    assert crawled.runs[0]["counts"]["articles"] == len(expected)


@pytest.mark.parametrize("kind", list(NOISE_OUTCOMES))
def test_noise_page_gets_its_outcome(crawled: Crawled, noisy_site: ServedSite, kind: str) -> None:
    url = noise_url(noisy_site, kind)
    row = fetch_log(crawled.db, crawled.runs[0]["run_id"])[url]
    assert row["outcome"] == NOISE_OUTCOMES[kind], row
    if kind == "missing":
        assert row["http_status"] == 404
    if kind in ("duplicate", "near_duplicate", "latin1", "large_page"):
        source = noisy_site.manifest["articles"][noisy_site.manifest["noise_sources"][url]]
        assert row["error"] == f"same story as {source}"


def test_robots_disallowed_page_is_never_requested(crawled: Crawled, noisy_site: ServedSite) -> None:
    path = path_of(noise_url(noisy_site, "robots_disallowed"))
    assert all(path not in requests for requests in crawled.requests)


def test_robots_txt_is_read_once_per_run(crawled: Crawled) -> None:
    assert [sum(requests["/robots.txt"].values()) for requests in crawled.requests] == [1, 1, 1]


def test_latin1_copy_decodes_without_mojibake(crawled: Crawled, noisy_site: ServedSite) -> None:
    url = noise_url(noisy_site, "latin1")
    con = duckdb.connect(str(crawled.db), read_only=True)
    sha = con.execute("SELECT content_sha256 FROM raw.fetch_log WHERE url = ? AND run_id = ?",
                      [url, crawled.runs[0]["run_id"]]).fetchone()[0]
    content_type = con.execute("SELECT content_type FROM raw.pages WHERE content_sha256 = ?", [sha]).fetchone()[0]
    source_url = noisy_site.manifest["articles"][noisy_site.manifest["noise_sources"][url]]
    source_text = con.execute("SELECT text FROM mart.articles WHERE url = ?", [source_url]).fetchone()[0]
    body = Archive(crawled.db.parent / "newsledger-data" / "archive").get(sha)
    copy = extract_article(decode_html(body, content_type), url)
    assert "iso-8859-1" in content_type.lower()
    assert not any(marker in copy.text for marker in MOJIBAKE)
    accented = {char for char in copy.text if ord(char) > 127}
    assert accented and accented <= {char for char in source_text if ord(char) > 127}
    assert all(line in source_text for line in copy.text.splitlines())


def test_truncated_copy_keeps_the_text_before_the_cut(crawled: Crawled, noisy_site: ServedSite) -> None:
    url = noise_url(noisy_site, "truncated_html")
    source_url = noisy_site.manifest["articles"][noisy_site.manifest["noise_sources"][url]]
    con = duckdb.connect(str(crawled.db), read_only=True)
    texts = dict(con.execute("SELECT url, text FROM mart.articles WHERE url IN (?, ?)", [url, source_url]).fetchall())
    assert 200 < len(texts[url]) < len(texts[source_url])
    assert texts[url][:200] in texts[source_url]


def test_urls_failing_once_are_retried_within_the_run(crawled: Crawled, noisy_site: ServedSite) -> None:
    first = crawled.requests[0]
    failed_once = {path for path, statuses in first.items() if {"500", "503"} & set(statuses)}
    pages = {path_of(url): url for url in page_urls(noisy_site)}
    assert len(failed_once & set(pages)) >= 10
    log = fetch_log(crawled.db, crawled.runs[0]["run_id"])
    for path in failed_once:
        assert first[path].get("200", 0) + first[path].get("404", 0) == 1, (path, first[path])
        if path in pages:
            row = log[pages[path]]
            assert row["outcome"] not in ("failed", "gave_up") and row["http_status"] == 200, row
            assert row["duration_ms"] >= 1000, row  # Retry-After: 1 honoured (the backoff alone is shorter)


# ----------------------------------------------------------------------------- run 2


def test_second_run_sends_only_conditional_requests_for_pages(crawled: Crawled, noisy_site: ServedSite,
                                                              record_property) -> None:
    second = crawled.requests[1]
    for url in page_urls(noisy_site):
        assert second.get(path_of(url)) == {"304": 1}, (url, second.get(path_of(url)))
    counts = crawled.runs[1]["counts"]
    assert counts["fetched"] == 0 and counts["articles"] == 0 and counts["facts"] == 0
    assert counts["not_modified"] == len(page_urls(noisy_site))
    pipeline = [sum(run["stage_seconds"].values()) for run in crawled.runs[:2]]
    requests = [sum(sum(statuses.values()) for statuses in run.values()) for run in crawled.requests[:2]]
    figures = {"wall_s": [round(s, 1) for s in crawled.seconds[:2]], "pipeline_s": [round(s, 1) for s in pipeline],
               "pipeline_ratio": round(pipeline[1] / pipeline[0], 3), "requests": requests,
               "second_run_statuses": dict(sum((Counter(statuses) for statuses in second.values()), Counter()))}
    record_property("second_to_first_run", figures)
    print(f"second/first run: {figures}")
    assert figures["pipeline_ratio"] < 0.5 and crawled.seconds[1] < crawled.seconds[0]


@pytest.mark.parametrize("table", [*DATA_TABLES, "core.crawl_state"])
def test_second_run_changes_no_data_row(crawled: Crawled, table: str) -> None:
    assert crawled.after_second[table] == crawled.before_second[table]
    assert crawled.before_second[table] or table == "core.quarantine"


# ----------------------------------------------------------------------- give up, status


def test_url_failing_every_run_is_given_up_with_its_reason(crawled: Crawled, noisy_site: ServedSite) -> None:
    url = noise_url(noisy_site, "missing")
    outcomes = [fetch_log(crawled.db, run["run_id"]).get(url, {}).get("outcome") for run in crawled.runs]
    assert outcomes == ["failed", "gave_up", None]
    state = table_rows(crawled.db, "core.crawl_state", keep=lambda row: row["url"] == url)
    con = duckdb.connect(str(crawled.db), read_only=True)
    outcome, attempts, error = con.execute(
        "SELECT last_outcome, attempts, last_error FROM core.crawl_state WHERE url = ?", [url]).fetchone()
    assert state and (outcome, attempts) == ("gave_up", 2)
    assert error == "HTTP 404 (attempt 2 of 2)"
    assert [path_of(url) in requests for requests in crawled.requests] == [True, True, False]


def test_status_shows_last_runs_and_given_up_urls(crawled: Crawled, noisy_site: ServedSite) -> None:
    result = CliRunner().invoke(app, ["status", "--db", str(crawled.db)], env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    for run in crawled.runs:
        assert run["run_id"] in result.output
    assert noise_url(noisy_site, "missing") in result.output
    assert "gave_up" in result.output and "HTTP 404 (attempt 2 of 2)" in result.output


# ------------------------------------------------------------------ replay, network off


@pytest.fixture(scope="module")
def reprocessed(crawled: Crawled, noisy_site: ServedSite, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the crawled warehouse and archive, re-processed with the site stopped and
    the crawler unable to send a request."""
    from flows.reprocess import reprocess

    copy = tmp_path_factory.mktemp("reprocessed") / "copy"
    shutil.copytree(crawled.db.parent, copy)
    noisy_site.stop()

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("reprocess must not use the network")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Crawler, "_request", no_network)
        reprocess(stale=False, db=str(copy / "w.duckdb"))
    return copy / "w.duckdb"


def test_reprocess_offline_rebuilds_the_same_facts(crawled: Crawled, reprocessed: Path) -> None:
    kept = ("run_id", "published_at")
    assert table_rows(reprocessed, "mart.fact_mentions", kept) == table_rows(crawled.db, "mart.fact_mentions", kept)


def test_reprocess_offline_rebuilds_the_same_fact_mentions(crawled: Crawled, reprocessed: Path) -> None:
    assert table_rows(reprocessed, "mart.fact_mentions", ("run_id",)) == \
        table_rows(crawled.db, "mart.fact_mentions", ("run_id",))


# ---------------------------------------------------- hostile sources, real-world pages

SITEMAP = '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
ENTITY_BOMB = """<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
]>
<rss version="2.0"><channel><title>&e;</title>
<item><title>x</title><link>http://127.0.0.1/never.html</link></item></channel></rss>
"""
PRIVATE_FEED = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Links inwards</title><link>http://127.0.0.1/</link>
<item><title>Intranet</title><link>http://10.0.0.1/</link></item>
<item><title>Cloud metadata</title><link>http://169.254.169.254/latest/meta-data/</link></item>
<item><title>Local file</title><link>file:///etc/passwd</link></item>
</channel></rss>
"""


def gzip_bomb(inflated_bytes: int) -> bytes:
    """A gzipped sitemap whose content is ``inflated_bytes`` long, mostly spaces."""
    return gzip.compress(SITEMAP.encode() + b" " * inflated_bytes + b"</urlset>\n", compresslevel=9)


@dataclass
class Hostile:
    """One nightly run over the real-world pages, a gzip bomb and an entity bomb."""

    site: ServedSite
    pages: dict[str, str]          # url -> language guessed by the corpus manifest
    log: dict[str, dict]
    summary: dict


def render_hostile_site(directory: Path, base_url: str) -> dict[str, str]:
    """Write the site's files; return its real-world page URLs with their language."""
    real = CORPUS / "real-html"
    rows = [line.split("\t") for line in (real / "MANIFEST.tsv").read_text().splitlines()[1:] if line.strip()]
    (directory / "real").mkdir(parents=True)
    pages = {}
    for name, *_, language in rows:
        shutil.copyfile(real / name, directory / "real" / name)
        pages[f"{base_url}/real/{name}"] = language
    urls = "".join(f"<url><loc>{url}</loc></url>\n" for url in pages)
    (directory / "real-sitemap.xml.gz").write_bytes(gzip.compress((SITEMAP + urls + "</urlset>\n").encode()))
    (directory / "bomb-sitemap.xml.gz").write_bytes(gzip_bomb(Settings().max_bytes * 4))
    (directory / "bomb-feed.xml").write_text(ENTITY_BOMB)
    (directory / "manifest.json").write_text(json.dumps({"base_url": base_url, "articles": {}, "noise": {},
                                                         "noise_sources": {}, "last_modified": {}}))
    return pages


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Hostile:
    directory, port = tmp_path_factory.mktemp("hostile") / "site", free_port()
    pages = render_hostile_site(directory, f"http://127.0.0.1:{port}")
    site = ServedSite(directory, port, [])
    sources = [f"{site.base_url}/{name}" for name in ("real-sitemap.xml.gz", "bomb-sitemap.xml.gz", "bomb-feed.xml")]
    db = directory.parent / "w.duckdb"
    try:
        with pytest.MonkeyPatch.context() as env:
            for gate in ("ARTICLE_SHARE", "FACT_ARTICLE_SHARE", "FACT_PASS_SHARE"):  # no business news here
                env.setenv(f"NEWSLEDGER_GATE_MIN_{gate}", "0")
            summary = nightly(sources, db=str(db), allow_private_hosts=True)
    finally:
        site.stop()
    con = duckdb.connect(str(db), read_only=True)
    log = con.execute("SELECT * FROM mart.fetch_log").pl().rows_by_key("url", named=True, unique=True)
    con.close()
    return Hostile(site, pages, log, summary)


def test_every_real_world_page_is_extracted_with_an_outcome(hostile: Hostile) -> None:
    outcomes = {url: hostile.log[url]["outcome"] for url in hostile.pages}
    assert set(outcomes.values()) <= {"loaded", "not_article", "non_english", "duplicate", "near_duplicate"}, outcomes
    assert all(hostile.log[url]["http_status"] == 200 for url in hostile.pages)
    english = [url for url, language in hostile.pages.items() if language == "en"]
    assert sum(outcomes[url] == "loaded" for url in english) >= len(english) // 2
    assert all(outcomes[url] != "loaded" for url, language in hostile.pages.items() if language != "en")


def test_gzipped_sitemap_is_read(hostile: Hostile) -> None:
    row = hostile.log[f"{hostile.site.base_url}/real-sitemap.xml.gz"]
    assert (row["outcome"], row["error"]) == ("source", None)


def test_gzip_bomb_sitemap_is_refused_with_its_reason(hostile: Hostile) -> None:
    row = hostile.log[f"{hostile.site.base_url}/bomb-sitemap.xml.gz"]
    assert row["outcome"] == "failed"
    assert "gzipped source refused" in row["error"] and "byte cap" in row["error"]


def test_entity_bomb_feed_is_refused_with_its_reason(hostile: Hostile) -> None:
    row = hostile.log[f"{hostile.site.base_url}/bomb-feed.xml"]
    assert row["outcome"] == "failed"
    assert "refused unsafe XML" in row["error"]


def test_gunzip_stops_inflating_at_the_cap() -> None:
    bomb = gzip_bomb(20_000_000)
    tracemalloc.start()
    try:
        with pytest.raises(BodyRefused, match="beyond the 1000000-byte cap"):
            gunzip_capped(bomb, 1_000_000)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4_000_000
    assert gunzip_capped(gzip_bomb(10), 1_000_000).startswith(b"<?xml")
    with pytest.raises(BodyRefused, match="truncated"):
        gunzip_capped(bomb[:100], 1_000_000)


def test_gzip_content_encoding_bomb_is_refused_while_reading() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        return httpx.Response(200, headers={"Content-Type": "application/xml", "Content-Encoding": "gzip"},
                              stream=httpx.ByteStream(gzip_bomb(50_000_000)))

    with Crawler(Settings(allow_private_hosts=True, max_bytes=1_000_000, retries=0)) as crawler:
        crawler._client = httpx.Client(transport=httpx.MockTransport(answer))
        fetch = crawler.fetch("http://127.0.0.1:9/sitemap.xml")
    assert fetch.body is None and fetch.status == 200
    assert "beyond the 1000000-byte cap" in fetch.error


def test_private_addresses_and_file_urls_are_never_requested() -> None:
    sent: list[str] = []

    def record(request: httpx.Request, **kwargs: object) -> httpx.Response:
        sent.append(str(request.url))
        raise AssertionError("nothing may be sent")

    entries = parse_source(PRIVATE_FEED, "http://127.0.0.1:8080/feed.xml")
    urls = [entry.url for entry in entries]
    assert not any(url.startswith("file:") for url in urls)
    assert {"http://10.0.0.1/", "http://169.254.169.254/latest/meta-data/"} <= set(urls)
    with Crawler(Settings(allow_private_hosts=False)) as crawler:
        crawler._client.send = record
        fetches = crawler.fetch_many([(url, {}) for url in ["http://127.0.0.1:8080/feed.xml", *urls]])
    assert sent == []
    for fetch in fetches:
        assert fetch.body is None and fetch.status == 0
        assert fetch.error.startswith("refused: ") and "non-public address" in fetch.error, fetch.error
    assert Crawler(Settings()).fetch("file:///etc/passwd").error.startswith("refused: only http(s)")


class _CountingServer(ThreadingHTTPServer):
    """A loopback HTTP server that counts the connections it accepts."""

    daemon_threads = True

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(("127.0.0.1", 0), handler)
        self.accepted = 0
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def get_request(self):
        self.accepted += 1
        return super().get_request()

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    not_modified_body = b""  # what a 304 carries (none, as HTTP says)

    def do_GET(self) -> None:
        if self.path == "/robots.txt":
            self.answer(404, b"")
        elif self.path.startswith("/304"):
            self.send_response(304)
            self.send_header("ETag", '"same"')
            if self.not_modified_body:
                self.send_header("Content-Length", str(len(self.not_modified_body)))
            self.end_headers()
            self.wfile.write(self.not_modified_body)
        else:
            self.answer(200, f"<html><body>{self.path}</body></html>".encode())

    def answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def _fetch_in_order(server: _CountingServer, paths: list[str]) -> list:
    base = f"http://127.0.0.1:{server.server_port}"
    settings = Settings(allow_private_hosts=True, concurrency=1, per_host_concurrency=1, per_host_delay_s=0)
    with Crawler(settings) as crawler:
        return list(crawler.fetch_ahead([(base + path, {"If-None-Match": '"same"'}) for path in paths], ahead=2))


def test_conditional_gets_answered_304_keep_their_connection() -> None:
    """A 304 has no body: the crawler reads the end of the message, so the next request
    goes on the same connection (left unread, each 304 closed it: every conditional GET of
    a re-run opened a TCP connection of its own)."""
    server = _CountingServer(_Handler)
    try:
        fetches = _fetch_in_order(server, [f"/304/{i}.html" for i in range(5)])
    finally:
        server.stop()
    assert [fetch.status for fetch in fetches] == [304] * 5
    assert [fetch.url.rsplit("/", 2)[-2:] for fetch in fetches] == [["304", f"{i}.html"] for i in range(5)]
    assert server.accepted == 1  # robots.txt and the five pages, one after another on one connection


def test_a_304_that_sends_a_body_does_not_become_the_next_response() -> None:
    """A misbehaving server's 304 with a body (here a whole forged response): its
    connection is dropped, so the next URL gets its own page, not those bytes."""
    forged = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 6\r\n\r\nforged"

    class Forging(_Handler):
        not_modified_body = forged

    server = _CountingServer(Forging)
    try:
        fetches = _fetch_in_order(server, ["/304/a.html", "/b.html", "/c.html"])
    finally:
        server.stop()
    assert [fetch.status for fetch in fetches] == [304, 200, 200]
    assert fetches[1].body == b"<html><body>/b.html</body></html>"
    assert fetches[2].body == b"<html><body>/c.html</body></html>"


def test_summary_notes_the_memory_high_water_after_each_stage(crawled: Crawled) -> None:
    first = crawled.runs[0]
    stages = ["discover", "state", "fetch", "extract", "validate", "stage", "load", "report"]
    assert list(first["high_water_mb"]) == [s for s in first["stage_seconds"] if s in stages]
    marks = [first["high_water_mb"][stage] for stage in stages]  # ru_maxrss only rises; stages end in this order
    assert marks == sorted(marks), marks
    assert marks[0] > 50 and marks[-1] < 8000, marks  # MB of a run's process, not KiB or bytes
