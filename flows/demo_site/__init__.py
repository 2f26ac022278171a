"""The demo sample: a small news site with three outlets that ``newsledger demo`` serves
on loopback and runs the nightly pipeline against.

    with serve_demo(tmp_dir) as (base_url, manifest):
        ...  # crawl base_url + "/robots.txt", manifest["feeds"], manifest["sitemap_index"]

The articles (``ARTICLES_DIR/*.json``) are written for this project about public events
in the car and EV industry; each carries its gold facts in the corpus format.
"""

from __future__ import annotations

from flows.demo_site.render import ARTICLES_DIR, load_articles, render_site
from flows.demo_site.serve import serve_demo, serve_site

__all__ = ["ARTICLES_DIR", "load_articles", "render_site", "serve_demo", "serve_site"]
