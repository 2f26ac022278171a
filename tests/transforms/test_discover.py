"""Feeds and sitemaps into entries; unsafe XML refused."""

from __future__ import annotations

import datetime as dt
import gzip

import pytest

from transforms.discover import SourceError, normalise_url, parse_feed_date, parse_source

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Volt Weekly</title>
<item><title>One</title><link>https://news.example/a.html#top</link>
<pubDate>Tue, 29 Oct 2024 08:00:00 +0100</pubDate></item>
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


# Dates in uncommon formats: read right, or left empty; never a confident wrong day.

@pytest.mark.parametrize(("value", "expected"), [
    ("2016/6/29 15:07:41", dt.datetime(2016, 6, 29, 15, 7, 41, tzinfo=dt.UTC)),
    ("Wed, 29 Jun 2016 15:07:41 CEST", dt.datetime(2016, 6, 29, 13, 7, 41, tzinfo=dt.UTC)),
    ("29.06.2016 15:07", dt.datetime(2016, 6, 29, 15, 7, tzinfo=dt.UTC)),
    ("2016-06-29T15:07:41.000+0200", dt.datetime(2016, 6, 29, 13, 7, 41, tzinfo=dt.UTC)),
    ("2016-06-29 15:07:41 UTC", dt.datetime(2016, 6, 29, 15, 7, 41, tzinfo=dt.UTC)),
    ("<![CDATA[Wed, 29 Jun 2016 15:07:41 GMT]]>", dt.datetime(2016, 6, 29, 15, 7, 41, tzinfo=dt.UTC)),
])
def test_uncommon_dates_are_read_right(value: str, expected: dt.datetime) -> None:
    assert parse_feed_date(value) == expected


@pytest.mark.parametrize("value", [
    "06/07/2016",                         # June 7 or 6 July: no way to tell
    "Wed, 29 Jun 2016 15:07:41 XYZ",      # unknown zone: hours off if guessed
    "29 Jun 2016 3:07 PM",                # 12-hour clock the RFC parser would misread
    "2016-06",                            # no day
    "1899-01-01",                         # implausible for a feed
])
def test_unreadable_dates_are_left_empty(value: str) -> None:
    assert parse_feed_date(value) is None


# Atom entries resolve to their alternate link.

def test_atom_enclosure_without_href_does_not_replace_the_alternate() -> None:
    atom = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><entry>
<published>2023-05-22T14:31:00+02:00</published><updated>2023-05-22T14:41:04+02:00</updated>
<link rel="alternate" type="text/html" href="https://t.example/news/a"/>
<link rel="enclosure" type="image/jpeg">https://img.example/a.jpg</link></entry></feed>"""
    [entry] = parse_source(atom, "https://t.example/rss")
    assert entry.url == "https://t.example/news/a"
    assert entry.published == dt.datetime(2023, 5, 22, 12, 31, tzinfo=dt.UTC)
    assert entry.updated == dt.datetime(2023, 5, 22, 12, 41, 4, tzinfo=dt.UTC)


def test_atom_html_alternate_beats_other_alternates_and_enclosures() -> None:
    atom = b"""<feed xmlns="http://www.w3.org/2005/Atom"><entry>
<link rel="enclosure" href="https://t.example/a.mp3"/>
<link rel="alternate" type="application/pdf" href="https://t.example/a.pdf"/>
<link href="https://t.example/a.html"/></entry></feed>"""
    assert [e.url for e in parse_source(atom, "https://t.example/atom")] == ["https://t.example/a.html"]


def test_atom_entry_with_only_enclosures_falls_back_to_an_http_id() -> None:
    atom = b"""<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>https://t.example/story/9</id>
<link rel="enclosure" href="https://img.example/9.jpg"/></entry>
<entry><id>tag:t.example,2024:10</id><link rel="enclosure" href="https://img.example/10.jpg"/></entry></feed>"""
    assert [e.url for e in parse_source(atom, "https://t.example/atom")] == ["https://t.example/story/9"]


