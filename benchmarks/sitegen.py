"""Benchmark sites: N distinct articles made from the gold dev split, plus the real pages.

    from benchmarks.sitegen import build_site
    site = build_site(corpus, out_dir, n=1000, base_url="http://127.0.0.1:8800")

Article ``i`` is a modified copy of gold article ``i % len(split)``: a new id and slug,
a publication date moved back ``i // len(split)`` days, numbers scaled (years kept), two
sentences swapped in one paragraph, and two or three paragraphs of neutral market
commentary drawn at random (no company, country or tariff words, so no facts). The
commentary gives every copy shingles of its own, so the near-duplicate check
(``transforms.dedupe``, 5-word shingles, Jaccard 0.7) sees distinct stories, as it would
on a real site; without it 34 of every 35 pages would be dropped as near-duplicates
before validation and load, and those stages would look cheaper than they are.

The split is rendered by the corpus's ``render_site.py``; the real pages of
``real-html/`` are copied to ``/real/`` and listed in ``/real/sitemap.xml``. The same
arguments always give the same site.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

OUTLETS = ("motor-ledger", "auto-thirty", "ev-dispatch", "trade-desk-daily", "asia-auto-wire", "grid-gear")
_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})*|\d+)(\.\d+)?(?![\w])")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“])")
_METRICS = ("quarterly deliveries", "order intake", "average selling prices", "inventory levels",
            "dealer margins", "freight costs", "battery cell prices", "used-car values", "lease volumes",
            "warranty claims", "showroom traffic", "fleet registrations")
_MOVES = ("rose", "fell", "edged up", "slipped", "climbed", "eased")
_SOURCES = ("industry data", "a trade association survey", "registration figures", "a dealer panel",
            "an analyst note", "customs statistics", "a supplier poll", "insurance data")
_UNITS = ("units", "vehicles", "orders", "contracts", "shipments", "listings")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")


@dataclass(frozen=True)
class Site:
    """A generated site on disk: its folder, origin and the sources to crawl."""

    directory: Path
    base_url: str
    articles: int       # generated article pages
    real_pages: int     # pages copied from real-html/
    first_published: dt.date
    last_published: dt.date

    @property
    def sources(self) -> list[str]:
        """Each outlet's feed, the sitemap index and the real pages' sitemap."""
        return ([f"{self.base_url}/{outlet}/feed.xml" for outlet in OUTLETS]
                + [f"{self.base_url}/sitemap_index.xml", f"{self.base_url}/real/sitemap.xml"])

    @property
    def pages(self) -> int:
        return self.articles + self.real_pages


def build_site(corpus: Path, out_dir: Path, n: int, base_url: str, seed: int = 0) -> Site:
    """Write the split variants and render them with real pages into ``out_dir``.

    ``corpus`` holds ``dev/*.json``, ``real-html/`` and ``render_site.py``. Raises
    CalledProcessError when rendering fails.
    """
    split = out_dir.parent / f"{out_dir.name}-split"
    shutil.rmtree(split, ignore_errors=True)
    split.mkdir(parents=True)
    gold = [json.loads(path.read_text()) for path in sorted((corpus / "dev").glob("*.json"))]
    dates = []
    for i in range(n):
        article = vary_article(gold[i % len(gold)], i, i // len(gold), random.Random(f"{seed}:{i}"))
        dates.append(dt.date.fromisoformat(article["published"]))
        (split / f"{article['id']}.json").write_text(json.dumps(article))
    subprocess.run([sys.executable, str(corpus / "render_site.py"), str(split), str(out_dir), "--base-url", base_url],
                   check=True, capture_output=True)
    shutil.rmtree(split)
    real = _copy_real_pages(corpus / "real-html", out_dir, base_url)
    return Site(out_dir, base_url, n, real, min(dates), max(dates))


def vary_article(article: dict, index: int, shift_days: int, rng: random.Random) -> dict:
    """A distinct copy of a gold article (format: the corpus README); its facts are dropped."""
    published = dt.date.fromisoformat(article["published"]) - dt.timedelta(days=shift_days)
    factor = rng.choice((0.8, 0.9, 1.1, 1.2, 1.3))
    body = [_scale_numbers(paragraph, factor) for paragraph in article["body"]]
    body = _swap_sentences(body, rng)
    body += [_commentary(rng) for _ in range(rng.choice((2, 3)))]
    return {
        "id": f"bench-{index:05d}", "outlet": article["outlet"], "slug": f"{article['slug']}-{index:05d}",
        "published": published.isoformat(), "updated": None, "title": _scale_numbers(article["title"], factor),
        "author": article.get("author"), "body": body, "facts": [], "refs": [],
    }


def _scale_numbers(text: str, factor: float) -> str:
    """Numbers multiplied by ``factor`` (same decimals); years 1900-2099 and small counts kept."""
    def scaled(match: re.Match) -> str:
        whole, decimals = match.group(1).replace(",", ""), match.group(2) or ""
        value = float(whole + decimals)
        if not decimals and (value < 10 or 1900 <= value <= 2099):
            return match.group(0)
        places = len(decimals) - 1 if decimals else 0
        return f"{value * factor:,.{places}f}" if "," in match.group(1) else f"{value * factor:.{places}f}"
    return _NUMBER.sub(scaled, text)


def _swap_sentences(body: list[str], rng: random.Random) -> list[str]:
    """Two neighbouring sentences of one paragraph (not the lede) swapped, where one has two."""
    candidates = [i for i, paragraph in enumerate(body[1:], 1) if len(_SENTENCE_END.split(paragraph)) > 1]
    if not candidates:
        return body
    index = rng.choice(candidates)
    sentences = _SENTENCE_END.split(body[index])
    at = rng.randrange(len(sentences) - 1)
    sentences[at], sentences[at + 1] = sentences[at + 1], sentences[at]
    return body[:index] + [" ".join(sentences)] + body[index + 1:]


def _commentary(rng: random.Random) -> str:
    """A paragraph of neutral market commentary with random figures: no fact words."""
    sentences = []
    for _ in range(rng.randint(4, 6)):
        sentences.append(
            f"{rng.choice(_SOURCES).capitalize()} published on {rng.choice(_WEEKDAYS)} showed "
            f"{rng.choice(_METRICS)} {rng.choice(_MOVES)} {rng.randint(1, 40)}.{rng.randint(0, 9)} percent "
            f"in {rng.choice(_MONTHS)} to {rng.randint(1_000, 990_000):,} {rng.choice(_UNITS)}, "
            f"against {rng.randint(1_000, 990_000):,} a year earlier and {rng.randint(2, 60)} "
            f"{rng.choice(_UNITS)} per {rng.choice(('dealer', 'site', 'week', 'region'))}.")
    return " ".join(sentences)


def _copy_real_pages(source: Path, out_dir: Path, base_url: str) -> int:
    """Copy real-html/*.html to /real/ and write /real/sitemap.xml listing them."""
    target = out_dir / "real"
    target.mkdir(exist_ok=True)
    pages = sorted(source.glob("*.html"))
    for page in pages:
        shutil.copyfile(page, target / page.name)
    urls = "\n".join(f"<url><loc>{base_url}/real/{page.name}</loc></url>" for page in pages)
    (target / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{urls}\n</urlset>\n')
    return len(pages)


def page_files(site_dir: Path) -> list[Path]:
    """Every page a crawl of the site fetches: article pages and real pages (no listings)."""
    articles = [path for outlet in OUTLETS for path in sorted((site_dir / outlet).rglob("*.html"))
                if path.name != "index.html"]
    return articles + sorted((site_dir / "real").glob("*.html"))
