"""All network access: robots.txt, conditional GET with retries, size caps, host safety.

Every URL the crawler is asked for ends in one ``Fetch`` record (never an exception), so
the fetch log lists each URL attempted with its status or error.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import ipaddress
import random
import socket
import threading
import time
import zlib
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from urllib.parse import urlsplit

import httpx
from protego import Protego

from flows.settings import Settings

ACCEPTED_TYPES = ("text/html", "application/xhtml+xml", "application/xml", "text/xml",
                  "application/rss+xml", "application/atom+xml", "text/plain", "application/x-gzip",
                  "application/gzip")
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
ROBOTS_MAX_BYTES = 500 * 1024      # RFC 9309: parse at least the first 500 KiB
ROBOTS_MAX_REDIRECTS = 5           # RFC 9309: follow at least five consecutive redirects
GZIP_MAGIC = b"\x1f\x8b"
INFLATED_ENCODINGS = ("gzip", "x-gzip", "deflate")  # decoded here, under the size cap


@dataclass
class Fetch:
    """The result of fetching one URL.

    ``status`` is the final HTTP status (0 when no response); ``body`` is None for 304s,
    errors and refusals; ``error`` says why a fetch did not give a body.
    """

    url: str
    final_url: str
    status: int = 0
    body: bytes | None = None
    content_type: str = ""
    etag: str | None = None
    last_modified: str | None = None
    duration_ms: int = 0
    error: str | None = None
    disallowed: bool = False
    redirects: list[str] = field(default_factory=list)
    fetched_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    size: int = 0                  # bytes of the body (kept after the body is dropped)
    sha256: str | None = None      # of the body

    def release_body(self) -> None:
        """Drop the body once archived and processed, so a long run's memory stays flat."""
        self.body = None


class HostRefused(Exception):
    """A host resolving to a private, loopback, link-local or multicast address."""


class BodyRefused(ValueError):
    """A body that inflates beyond the size cap, or compressed data that is broken."""


