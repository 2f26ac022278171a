"""Article extraction from stored HTML: text, metadata, listings, charsets."""

from __future__ import annotations

import datetime as dt

import pytest

from transforms.extract import NotAnArticle, clean_author, decode_html, extract_article, url_date
from transforms.published import Candidate

BODY = " ".join(["The carmaker said on Tuesday that it would build a new battery plant in the state."] * 6)


def _page(head: str, body: str = BODY) -> str:
    return f"<html lang='en'><head><title>Plant news | Volt Weekly</title>{head}</head><body>" \
           f"<nav><a href='/'>Home</a></nav><article><h1>Plant news</h1><p>{body}</p><p>{body}</p></article>" \
           f"<footer>(c) Volt Weekly</footer></body></html>"


def test_jsonld_date_and_publisher_win() -> None:
    head = ('<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2024-10-29T09:00:00Z",'
            ' "publisher": {"name": "Volt Weekly"}}</script>')
    article = extract_article(_page(head), "https://v.example/2024/10/28/plant.html")
    assert article.published_at == dt.datetime(2024, 10, 29, 9, tzinfo=dt.UTC)
    assert article.published_source == "jsonld"
    assert article.outlet == "Volt Weekly"
    assert article.language == "en"
    assert "battery plant" in article.text


def test_outlet_from_title_suffix_never_the_host() -> None:
    article = extract_article(_page(""), "https://v.example/plant.html")
    assert article.outlet == "Volt Weekly"


def test_empty_page_is_not_an_article() -> None:
    with pytest.raises(NotAnArticle):
        extract_article(_page("", body="Video."), "https://v.example/video.html")


def test_listing_page_is_not_an_article() -> None:
    items = "".join(f"<li><a href='/s{i}.html'>Story number {i} about the car industry today</a><p>{BODY}</p></li>"
                    for i in range(8))
    html = f"<html><head><title>Tag</title></head><body><h1>Tag: EVs</h1><ul>{items}</ul></body></html>"
    with pytest.raises(NotAnArticle, match="listing"):
        extract_article(html, "https://v.example/tag/evs.html")


def test_latin1_page_declared_in_meta_decodes() -> None:
    html = "<html><head><meta charset='iso-8859-1'></head><body>Citroën à Málaga</body></html>"
    assert "Citroën à Málaga" in decode_html(html.encode("iso-8859-1"))


def test_header_charset_wins_and_bad_utf8_falls_back() -> None:
    assert decode_html("é".encode("cp1252"), "text/html") == "é"
    assert decode_html("é".encode(), "text/html; charset=utf-8") == "é"


def test_url_date() -> None:
    assert url_date("https://x.example/2024/10/29/a.html") == dt.datetime(2024, 10, 29, tzinfo=dt.UTC)
    assert url_date("https://x.example/2024/13/45/a.html") is None


# Dates: the page's signals and the feed's, judged against the fetch time.

def test_script_date_after_the_fetch_is_not_the_publish_date() -> None:
    head = "<script>var consent = {expires: '2025-01-31T00:00:00Z'};</script>"
    html = _page(head).replace("<h1>Plant news</h1>", "<h1>Plant news</h1><p class='byline'>Published 12 May 2024</p>")
    article = extract_article(html, "https://v.example/plant.html", fetched_at=dt.datetime(2024, 5, 13, tzinfo=dt.UTC))
    assert (article.published_at, article.published_source) == (dt.datetime(2024, 5, 12, tzinfo=dt.UTC), "text")


def test_feed_date_hint_beats_the_url_but_not_page_metadata() -> None:
    hint = Candidate("feed", dt.datetime(2024, 10, 27, 6, tzinfo=dt.UTC))
    plain = extract_article(_page(""), "https://v.example/2024/10/28/plant.html", hints=[hint])
    assert (plain.published_at, plain.published_source) == (hint.value, "feed")
    head = '<meta property="article:published_time" content="2024-10-29T09:00:00Z">'
    tagged = extract_article(_page(head), "https://v.example/2024/10/28/plant.html", hints=[hint])
    assert tagged.published_source == "meta"
    assert tagged.date_choice.conflict == "meta 2024-10-29 kept over feed 2024-10-27"