def test_updated_only_entry_has_no_publication_date() -> None:
    [entry] = parse_source(ATOM, "https://g.example/atom.xml")
    assert entry.published is None and entry.published_source is None
    assert entry.updated == dt.datetime(2024, 10, 29, 10, tzinfo=dt.UTC)


# Escaped CDATA, entities and charset mismatches.

def test_escaped_cdata_and_html_entities_are_unwrapped() -> None:
    rss = b"""<?xml version="1.0"?><rss><channel><title>Caf&eacute; &amp; Co</title><item>
<title>&lt;![CDATA[Plant opens]]&gt;</title><link>&lt;![CDATA[https://c.example/a?x=1&amp;y=2]]&gt;</link>
</item></channel></rss>"""
    [entry] = parse_source(rss, "https://c.example/feed")
    assert (entry.url, entry.title, entry.outlet) == ("https://c.example/a?x=1&y=2", "Plant opens", "Café & Co")


def test_utf8_body_declared_latin1_is_read_as_utf8() -> None:
    rss = '<?xml version="1.0" encoding="ISO-8859-1"?><rss><channel><title>Málaga Diário</title>' \
          '<item><title>Ação</title><link>https://m.example/a</link></item></channel></rss>'
    [entry] = parse_source(rss.encode("utf-8"), "https://m.example/feed")
    assert (entry.title, entry.outlet) == ("Ação", "Málaga Diário")


def test_cp1252_body_declared_utf8_and_bare_ampersand_are_repaired() -> None:
    rss = '\n\n<?xml version="1.0" encoding="UTF-8"?><rss><channel><title>Citroën & Co</title>' \
          '<item><title>“Quotes”</title><link>https://m.example/b</link></item></channel></rss>'
    [entry] = parse_source(rss.encode("cp1252"), "https://m.example/feed")
    assert (entry.title, entry.outlet) == ("“Quotes”", "Citroën & Co")


def test_rss_guid_that_is_not_a_permalink_is_not_a_url() -> None:
    rss = b"""<rss><channel><item><guid isPermaLink="false">wire-0042</guid></item>
<item><guid>https://w.example/b</guid></item></channel></rss>"""
    assert [e.url for e in parse_source(rss, "https://w.example/feed")] == ["https://w.example/b"]


# A sitemap at any URL and in any shape.

def test_gzipped_sitemap_under_any_name_is_read() -> None:
    body = gzip.compress(b"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>https://s.example/a</loc><lastmod>2024-10-30</lastmod></url></urlset>""")
    [entry] = parse_source(body, "https://s.example/export.php?type=news")
    assert (entry.url, entry.kind, entry.published) == ("https://s.example/a", "article", None)
    assert entry.updated == dt.datetime(2024, 10, 30, tzinfo=dt.UTC)


def test_news_sitemap_publication_date_is_a_publication_date() -> None:
    body = b"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
 xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>https://s.example/a</loc>
<lastmod>2024-10-30T10:00:00Z</lastmod><news:news><news:publication_date>2024-10-29T08:00:00+01:00</news:publication_date>
<news:title>Plant opens</news:title></news:news></url></urlset>"""
    [entry] = parse_source(body, "https://s.example/news.xml")
    assert (entry.published, entry.published_source, entry.title) == (
        dt.datetime(2024, 10, 29, 7, tzinfo=dt.UTC), "sitemap", "Plant opens")


def test_text_sitemap_and_robots_sitemap_lines_are_read() -> None:
    text = parse_source(b"https://s.example/a\nhttps://s.example/b\n", "https://s.example/urls.txt")
    assert [(e.url, e.kind) for e in text] == [("https://s.example/a", "article"), ("https://s.example/b", "article")]
    robots = parse_source(b"User-agent: *\nDisallow: /admin/\nSitemap: https://s.example/feeds/news.php\n",
                          "https://s.example/robots.txt")
    assert [(e.url, e.kind) for e in robots] == [("https://s.example/feeds/news.php", "sitemap")]
    with pytest.raises(SourceError):
        parse_source(b"hello world\n", "https://s.example/readme.txt")
