"""A minimal OpenAI-compatible chat-completions client (stdlib only) with retries and backoff.

Works with any server that speaks ``POST {base}/v1/chat/completions`` (vLLM, Ollama, llama.cpp,
OpenAI, ...). Timeouts, connection errors (also a reply cut off mid-body), HTTP 429 and 5xx are
retried with exponential backoff (``backoff * 2**k`` seconds, or the server's ``Retry-After`` when it
is shorter than a minute); 401/403/404 and redirects stop the run (a wrong key, model or URL will not
get better by retrying); any other error, and a reply that is not a well-formed chat completion, is
recorded as that call's failure.

What an endpoint cannot do (docs/security.md, "Judge endpoints"):

- **take the key elsewhere**: redirects are not followed, except a 307/308 to the same origin (same
  scheme, host and port), which keeps the method and body; any other redirect stops the run and
  names where it pointed. The key goes in the ``Authorization`` header to the named origin only.
- **hold a call**: ``timeout`` is a wall-clock deadline for the whole attempt (connect, send,
  headers, body): at the deadline the socket is shut down, however slowly bytes trickle in.
- **flood memory**: a reply body larger than ``max_reply_bytes`` is that call's failure.
- **make the key leak**: the key is validated up front (visible ASCII, no spaces or control
  characters, surrounding whitespace stripped) and :class:`Redactor` removes it, in every form it may
  be echoed in (raw, repr, JSON, URL- or HTML-escaped; for keys of 16+ characters also any run of 8 of
  its characters), from every error text this module returns — before anything is cut to length.
  The reply's text is returned as received (the verdict is parsed from it); the runner redacts it
  before it is stored.
"""

from __future__ import annotations

import functools
import hashlib
import html
import http.client
import json
import os
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from ..errors import UsageError

KEY_ENV_VARS = ("QUALITYLAB_API_KEY", "OPENAI_API_KEY")
DEFAULT_BASE_URL = "https://api.openai.com/v1"
RETRY_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504})
FATAL_STATUS = frozenset({401, 403, 404})
MAX_REPLY_BYTES = 4 << 20  # 4 MiB: a completion of 1k tokens is a few kB
ERROR_DETAIL_CHARS = 300  # of an error body quoted in a message (after redaction)
MAX_SAME_ORIGIN_REDIRECTS = 3
#: the version of the call fingerprint (Endpoint.call_sha256); bump when what is hashed changes
CALL_KEY_VERSION = b"qualitylab judge call v1"
_KEY_CHARS = re.compile(r"[!-~]+\Z")  # visible ASCII: what an HTTP header value can carry as is
PARTIAL_KEY_CHARS = 8  # a run of this many characters of the key is redacted wherever it appears ...
PARTIAL_MIN_KEY = 16  # ... when the key has at least this many


def api_key_from_env() -> str | None:
    """``$QUALITYLAB_API_KEY``, else ``$OPENAI_API_KEY``, else None (local servers need none).

    Surrounding whitespace (a trailing newline from ``$(cat keyfile)``) is stripped; a key that
    still holds a space or a control / non-ASCII character is refused (exit 2) without printing it.
    """
    for name in KEY_ENV_VARS:
        raw = os.environ.get(name)
        if raw and raw.strip():
            return check_api_key(raw, name)
    return None


def check_api_key(raw: str, source: str = "the API key") -> str:
    """The key with surrounding whitespace stripped; a UsageError (never showing it) if it is unusable."""
    key = raw.strip()
    if not _KEY_CHARS.match(key):
        bad = next(i for i, ch in enumerate(key) if not ("!" <= ch <= "~"))
        raise UsageError(
            "Unusable API key",
            f"${source} holds a space, a control or a non-ASCII character at position {bad + 1} "
            f"of {len(key)} (the key is not shown)",
            "set the variable to the key alone",
        )
    return key


def chat_url(base_url: str) -> str:
    """``http://host:8000`` and ``http://host:8000/v1`` both give ``.../v1/chat/completions``."""
    base = base_url.rstrip("/")
    if base.endswith("/chat/completions"):
        return base
    if not base.endswith("/v1"):
        base += "/v1"
    return base + "/chat/completions"


def origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) with the scheme's default port filled in."""
    p = urllib.parse.urlsplit(url)
    scheme = p.scheme.lower()
    try:
        port = p.port
    except ValueError:
        port = None
    return scheme, (p.hostname or "").lower(), port or {"http": 80, "https": 443}.get(scheme)