class CappedInflater:
    """Streaming gzip/zlib decompression that refuses to produce more than ``max_bytes``.

    The cap is enforced while decompressing (``max_length``), so a decompression bomb
    costs at most ``max_bytes`` of memory before it is refused.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._inflater = zlib.decompressobj(wbits=47)  # 32 + 15: gzip or zlib header

    def feed(self, data: bytes) -> bytes:
        """The bytes ``data`` inflates to; raises BodyRefused beyond the cap or on broken data."""
        out = []
        while data:
            try:
                chunk = self._inflater.decompress(data, self.max_bytes - self.size + 1)
            except zlib.error as exc:
                raise BodyRefused(f"broken compressed data ({exc})") from exc
            self.size += len(chunk)
            if self.size > self.max_bytes:
                raise BodyRefused(f"compressed body inflates beyond the {self.max_bytes}-byte cap")
            out.append(chunk)
            data = self._next_member()
        return b"".join(out)

    def finish(self) -> None:
        """Raise BodyRefused when the compressed stream stopped before its end."""
        if not self._inflater.eof:
            raise BodyRefused("compressed body is truncated")

    def _next_member(self) -> bytes:
        """Input left after a gzip member ends (a multi-member file), with a fresh inflater."""
        if not self._inflater.eof or not self._inflater.unused_data:
            return b""
        rest = self._inflater.unused_data
        self._inflater = zlib.decompressobj(wbits=47)
        return rest


def is_gzipped(body: bytes) -> bool:
    """True when ``body`` is gzip data (by its magic bytes, whatever its URL or type says)."""
    return body.startswith(GZIP_MAGIC)


def gunzip_capped(body: bytes, max_bytes: int) -> bytes:
    """The content of the gzip ``body``, at most ``max_bytes`` long (a ``.xml.gz`` sitemap).

    Raises BodyRefused when it would inflate beyond ``max_bytes`` (checked while
    decompressing) or is not complete, valid gzip.
    """
    inflater = CappedInflater(max_bytes)
    content = inflater.feed(body)
    inflater.finish()
    return content


class Crawler:
    """A polite HTTP client for one run: robots.txt cached per host, per-host limits."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        timeout = httpx.Timeout(settings.read_timeout_s, connect=settings.connect_timeout_s)
        self._client = httpx.Client(
            timeout=timeout, follow_redirects=False, headers={"User-Agent": settings.user_agent},
            limits=httpx.Limits(max_connections=settings.concurrency),
        )
        self._robots: dict[str, Protego | None] = {}
        self._robots_locks: dict[str, threading.Lock] = {}
        self._host_locks: dict[str, threading.Semaphore] = {}
        self._host_next: dict[str, float] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Crawler:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def fetch_many(self, requests: list[tuple[str, dict[str, str]]]) -> list[Fetch]:
        """Fetch (url, conditional headers) pairs concurrently; results in input order."""
        return list(self.fetch_ahead(requests, ahead=len(requests)))

    def fetch_ahead(self, requests: Iterable[tuple[str, dict[str, str]]], ahead: int) -> Iterator[Fetch]:
        """Fetch (url, conditional headers) pairs concurrently, yielding the results in input
        order while later requests go on: at most ``ahead`` requests are in flight or done
        and not yet taken (their bodies are what the stream holds in memory). Unlike calls
        of ``fetch_many`` chunk after chunk, a slow URL holds back the results behind it,
        not the requests. Closing the stream early cancels the requests not started."""
        todo = iter(requests)
        pool = ThreadPoolExecutor(max_workers=self.settings.concurrency)
        try:
            pending = deque(pool.submit(self.fetch, *pair) for pair in islice(todo, max(1, ahead)))
            while pending:
                done = pending.popleft().result()
                if (pair := next(todo, None)) is not None:
                    pending.append(pool.submit(self.fetch, *pair))
                yield done
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> Fetch:
        """GET ``url`` politely, with conditional headers, retries and a size cap."""
        started = time.monotonic()
        result = Fetch(url=url, final_url=url)
        try:
            self._check_url(url)
            if not self.allowed(url):
                result.disallowed, result.error = True, "disallowed by robots.txt"
                return result
            self._get_with_retries(url, headers or {}, result)
        except HostRefused as exc:
            result.error = str(exc)
        except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as exc:
            result.error = f"{type(exc).__name__}: {exc}"
        finally:
            result.duration_ms = int((time.monotonic() - started) * 1000)
        return result

    def allowed(self, url: str) -> bool:
        """True when the host's robots.txt (fetched once per run) allows ``url``."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        with self._lock:
            origin_lock = self._robots_locks.setdefault(origin, threading.Lock())
        with origin_lock:  # one request for robots.txt per origin, however many threads ask
            if origin not in self._robots:
                self._robots[origin] = self._load_robots(origin)
        robots = self._robots[origin]
        return robots is None or robots.can_fetch(url, self.settings.user_agent)

    def _load_robots(self, origin: str) -> Protego | None:
        """The origin's robots.txt read as RFC 9309 says; None when everything is allowed.

        Redirects are followed (at most ROBOTS_MAX_REDIRECTS, each hop checked); 2xx is
        parsed (its first ROBOTS_MAX_BYTES, as UTF-8); 4xx means no rules; 5xx and 429 mean
        the file is unreachable, so the whole origin is disallowed for this run. A
        connection error allows everything: the page fetch then fails on its own and is
        retried by a later run instead of being recorded as disallowed.
        """
        url = f"{origin}/robots.txt"
        try:
            for _ in range(ROBOTS_MAX_REDIRECTS + 1):
                response = self._request(url, {})
                location = response.headers.get("location")
                if response.status_code not in (301, 302, 303, 307, 308) or not location:
                    break
                url = str(response.url.join(location))
                self._check_url(url)
            else:
                return None
        except (httpx.HTTPError, HostRefused):
            return None
        if response.status_code == 429 or response.status_code >= 500:
            return Protego.parse("User-agent: *\nDisallow: /\n")
        if not 200 <= response.status_code < 300:
            return None  # unavailable (4xx, or a redirect loop): no rules apply
        return Protego.parse(response.content[:ROBOTS_MAX_BYTES].decode("utf-8", errors="replace"))

    def _check_url(self, url: str) -> None:
        """Raise HostRefused for a URL that is not http(s), is malformed, or names a private host."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:  # an unclosed IPv6 bracket, a port out of range
            raise HostRefused(f"refused: malformed URL ({exc})") from exc
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise HostRefused(f"refused: only http(s) URLs are fetched, not {parts.scheme or 'a relative'} URL")
        if not self.settings.allow_private_hosts:
            refuse_private_host(parts.hostname, port or (443 if parts.scheme == "https" else 80))

    def _get_with_retries(self, url: str, headers: dict[str, str], result: Fetch) -> None:
        for attempt in range(self.settings.retries + 1):
            try:
                response = self._follow(url, headers, result)
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                if attempt == self.settings.retries:
                    raise
                result.error = f"{type(exc).__name__}: {exc}"
                time.sleep(self._backoff(attempt, None))
                continue
            result.status = response.status_code
            if response.status_code in RETRY_STATUSES and attempt < self.settings.retries:
                response.close()  # an unread streamed response holds its pooled connection
                time.sleep(self._backoff(attempt, response.headers.get("Retry-After")))
                continue
            self._read_response(response, result)
            return

    def _follow(self, url: str, headers: dict[str, str], result: Fetch) -> httpx.Response:
        """GET with redirects followed by hand (to at most 5), each hop checked and recorded."""
        for _ in range(6):
            response = self._request(url, headers, stream=True)
            if response.status_code not in (301, 302, 303, 307, 308) or "location" not in response.headers:
                result.final_url = url
                return response
            response.close()
            url = str(response.url.join(response.headers["location"]))
            self._check_url(url)
            result.redirects.append(url)
        raise httpx.TooManyRedirects(f"more than 5 redirects from {result.url}")

    def _request(self, url: str, headers: dict[str, str], stream: bool = False) -> httpx.Response:
        host = urlsplit(url).netloc
        with self._lock:
            semaphore = self._host_locks.setdefault(host, threading.Semaphore(self.settings.per_host_concurrency))
        with semaphore:
            self._wait_turn(host, url)
            request = self._client.build_request("GET", url, headers=headers)
            response = self._client.send(request, stream=stream)
        return response

    def _wait_turn(self, host: str, url: str) -> None:
        delay = self.settings.per_host_delay_s
        robots = self._robots.get(f"{urlsplit(url).scheme}://{host}")
        if robots is not None:
            delay = max(delay, robots.crawl_delay(self.settings.user_agent) or 0.0)
        if delay <= 0:
            return
        with self._lock:
            now = time.monotonic()
            turn = max(now, self._host_next.get(host, now))
            self._host_next[host] = turn + delay
        time.sleep(max(0.0, turn - now))

    def _read_response(self, response: httpx.Response, result: Fetch) -> None:
        try:
            result.etag = response.headers.get("ETag")
            result.last_modified = response.headers.get("Last-Modified")
            result.content_type = response.headers.get("Content-Type", "")
            if response.status_code == 304:
                if _declares_no_body(response):  # reading its end keeps the connection for the next request
                    response.read()
                result.error = None  # one that declares a body is closed unread: its bytes would open the next response
                return
            if response.status_code != 200:
                result.error = f"HTTP {response.status_code}"
                return
            mime = result.content_type.split(";")[0].strip().lower()
            if mime and mime not in ACCEPTED_TYPES and not _is_gzip_file(result.final_url, mime):
                result.error = f"content type {mime} is not a page or a feed"
                return
            try:
                result.body = self._read_capped(response)
            except BodyRefused as exc:
                raise httpx.DecodingError(str(exc)) from exc
            result.size = len(result.body)
            result.sha256 = hashlib.sha256(result.body).hexdigest()
            result.error = None
        finally:
            response.close()

    def _read_capped(self, response: httpx.Response) -> bytes:
        """The body, at most Settings.max_bytes after decoding, read within total_timeout_s.

        gzip and deflate Content-Encodings are inflated here under the cap; raises
        httpx.DecodingError beyond the cap, BodyRefused for a bomb or broken encoding,
        httpx.ReadTimeout when the body trickles in past the deadline.
        """
        declared = int(response.headers.get("Content-Length") or 0)
        if declared > self.settings.max_bytes:
            raise httpx.DecodingError(f"body of {declared} bytes exceeds the {self.settings.max_bytes}-byte cap")
        encoding = response.headers.get("Content-Encoding", "").strip().lower()
        inflater = CappedInflater(self.settings.max_bytes) if encoding in INFLATED_ENCODINGS else None
        raw = response.iter_raw() if inflater or encoding in ("", "identity") else response.iter_bytes()
        deadline = time.monotonic() + self.settings.total_timeout_s
        chunks, size = [], 0
        for chunk in raw:
            data = inflater.feed(chunk) if inflater else chunk
            size += len(data)
            if size > self.settings.max_bytes:
                raise httpx.DecodingError(f"body exceeds the {self.settings.max_bytes}-byte cap")
            if time.monotonic() > deadline:
                raise httpx.ReadTimeout(f"body not read within {self.settings.total_timeout_s} s")
            chunks.append(data)
        if inflater:
            inflater.finish()
        return b"".join(chunks)

    def _backoff(self, attempt: int, retry_after: str | None) -> float:
        if retry_after:
            seconds = _retry_after_seconds(retry_after)
            if seconds is not None:
                return min(seconds, self.settings.max_retry_after_s)
        return self.settings.backoff_s * (2**attempt) * (0.5 + random.random())


def _declares_no_body(response: httpx.Response) -> bool:
    """True when a response (a 304) says it has no body: no Transfer-Encoding and no
    Content-Length but 0. A 304 never has one, but a server that sends one anyway leaves
    its bytes where the connection's next response would be read."""
    return "Transfer-Encoding" not in response.headers and response.headers.get("Content-Length", "0").strip() == "0"


def refuse_private_host(host: str, port: int) -> None:
    """Raise HostRefused when ``host`` resolves to a non-public address."""
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise HostRefused(f"refused: cannot resolve {host} ({exc})") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if (address.is_private or address.is_loopback or address.is_link_local
                or address.is_multicast or address.is_reserved or address.is_unspecified):
            raise HostRefused(
                f"refused: {host} resolves to the non-public address {address}; "
                "pass --allow-private-hosts to crawl it"
            )


def _is_gzip_file(url: str, mime: str) -> bool:
    """A ``.gz`` file served as a generic binary or gzip type (as sitemaps often are)."""
    return mime in ("application/octet-stream", "application/x-gzip", "application/gzip") \
        and urlsplit(url).path.endswith(".gz")


def _retry_after_seconds(value: str) -> float | None:
    if value.strip().isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())
