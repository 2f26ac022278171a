"""Article extraction from stored HTML: text, metadata, listings, charsets."""

from __future__ import annotations

import datetime as dt

import pytest

from transforms.extract import NotAnArticle, decode_html, extract_article, url_date

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
    assert decode_html("é".encode("utf-8"), "text/html; charset=utf-8") == "é"


def test_url_date() -> None:
    assert url_date("https://x.example/2024/10/29/a.html") == dt.datetime(2024, 10, 29, tzinfo=dt.UTC)
    assert url_date("https://x.example/2024/13/45/a.html") is None