def display_url(url: str) -> str:
    """A URL as it may be printed: without user:password and without the query string."""
    p = urllib.parse.urlsplit(url)
    host = p.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = f":{p.port}" if p.port else ""
    except ValueError:
        port = ""
    return urllib.parse.urlunsplit((p.scheme, host + port, p.path, "", ""))


class Redactor:
    """Removes one secret from texts, in every form it is likely to be echoed in."""

    def __init__(self, secret: str | None):
        self.secret = secret or ""
        forms: set[str] = set()
        if self.secret:
            s = self.secret
            forms |= {
                s,
                repr(s)[1:-1],
                json.dumps(s)[1:-1],
                json.dumps(s).replace("/", "\\/")[1:-1],
                urllib.parse.quote(s, safe=""),
                urllib.parse.quote(s),
                urllib.parse.quote_plus(s),
                html.escape(s, quote=True),
                html.escape(s, quote=False),
            }
            forms |= {f.lower() for f in forms if "%" in f} | {_upper_escapes(f) for f in forms if "%" in f}
        # longest first, so a form is never half-replaced by a shorter one it contains
        self._forms = sorted((f for f in forms if f), key=len, reverse=True)
        n, s = PARTIAL_KEY_CHARS, self.secret
        # pieces of the key: only for a real secret (a local server's "EMPTY" has no pieces worth hiding)
        self._grams = {s[i : i + n] for i in range(len(s) - n + 1)} if len(s) >= PARTIAL_MIN_KEY else set()

    def __call__(self, text: str | None) -> str | None:
        if text is None or not self.secret:
            return text
        for f in self._forms:
            text = text.replace(f, "***")
        return self._partial(text) if self._grams else text

    def _partial(self, text: str) -> str:
        """Mask every run of >= PARTIAL_KEY_CHARS characters that is a piece of the key."""
        n = PARTIAL_KEY_CHARS
        masked = bytearray(len(text))
        hit = False
        for i in range(len(text) - n + 1):
            if text[i : i + n] in self._grams:
                masked[i : i + n] = b"\x01" * n
                hit = True
        if not hit:
            return text
        out: list[str] = []
        i = 0
        while i < len(text):
            if masked[i]:
                while i < len(text) and masked[i]:
                    i += 1
                out.append("***")
            else:
                j = i
                while j < len(text) and not masked[j]:
                    j += 1
                out.append(text[i:j])
                i = j
        return "".join(out)


def _upper_escapes(s: str) -> str:
    return re.sub(r"%[0-9a-f]{2}", lambda m: m.group(0).upper(), s)


@dataclass(frozen=True)
class Reply:
    text: str | None  # the assistant message as received (the caller redacts before storing); None: failed
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    latency_ms: float | None = None  # of the successful attempt
    attempts: int = 1
    error: str | None = None


class FatalEndpointError(Exception):
    """The endpoint refused in a way retrying cannot fix (401/403/404, a refused redirect)."""


class MalformedReply(ValueError):
    """The endpoint answered 200 with something that is not a chat completion."""


class _Retryable(Exception):
    """A transient failure of one attempt (the message says what happened)."""


