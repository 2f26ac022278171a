"""The shell of newsledger's self-contained HTML pages: the run report and the data dictionary."""

from __future__ import annotations

# Rules every page shares: body text and tables.
_STYLE = """body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 980px; color: #222; }
table { border-collapse: collapse; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
"""
_VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">\n'


def page(title: str, body: str, style: str = "", *, viewport: bool = False) -> str:
    """A whole HTML page, no script and nothing fetched: ``title`` and ``body`` are HTML
    (already escaped), ``style`` holds CSS rules added after the shared ones, and
    ``viewport`` adds the meta tag that fits the page to a phone's width."""
    return ('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"{_VIEWPORT if viewport else ''}<title>{title}</title>\n<style>\n{_STYLE}{style}</style>\n</head>\n"
            f"<body>\n{body}\n</body>\n</html>\n")
