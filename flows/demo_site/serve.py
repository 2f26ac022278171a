"""Serve a rendered demo site over HTTP on loopback, in a background thread.

Responses carry Content-Type by file kind, an ETag (hash of the file) and Last-Modified
(the manifest's "last_modified" date at noon GMT, else the file's mtime), and answer 304
to a matching If-None-Match or a recent enough If-Modified-Since. manifest.json itself is
not served.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from flows.demo_site.render import PUBLISH_TIME, render_site

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}
FEED_TYPE = "application/rss+xml; charset=utf-8"
HIDDEN_PATHS = frozenset({"/manifest.json"})


@contextmanager
def serve_site(
    directory: Path, host: str = "127.0.0.1", port: int = 0
) -> Iterator[str]:
    """Serve ``directory`` on ``host:port`` and yield the base URL, e.g. ``http://127.0.0.1:40123``.

    ``port=0`` picks a free port. Only loopback hosts are accepted (ValueError
    otherwise). The server stops when the block exits.
    """
    server = _bind(directory, host, port)
    with _running(server):
        yield _base_url(server)


@contextmanager
def serve_demo(
    tmp_dir: Path, host: str = "127.0.0.1", port: int = 0
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Render the demo articles into ``tmp_dir``, serve them and yield ``(base_url, manifest)``.

    The socket is bound first so that the site's absolute links use the real port.
    """
    server = _bind(tmp_dir, host, port)
    try:
        manifest = render_site(tmp_dir, _base_url(server))
    except BaseException:
        server.server_close()
        raise
    with _running(server):
        yield manifest["base_url"], manifest


def _bind(directory: Path, host: str, port: int) -> ThreadingHTTPServer:
    """Bind a server for ``directory`` without starting it."""
    if not _is_loopback(host):
        msg = f"refusing to serve the demo site on {host!r}; use a loopback host such as 127.0.0.1"
        raise ValueError(msg)
    handler = type("DemoSiteHandler", (_SiteHandler,), {"root": directory.resolve()})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


@contextmanager
def _running(server: ThreadingHTTPServer) -> Iterator[None]:
    """Run ``server`` in a daemon thread for the duration of the block."""
    thread = threading.Thread(
        target=server.serve_forever, name="demo-site", daemon=True
    )
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _is_loopback(host: str) -> bool:
    """Tell whether ``host`` names an IPv4 loopback address."""
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.version == 4 and address.is_loopback


def _base_url(server: ThreadingHTTPServer) -> str:
    """Return the http origin the server listens on."""
    host, port = server.server_address[:2]
    return f"http://{host}:{port}"


class _SiteHandler(BaseHTTPRequestHandler):
    """Serve files under ``root`` with validators and conditional GET."""

    root: Path
    server_version = "NewsledgerDemo/1.0"

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep request logs out of test and CLI output."""

    def _answer(self, send_body: bool) -> None:
        """Send the file for the request path, a 304, or a 404."""
        path = self._resolve()
        if path is None:
            self._send(
                HTTPStatus.NOT_FOUND,
                {"Content-Type": "text/plain; charset=utf-8"},
                b"not found\n",
                send_body,
            )
            return
        body = path.read_bytes()
        modified = self._last_modified(path)
        headers = {
            "ETag": '"' + hashlib.sha256(body).hexdigest()[:20] + '"',
            "Last-Modified": format_datetime(modified, usegmt=True),
        }
        if self._not_modified(headers["ETag"], modified):
            self._send(HTTPStatus.NOT_MODIFIED, headers, b"", send_body=False)
            return
        headers["Content-Type"] = _content_type(path)
        self._send(HTTPStatus.OK, headers, body, send_body)

    def _resolve(self) -> Path | None:
        """Map the request path to a file under root, or None."""
        url_path = unquote(urlsplit(self.path).path)
        if url_path.endswith("/"):
            url_path += "index.html"
        if url_path in HIDDEN_PATHS or "\\" in url_path:
            return None
        candidate = (self.root / url_path.lstrip("/")).resolve()
        if not candidate.is_relative_to(self.root) or not candidate.is_file():
            return None
        return candidate

    def _last_modified(self, path: Path) -> datetime:
        """Return the file's modification time from the manifest, else its mtime."""
        relative = "/" + path.relative_to(self.root).as_posix()
        day = _manifest_dates(self.root).get(relative)
        if day is not None:
            return datetime.combine(date.fromisoformat(day), PUBLISH_TIME)
        return datetime.fromtimestamp(int(path.stat().st_mtime), tz=UTC)

    def _not_modified(self, etag: str, modified: datetime) -> bool:
        """Apply If-None-Match, then If-Modified-Since (RFC 9110 order)."""
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
            return "*" in tags or etag in tags
        since = self.headers.get("If-Modified-Since")
        if since is None:
            return False
        try:
            return modified <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False

    def _send(
        self, status: HTTPStatus, headers: dict[str, str], body: bytes, send_body: bool
    ) -> None:
        """Write the status line, headers and optionally the body."""
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if status != HTTPStatus.NOT_MODIFIED:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)


def _content_type(path: Path) -> str:
    """Return the Content-Type for a served file."""
    if path.name == "feed.xml":
        return FEED_TYPE
    return CONTENT_TYPES.get(path.suffix, "application/octet-stream")


def _manifest_dates(root: Path) -> dict[str, str]:
    """Read the {path: ISO date} map from root/manifest.json, empty when absent."""
    manifest = root / "manifest.json"
    if not manifest.is_file():
        return {}
    dates: dict[str, str] = json.loads(manifest.read_text(encoding="utf-8")).get(
        "last_modified", {}
    )
    return dates