@dataclass(frozen=True)
class Endpoint:
    base_url: str
    model: str
    api_key: str | None = field(default=None, repr=False)
    timeout: float = 120.0  # wall-clock seconds per attempt
    max_retries: int = 4
    backoff: float = 1.0
    temperature: float = 0.0
    max_tokens: int = 1024
    max_reply_bytes: int = MAX_REPLY_BYTES

    def __post_init__(self) -> None:
        if self.api_key is not None:
            object.__setattr__(self, "api_key", check_api_key(self.api_key))
        if not self.timeout > 0:
            raise UsageError("Bad --timeout", repr(self.timeout), "give a number of seconds above 0")
        scheme = urllib.parse.urlsplit(chat_url(self.base_url)).scheme.lower()
        if scheme not in ("http", "https") or not origin(self.base_url)[1]:
            raise UsageError(
                "Bad --base-url", repr(display_url(self.base_url)), "give an http:// or https:// URL with a host"
            )

    @functools.cached_property
    def redact(self) -> Redactor:
        return Redactor(self.api_key)

    @property
    def url(self) -> str:
        return chat_url(self.base_url)

    def request_body(self, messages: list[dict[str, str]]) -> bytes:
        """The exact bytes POSTed for these messages."""
        return json.dumps(
            {"model": self.model, "messages": messages, "temperature": self.temperature, "max_tokens": self.max_tokens}
        ).encode("utf-8")

    def call_sha256(self, messages: list[dict[str, str]]) -> str:
        """The cache key of a call: SHA-256 of what is sent — the URL and the request body (rendered
        messages, model, sampling parameters). The key is not part of it."""
        h = hashlib.sha256(CALL_KEY_VERSION)
        h.update(b"\0" + self.url.encode("utf-8") + b"\0")
        h.update(self.request_body(messages))
        return h.hexdigest()

    def complete(self, messages: list[dict[str, str]]) -> Reply:
        """One chat completion, retried on transient failures; never raises except FatalEndpointError."""
        body = self.request_body(messages)
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        last = "no attempt made"
        for attempt in range(1, self.max_retries + 2):
            wait = self.backoff * 2 ** (attempt - 1)
            start = time.monotonic()
            try:
                status, reply_headers, data = self._post(body, headers)
                if status == 200:
                    return self._reply(data, (time.monotonic() - start) * 1000, attempt)
                detail = self._detail(data)
                last = f"HTTP {status}: {detail}" if detail else f"HTTP {status}"
                if status in FATAL_STATUS:
                    raise FatalEndpointError(f"{display_url(self.url)} answered {last}")
                if status not in RETRY_STATUS:
                    return Reply(None, attempts=attempt, error=last)
                wait = _retry_after(reply_headers.get("Retry-After"), wait)
            except _Retryable as e:
                last = str(e)
            except MalformedReply as e:
                return Reply(None, attempts=attempt, error=self.redact(f"malformed response: {e}"))
            if attempt <= self.max_retries:
                time.sleep(wait)
        return Reply(None, attempts=self.max_retries + 1, error=f"failed after {self.max_retries + 1} attempts: {last}")

    # -- one attempt ------------------------------------------------------------------------------

    def _post(self, body: bytes, headers: dict[str, str]) -> tuple[int, Any, bytes]:
        """POST within the wall-clock deadline; (status, headers, body) of the final reply.

        Raises _Retryable for timeouts and broken connections, FatalEndpointError for redirects
        that are refused, MalformedReply for an oversized body.
        """
        deadline = time.monotonic() + self.timeout
        url = self.url
        for _hop in range(MAX_SAME_ORIGIN_REDIRECTS + 1):
            status, reply_headers, data = self._attempt(url, body, headers, deadline)
            if status not in (301, 302, 303, 307, 308):
                return status, reply_headers, data
            target = urllib.parse.urljoin(url, reply_headers.get("Location") or "")
            where = display_url(target)
            if origin(target) != origin(self.url):
                raise FatalEndpointError(
                    f"{display_url(self.url)} answered HTTP {status}, a redirect to another origin ({where}); "
                    "not followed: the request and the API key go only to the endpoint you named"
                )
            if status not in (307, 308):
                raise FatalEndpointError(
                    f"{display_url(self.url)} answered HTTP {status}, a redirect to {where} that would turn the "
                    "POST into a GET without the messages; not followed"
                )
            url = target
        raise FatalEndpointError(f"{display_url(self.url)}: more than {MAX_SAME_ORIGIN_REDIRECTS} redirects")

    def _attempt(self, url: str, body: bytes, headers: dict[str, str], deadline: float) -> tuple[int, Any, bytes]:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _Retryable(f"timeout after {self.timeout:g} s (wall clock)")
        watch = _Watch()
        # env proxies still apply (ProxyHandler is one of urllib's default handlers)
        opener = urllib.request.build_opener(_NoRedirect(), _TrackedHTTP(watch), _TrackedHTTPS(watch))
        timer = threading.Timer(remaining, watch.expire)
        timer.daemon = True
        timer.start()
        expired = watch.expired
        try:
            req = urllib.request.Request(url, data=body, headers=headers, method="POST")
            try:
                resp = opener.open(req, timeout=remaining)
            except urllib.error.HTTPError as e:  # a non-2xx status: the error body is read the same way
                resp = e
            with resp:
                status = resp.status if resp.status is not None else resp.code
                data = self._read(resp, expired)
                return int(status), resp.headers, data
        except _Retryable:
            raise
        except TimeoutError as e:
            raise _Retryable(f"timeout after {self.timeout:g} s (wall clock; {type(e).__name__})") from None
        except urllib.error.URLError as e:
            if expired.is_set() or isinstance(e.reason, TimeoutError):
                raise _Retryable(f"timeout after {self.timeout:g} s (wall clock)") from None
            raise _Retryable(self.redact(f"connection failed: {e.reason}") or "") from None
        except (http.client.HTTPException, OSError) as e:
            if expired.is_set():
                raise _Retryable(f"timeout after {self.timeout:g} s (wall clock)") from None
            what = type(e).__name__ + (f": {e}" if str(e) else "")
            raise _Retryable(self.redact(f"connection failed: {what}") or "") from None
        finally:
            timer.cancel()
            for sock in watch.sockets:
                sock.close()

    def _read(self, resp: Any, expired: threading.Event) -> bytes:
        """The body, at most max_reply_bytes, one socket read at a time (so the deadline is met)."""
        chunks: list[bytes] = []
        size = 0
        while True:
            chunk = resp.read1(65536)
            if not chunk:
                break
            size += len(chunk)
            if size > self.max_reply_bytes:
                raise MalformedReply(f"reply larger than {self.max_reply_bytes:,} bytes; not read further")
            chunks.append(chunk)
        if expired.is_set():
            raise _Retryable(f"timeout after {self.timeout:g} s (wall clock), {size:,} bytes received")
        left = getattr(resp, "length", None)
        if left:  # Content-Length promised more than arrived: the connection closed mid-body
            raise _Retryable(f"connection closed mid-reply after {size:,} bytes ({left:,} missing)")
        return b"".join(chunks)

    def _detail(self, data: bytes) -> str:
        """An error body as a message: decoded, redacted, then cut to ERROR_DETAIL_CHARS."""
        text = self.redact(data.decode("utf-8", "replace")) or ""
        text = " ".join(text.split())
        return text[:ERROR_DETAIL_CHARS] + ("…" if len(text) > ERROR_DETAIL_CHARS else "")

    def _reply(self, data: bytes, latency: float, attempt: int) -> Reply:
        """A 200 body as a Reply; MalformedReply when it is not a chat completion with a text."""
        try:
            payload = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            raise MalformedReply(f"not JSON ({type(e).__name__} at byte {getattr(e, 'pos', '?')})") from None
        if not isinstance(payload, dict):
            raise MalformedReply(f"a JSON {type(payload).__name__}, not an object")
        choices = payload.get("choices")
        if not isinstance(choices, list) or not choices:
            raise MalformedReply("no choices in the response" if not choices else "'choices' is not a list")
        first = choices[0]
        message = first.get("message") if isinstance(first, dict) else None
        if not isinstance(message, dict):
            raise MalformedReply("choices[0].message is not an object")
        text = message.get("content")
        if not isinstance(text, str):
            raise MalformedReply(f"choices[0].message.content is {type(text).__name__}, not a string")
        usage = payload.get("usage")
        if usage is not None and not isinstance(usage, dict):
            raise MalformedReply("'usage' is not an object")
        usage = usage or {}
        return Reply(
            text,
            _tokens(usage, "prompt_tokens"),
            _tokens(usage, "completion_tokens"),
            latency,
            attempt,
        )


