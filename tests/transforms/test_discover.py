"""Feeds and sitemaps into entries; unsafe XML refused."""

from __future__ import annotations

import datetime as dt

import pytest

from transforms.discover import SourceError, normalise_url, parse_feed_date, parse_source

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Volt Weekly</title>
<item><title>One</title><link>https://news.example/a.html#top</link><pubDate>Tue, 29 Oct 2024 08:00:00 +0100</pubDate></item>
<item><title>Two</title><link>/b.html</link><pubDate>2024/10/30</pubDate></item>
<item><title>No link</title></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Grid</title>
<entry><title>A</title><link rel="enclosure"/><link rel="alternate" href="https://g.example/a"/>
<updated>2024-10-29T10:00:00Z</updated></entry></feed>"""

INDEX = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://s.example/one.xml</loc></sitemap></sitemapindex>"""

BOMB = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>
<rss><channel><title>&lol2;</title></channel></rss>"""


def test_rss_items_become_absolute_article_urls_with_feed_dates() -> None:
    entries = parse_source(RSS, "https://news.example/feed.xml")
    assert [e.url for e in entries] == ["https://news.example/a.html", "https://news.example/b.html"]
    assert entries[0].published == dt.datetime(2024, 10, 29, 7, tzinfo=dt.UTC)
    assert entries[1].published == dt.datetime(2024, 10, 30, tzinfo=dt.UTC)
    assert {e.outlet for e in entries} == {"Volt Weekly"}


def test_atom_link_without_href_is_skipped() -> None:
    entries = parse_source(ATOM, "https://g.example/atom.xml")
    assert [e.url for e in entries] == ["https://g.example/a"]


def test_sitemap_index_yields_child_sitemaps() -> None:
    assert [(e.url, e.kind) for e in parse_source(INDEX, "https://s.example/i.xml")] == [
        ("https://s.example/one.xml", "sitemap")]


def test_entity_expansion_is_refused() -> None:
    with pytest.raises(SourceError, match="unsafe"):
        parse_source(BOMB, "https://evil.example/feed.xml")


def test_html_is_not_a_source() -> None:
    with pytest.raises(SourceError):
        parse_source(b"<html><body>hi</body></html>", "https://x.example/")


@pytest.mark.parametrize("url", ["file:///etc/passwd", "javascript:alert(1)", "ftp://x.example/a"])
def test_only_http_urls_are_kept(url: str) -> None:
    assert normalise_url(url) == ""


def test_unparseable_date_is_none() -> None:
    assert parse_feed_date("yesterday-ish") is None
