"""robots.txt as RFC 9309 reads it: longest match wins, 4xx allows, 5xx disallows."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from flows.crawl import Crawler
from flows.settings import Settings

# host label -> (status, headers, body) of its /robots.txt; hosts are told apart by a path prefix
ROBOTS: dict[str, tuple[int, dict[str, str], str]] = {
    "longest": (200, {}, "User-agent: *\nDisallow: /\nAllow: /public/\nAllow: /news/\n"),
    "agent": (200, {}, "User-agent: *\nDisallow: /\n\nUser-agent: newsledger\nDisallow: /drafts/\n"),
    "tie": (200, {}, "User-agent: *\nDisallow: /page\nAllow: /page\nDisallow: /*.pdf$\n"),
    "missing": (404, {}, "not found"),
    "broken": (503, {}, "try later"),
    "moved": (301, {"Location": "/moved-to/robots.txt"}, ""),
}
MOVED_BODY = "User-agent: *\nDisallow: /private/\n"


class RobotsServer:
    """One loopback server per robots.txt variant (a robots.txt belongs to an origin)."""

    def __init__(self, status: int, headers: dict[str, str], body: str) -> None:
        self.requests: list[str] = []
        owner = self
        routes = {"/robots.txt": (status, headers, body), "/moved-to/robots.txt": (200, {}, MOVED_BODY)}

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
                owner.requests.append(self.path)
                code, extra, text = routes.get(self.path, (200, {}, "<html>page</html>"))
                payload = text.encode()
                self.send_response(code)
                for name, value in {"Content-Type": "text/plain", "Content-Length": str(len(payload)), **extra}.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def origins() -> Iterator[dict[str, str]]:
    servers = {name: RobotsServer(*spec) for name, spec in ROBOTS.items()}
    yield {name: server.origin for name, server in servers.items()}
    for server in servers.values():
        server.close()


@pytest.fixture()
def crawler() -> Iterator[Crawler]:
    with Crawler(Settings(allow_private_hosts=True, retries=0)) as client:
        yield client


@pytest.mark.parametrize(("path", "allowed"), [
    ("/news/2024/03/port-deal", True),
    ("/public/", True),
    ("/admin/", False),
    ("/", False),
    ("/robots.txt", True),
])
def test_longest_match_wins_whatever_the_order(crawler: Crawler, origins: dict[str, str], path: str,
                                               allowed: bool) -> None:
    assert crawler.allowed(origins["longest"] + path) is allowed


def test_a_group_for_our_product_token_replaces_the_star_group(crawler: Crawler, origins: dict[str, str]) -> None:
    assert crawler.allowed(origins["agent"] + "/news/a") is True
    assert crawler.allowed(origins["agent"] + "/drafts/a") is False


def test_equal_length_rules_allow_and_wildcards_anchor(crawler: Crawler, origins: dict[str, str]) -> None:
    assert crawler.allowed(origins["tie"] + "/page") is True
    assert crawler.allowed(origins["tie"] + "/report.pdf") is False
    assert crawler.allowed(origins["tie"] + "/report.pdf?download=1") is True


def test_unavailable_robots_allows_everything(crawler: Crawler, origins: dict[str, str]) -> None:
    assert crawler.allowed(origins["missing"] + "/anything") is True


def test_unreachable_robots_disallows_everything(crawler: Crawler, origins: dict[str, str]) -> None:
    assert crawler.allowed(origins["broken"] + "/news/a") is False
    fetch = crawler.fetch(origins["broken"] + "/news/a")
    assert fetch.disallowed and fetch.body is None


def test_redirected_robots_is_followed(crawler: Crawler, origins: dict[str, str]) -> None:
    assert crawler.allowed(origins["moved"] + "/private/x") is False
    assert crawler.allowed(origins["moved"] + "/news/x") is True