def _tokens(usage: dict[str, Any], name: str) -> int | None:
    """A token count: absent or null -> None; a non-negative integer (or integral float) -> int."""
    v = usage.get(name)
    if v is None:
        return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < 2**53:
        raise MalformedReply(f"usage.{name} is {json.dumps(v)[:40]}, not a token count")
    return v


def _retry_after(value: str | None, default: float) -> float:
    try:
        seconds = float(value) if value is not None else None
    except (TypeError, ValueError):
        return default
    return seconds if seconds is not None and 0 <= seconds <= 60 else default


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Hand every redirect back as its 3xx reply; Endpoint._post decides (same origin 307/308 only)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class _Watch:
    """The sockets of one attempt, so the deadline can shut them whatever phase the attempt is in
    (connect, TLS handshake, headers, body); a socket made after the deadline is shut at once."""

    def __init__(self) -> None:
        self.expired = threading.Event()
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()

    def add(self, sock: socket.socket) -> None:
        with self.lock:
            self.sockets.append(sock)
        if self.expired.is_set():
            _shut(sock)

    def expire(self) -> None:
        self.expired.set()
        with self.lock:
            for sock in self.sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:  # already closed
        pass


def _tracked(cls, watch: _Watch):
    def make(host: str, **kw: Any) -> http.client.HTTPConnection:
        c = cls(host, **kw)
        create = c._create_connection

        def create_tracked(*a: Any, **k: Any) -> socket.socket:
            sock = create(*a, **k)
            watch.add(sock)
            return sock

        c._create_connection = create_tracked
        return c

    return make


class _Tracking:
    """Hands every TCP socket urllib opens to the attempt's :class:`_Watch`."""

    def __init__(self, watch: _Watch):
        super().__init__()
        self.watch = watch

    def do_open(self, http_class, req, **kw):
        return super().do_open(_tracked(http_class, self.watch), req, **kw)


class _TrackedHTTP(_Tracking, urllib.request.HTTPHandler):
    pass


class _TrackedHTTPS(_Tracking, urllib.request.HTTPSHandler):
    pass
