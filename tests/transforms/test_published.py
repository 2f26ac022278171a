"""Choosing the publication date among a page's and its source's date signals."""

from __future__ import annotations

import datetime as dt

import lxml.html
import pytest

from transforms.published import PRIORITY, Candidate, choose_published, page_candidates, text_candidates

FETCHED = dt.datetime(2019, 5, 13, 9, tzinfo=dt.UTC)


def day(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def test_a_date_after_the_fetch_time_is_refused() -> None:
    choice = choose_published([Candidate("meta", day("2020-01-31")), Candidate("text", day("2019-05-12"), exact=False)],
                              FETCHED)
    assert (choice.published_at, choice.source) == (day("2019-05-12"), "text")
    assert choice.verdicts[0].status == "refused" and "after the fetch time" in choice.verdicts[0].reason


def test_without_a_fetch_time_there_is_no_upper_bound() -> None:
    assert choose_published([Candidate("meta", day("2020-01-31"))], None).source == "meta"


def test_a_zoneless_date_of_the_fetch_day_is_kept() -> None:
    early = dt.datetime(2019, 5, 13, 1, tzinfo=dt.UTC)
    choice = choose_published([Candidate("text", day("2019-05-13T08:15:00"), exact=False)], early)
    assert choice.published_at == day("2019-05-13T08:15:00")


def test_a_modified_date_is_never_the_publication_date() -> None:
    choice = choose_published([Candidate("jsonld", day("2019-05-12"), modified=True),
                               Candidate("url", day("2019-05-10"), exact=False)], FETCHED)
    assert choice.source == "url"
    assert choose_published([Candidate("meta", day("2019-05-12"), modified=True)], FETCHED).published_at is None


def test_page_metadata_outranks_the_url_and_the_text() -> None:
    choice = choose_published([Candidate("url", day("2018-05-18"), exact=False), Candidate("text", day("2018-05-18")),
                               Candidate("meta", day("2018-05-10T10:00:00"))], FETCHED)
    assert (choice.published_at, choice.source, choice.conflict) == (day("2018-05-10T10:00:00"), "meta", None)
    assert [v.status for v in choice.verdicts] == ["chosen", "outranked", "outranked"]


def test_strong_signals_disagreeing_by_more_than_a_day_are_recorded() -> None:
    choice = choose_published([Candidate("feed", day("2019-05-01")), Candidate("jsonld", day("2019-05-04"))], FETCHED)
    assert choice.source == "jsonld"
    assert choice.conflict == "jsonld 2019-05-04 kept over feed 2019-05-01"
    near = choose_published([Candidate("feed", day("2019-05-04T20:00:00")), Candidate("jsonld", day("2019-05-04"))],
                            FETCHED)
    assert near.conflict is None


def test_implausibly_old_dates_are_refused() -> None:
    assert choose_published([Candidate("text", day("1970-01-01"))], FETCHED).published_at is None


def test_unknown_source_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown date source"):
        choose_published([Candidate("guess", day("2019-05-01"))], FETCHED)
    assert PRIORITY[0] == "jsonld" and PRIORITY[-1] == "text"


def tree(body: str, head: str = ""):
    return lxml.html.fromstring(f"<html><head>{head}</head><body>{body}</body></html>")


def test_dates_in_scripts_are_not_candidates() -> None:
    page = tree("<script>var c = {expires: '2020-01-31'};</script><p>Publié le 12 mai 2019 à 08h15</p>")
    found = page_candidates(page, "https://x.example/a.html")
    assert [(c.source, c.value.date()) for c in found] == [("text", dt.date(2019, 5, 12))]


@pytest.mark.parametrize(("text", "expected"), [
    ("Veröffentlicht am 12. Mai 2019, 10:04 Uhr", dt.date(2019, 5, 12)),
    ("Publicado el 12 de mayo de 2019", dt.date(2019, 5, 12)),
    ("By Jane Doe · Oct. 29, 2024", dt.date(2024, 10, 29)),
    ("Stand: 29.10.2024", dt.date(2024, 10, 29)),
    ("Pubblicato il 3 settembre 2021", dt.date(2021, 9, 3)),
])
def test_visible_dates_in_several_languages(text: str, expected: dt.date) -> None:
    assert text_candidates(tree(f"<p>{text}</p>"))[0].value.date() == expected


def test_updated_text_dates_are_modified_and_published_ones_come_first() -> None:
    found = text_candidates(tree("<p>Updated Oct. 30, 2024</p><p>Related: Oct. 1, 2024</p>"
                                 "<p>Published Oct. 29, 2024</p>"))
    assert [(c.value.day, c.modified) for c in found] == [(29, False), (30, True), (1, False)]


def test_markup_candidates_keep_modified_apart() -> None:
    head = ('<script type="application/ld+json">{"@graph": [{"@type": "NewsArticle", '
            '"datePublished": "2024-10-29T09:00:00+01:00", "dateModified": "2024-10-30T09:00:00Z"}]}</script>'
            '<meta property="article:modified_time" content="2024-10-30T09:00:00Z">')
    body = ('<span class="updated">Updated <time datetime="2024-10-30">Oct. 30</time></span>'
            '<time datetime="2024-10-29T08:00:00Z">Oct. 29</time>')
    found = page_candidates(tree(body, head), "https://x.example/2024/10/28/a.html")
    summary = [(c.source, c.value.date().day, c.modified) for c in found]
    assert summary == [("jsonld", 29, False), ("jsonld", 30, True), ("meta", 30, True), ("time", 30, True),
                       ("time", 29, False), ("url", 28, False)]   # "Oct. 30" has no year: no text date
    choice = choose_published(found, dt.datetime(2024, 11, 1, tzinfo=dt.UTC))
    assert (choice.published_at, choice.source) == (dt.datetime(2024, 10, 29, 8, tzinfo=dt.UTC), "jsonld")


def test_the_canonical_url_date_counts_when_the_url_has_none() -> None:
    found = page_candidates(None, "https://x.example/a?id=1", "https://x.example/2018/05/18/a.html")
    assert [(c.source, c.value.date()) for c in found] == [("url", dt.date(2018, 5, 18))]


def test_wordpress_published_updated_time_counts_and_comment_times_do_not() -> None:
    body = ('<div class="comment" id="c1"><time datetime="2014-11-05T14:25:40Z">05.11.2014</time></div>'
            '<span class="posted-on"><time class="entry-date published updated" '
            'datetime="2014-03-20T15:27:05+00:00">20. März 2014</time></span>')
    found = [c for c in page_candidates(tree(body), "https://x.example/a") if c.source == "time"]
    assert [(c.value.date(), c.modified) for c in found] == [(dt.date(2014, 3, 20), False)]


def test_a_tool_guess_ranks_between_labelled_and_unlabelled_text_dates() -> None:
    guess = Candidate("text", day("2017-07-24"), "htmldate guess", exact=False)
    plain = text_candidates(tree("<p>26.8.2017</p>"), guess)
    assert [c.value.date() for c in plain] == [dt.date(2017, 7, 24), dt.date(2017, 8, 26)]
    labelled = text_candidates(tree("<p>Published 26.8.2017</p>"), guess)
    assert [c.value.date() for c in labelled] == [dt.date(2017, 8, 26), dt.date(2017, 7, 24)]