def test_updated_date_is_not_taken_as_published() -> None:
    head = '<meta property="article:modified_time" content="2024-10-30T09:00:00Z">'
    html = _page(head).replace("<h1>Plant news</h1>", "<h1>Plant news</h1><p>Updated October 30, 2024</p>")
    article = extract_article(html, "https://v.example/plant.html", fetched_at=dt.datetime(2024, 11, 1, tzinfo=dt.UTC))
    assert article.published_at is None or article.published_at.date() != dt.date(2024, 10, 30)


# Boilerplate: inline "related article" teasers.

@pytest.mark.parametrize("teaser", [
    "<p><strong>Read more:</strong> <a href='/other.html'>Rival opens factory in Ohio</a></p>",
    "<p>À lire aussi : <a href='/autre.html'>Le rival ouvre une usine dans l'Ohio</a></p>",
    "<div class='inline-related'><a href='/other.html'>Rival opens factory in Ohio</a></div>",
    "<p><a href='/other.html'>Rival opens factory in Ohio after long talks with unions</a></p>",
])
def test_inline_teaser_is_not_in_the_body(teaser: str) -> None:
    html = _page("").replace(f"<p>{BODY}</p><p>{BODY}</p>", f"<p>{BODY}</p>{teaser}<p>{BODY} Unions agreed.</p>")
    article = extract_article(html, "https://v.example/plant.html")
    assert "Ohio" not in article.text
    assert "Unions agreed." in article.text


def test_link_inside_a_sentence_is_kept() -> None:
    prose = ("<p>The carmaker told <a href='/r.html'>regulators</a> on Monday that the plant would be finished"
             " in 2026.</p>")
    html = _page("").replace(f"<p>{BODY}</p><p>{BODY}</p>", f"<p>{BODY}</p>{prose}<p>{BODY}</p>")
    assert "told regulators on Monday" in extract_article(html, "https://v.example/plant.html").text


# Titles: the headline without the site name or a slogan.

def _titled(head: str, h1: str = "") -> str:
    return (f"<html lang='en'><head>{head}</head><body><article>{h1}<p>{BODY}</p><p>{BODY}</p></article>"
            "</body></html>")


def test_h1_beats_og_title_with_site_name_and_slogan() -> None:
    head = ("<title>Plant opens - Volt Weekly Co. | Local news first</title>"
            "<meta property='og:title' content='Plant opens - Volt Weekly Co. | Local news first'>")
    assert extract_article(_titled(head, "<h1>Plant opens</h1>"), "https://v.example/a.html").title == "Plant opens"


def test_site_name_suffix_is_cut_when_there_is_no_h1() -> None:
    head = ("<title>Plant opens | Volt Weekly</title><meta property='og:site_name' content='Volt Weekly'>"
            "<meta property='og:title' content='Plant opens | Volt Weekly | Since 1901'>")
    assert extract_article(_titled(head), "https://v.example/a.html").title == "Plant opens"


def test_site_name_prefix_and_logo_h1_are_cut() -> None:
    head = "<title>Volt Weekly - Plant opens in Texas</title>"
    article = extract_article(_titled(head, "<h1 class='logo'>Volt Weekly</h1>"), "https://v.example/a.html")
    assert article.title == "Plant opens in Texas"


# Bylines: accounts, feeds and desks are not authors.

@pytest.mark.parametrize(("byline", "expected"), [
    ("By Jane Doe", "Jane Doe"),
    ("Tech desk", None),
    ("Volt Weekly Staff", None),
    ("@janedoe", None),
    ("newsbot_42", None),
    ("admin", None),
    ("RSS Feed", None),
    ("Jane Doe and Business Desk", "Jane Doe"),
    ("Jane Doe; Li Wei", "Jane Doe; Li Wei"),
    ("Volt Weekly", None),
])
def test_clean_author(byline: str, expected: str | None) -> None:
    assert clean_author(byline, "Volt Weekly") == expected


def test_desk_byline_from_meta_is_not_an_author() -> None:
    article = extract_article(_page("<meta name='author' content='Autos desk'>"), "https://v.example/a.html")
    assert article.author is None
    person = extract_article(_page("<meta name='author' content='Jane Doe'>"), "https://v.example/a.html")
    assert person.author == "Jane Doe"


def test_credit_line_names_the_author_when_metadata_does_not() -> None:
    credited = _page("").replace("</article>", "<p class='credit'>Reporting by Lin Jiahui</p></article>")
    assert extract_article(credited, "https://v.example/a.html").author == "Lin Jiahui"
    desk = _page("").replace("</article>", "<p class='credit'>By Business Desk</p></article>")
    assert extract_article(desk, "https://v.example/a.html").author is None
