"""A minimal OpenAI-compatible chat-completions client (stdlib only) with retries and backoff.

Works with any server that speaks ``POST {base}/v1/chat/completions`` (vLLM, Ollama, llama.cpp,
OpenAI, ...). Timeouts, connection errors, HTTP 429 and 5xx are retried with exponential backoff
(``backoff * 2**k`` seconds, or the server's ``Retry-After`` when it is shorter than a minute);
401/403/404 stop the run (a wrong key, model or URL will not get better by retrying); any other
error is recorded for that call. The API key is sent in the ``Authorization`` header only; it is
removed from every message this module returns.
"""

from __future__ import annotations

import json
import os
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field

KEY_ENV_VARS = ("QUALITYLAB_API_KEY", "OPENAI_API_KEY")
DEFAULT_BASE_URL = "https://api.openai.com/v1"
RETRY_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504})
FATAL_STATUS = frozenset({401, 403, 404})


def api_key_from_env() -> str | None:
    """``$QUALITYLAB_API_KEY``, else ``$OPENAI_API_KEY``, else None (local servers need none)."""
    for name in KEY_ENV_VARS:
        if os.environ.get(name):
            return os.environ[name]
    return None


def chat_url(base_url: str) -> str:
    """``http://host:8000`` and ``http://host:8000/v1`` both give ``.../v1/chat/completions``."""
    base = base_url.rstrip("/")
    if base.endswith("/chat/completions"):
        return base
    if not base.endswith("/v1"):
        base += "/v1"
    return base + "/chat/completions"


@dataclass(frozen=True)
class Reply:
    text: str | None  # the assistant message; None when the call failed
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    latency_ms: float | None = None  # of the successful attempt
    attempts: int = 1
    error: str | None = None


class FatalEndpointError(Exception):
    """The endpoint refused in a way retrying cannot fix (401/403/404)."""


@dataclass(frozen=True)
class Endpoint:
    base_url: str
    model: str
    api_key: str | None = field(default=None, repr=False)
    timeout: float = 120.0
    max_retries: int = 4
    backoff: float = 1.0
    temperature: float = 0.0
    max_tokens: int = 1024

    def redact(self, text: str) -> str:
        return text.replace(self.api_key, "***") if self.api_key else text

    def complete(self, messages: list[dict[str, str]]) -> Reply:
        """One chat completion, retried on transient failures; never raises except FatalEndpointError."""
        body = json.dumps(
            {"model": self.model, "messages": messages, "temperature": self.temperature, "max_tokens": self.max_tokens}
        ).encode("utf-8")
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        url = chat_url(self.base_url)
        last = "no attempt made"
        for attempt in range(1, self.max_retries + 2):
            wait = self.backoff * 2 ** (attempt - 1)
            start = time.monotonic()
            try:
                req = urllib.request.Request(url, data=body, headers=headers, method="POST")
                with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                    payload = json.loads(resp.read().decode("utf-8"))
                latency = (time.monotonic() - start) * 1000
                return self._reply(payload, latency, attempt)
            except urllib.error.HTTPError as e:
                detail = self.redact(_read_error(e))
                last = f"HTTP {e.code}: {detail}"
                if e.code in FATAL_STATUS:
                    raise FatalEndpointError(f"{url} answered {last}") from None
                if e.code not in RETRY_STATUS:
                    return Reply(None, attempts=attempt, error=last)
                wait = _retry_after(e, wait)
            except TimeoutError as e:
                last = f"timeout after {self.timeout:g} s ({type(e).__name__})"
            except urllib.error.URLError as e:
                reason = e.reason
                last = (
                    f"timeout after {self.timeout:g} s"
                    if isinstance(reason, (TimeoutError, socket.timeout))
                    else self.redact(f"connection failed: {reason}")
                )
            except (ConnectionError, OSError) as e:
                last = self.redact(f"connection failed: {e}")
            except (ValueError, KeyError, TypeError) as e:
                return Reply(None, attempts=attempt, error=self.redact(f"malformed response: {e}"))
            if attempt <= self.max_retries:
                time.sleep(wait)
        return Reply(None, attempts=self.max_retries + 1, error=f"failed after {self.max_retries + 1} attempts: {last}")

    def _reply(self, payload: dict, latency: float, attempt: int) -> Reply:
        if not isinstance(payload, dict) or "choices" not in payload:
            raise ValueError("no 'choices' in the response")
        text = payload["choices"][0]["message"].get("content")
        usage = payload.get("usage") or {}
        return Reply(
            text if isinstance(text, str) else None,
            usage.get("prompt_tokens"),
            usage.get("completion_tokens"),
            latency,
            attempt,
        )


def _read_error(e: urllib.error.HTTPError) -> str:
    try:
        return e.read().decode("utf-8", "replace")[:300].strip() or e.reason
    except Exception:  # the body of an error response is best effort
        return str(e.reason)


def _retry_after(e: urllib.error.HTTPError, default: float) -> float:
    value = e.headers.get("Retry-After") if e.headers else None
    try:
        seconds = float(value or "")
    except (TypeError, ValueError):
        return default
    return seconds if 0 <= seconds <= 60 else default
