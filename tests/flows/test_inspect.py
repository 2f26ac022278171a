"""`inspect_page`: one page's metadata, date signals, text and facts, printed."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from rich.console import Console

from flows.inspection import InspectError, inspect_page

BODY = ("Volkswagen and Rivian agreed on Tuesday to form a joint venture for vehicle software, "
        "the companies said in a statement. The venture will be based in California.")
PAGE = f"""<html lang="en"><head><title>Carmakers team up [bold] | Volt Weekly</title>
<meta property="article:published_time" content="2024-10-29T09:00:00Z">
<script>var consent = {{expires: "2031-01-31"}};</script></head>
<body><article><h1>Carmakers team up [bold]</h1><p class="byline">By Tech desk · Published Oct. 28, 2024</p>
<p>{BODY}</p><p>{BODY} Updated October 30, 2024.</p></article></body></html>"""


def render(target: str, **kwargs: object) -> str:
    console = Console(record=True, width=200)
    inspect_page(target, console, **kwargs)
    return console.export_text()


def test_a_saved_page_shows_every_date_signal_and_the_choice(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(PAGE, encoding="utf-8")
    stamp = dt.datetime(2024, 11, 1, tzinfo=dt.UTC).timestamp()
    os.utime(path, (stamp, stamp))
    shown = render(str(path))
    assert "Carmakers team up [bold]" in shown                       # page text is not rich markup
    assert "2024-10-29T09:00:00Z from meta" in shown
    assert "chosen" in shown and "outranked" in shown
    assert "visible text 'Oct. 28, 2024'" in shown
    assert "joint venture" in shown and "facts (" in shown
    assert "author" in shown and "Tech desk" not in shown.split("publication date signals")[0]


def test_a_missing_target_says_what_to_pass() -> None:
    with pytest.raises(InspectError, match="neither an http"):
        render("/no/such/page.html")


def test_a_loopback_url_is_refused_unless_allowed() -> None:
    with pytest.raises(InspectError, match="allow_private_hosts"):
        render("http://127.0.0.1:9/page.html")
