"""The webhook channel: the alert's JSON POSTed to a URL, signed with HMAC-SHA256.

Headers (docs/alerts.md, "Webhook", has a verification example):

- `Idempotency-Key`: the same on every attempt, so the receiver can drop a retry;
- `X-Hearth-Timestamp`: Unix seconds when this attempt was signed;
- `X-Hearth-Signature`: `sha256=` + hex HMAC-SHA256 of `<timestamp>.<body>`
  with the shared secret. The timestamp is inside the signed text, so an
  attacker who captured one request cannot replay it later as fresh.

HTTP is the stdlib's urllib in a worker thread: one small POST per alert
needs no client library, and the channel then has no dependency to keep up.
Redirects are not followed: urllib would turn a redirected POST into a GET
without the body, which would look like success and deliver nothing.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import http.client
import json
import logging
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from urllib.parse import urlsplit

from pydantic import SecretStr

from hub.alerts.channels import DeliveryError
from hub.alerts.model import AlertMessage

log = logging.getLogger(__name__)

USER_AGENT = "hearth-webhook/1"


def sign(secret: bytes, timestamp: int, body: bytes) -> str:
    """The X-Hearth-Signature value for `body` signed at `timestamp`."""
    digest = hmac.new(secret, str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def safe_url(url: str) -> str:
    """Scheme and host only: paths and queries of webhook URLs often hold tokens."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}{f':{parts.port}' if parts.port else ''}/…"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # urllib then raises HTTPError with the 3xx status


class WebhookChannel:
    """POSTs each AlertMessage's JSON to `url`, signed with `secret`.

    `clock` gives the Unix time for X-Hearth-Timestamp; it is the wall clock on
    purpose, never the hub's replay clock, since receivers compare it with theirs.
    """

    def __init__(
        self,
        url: str,
        secret: SecretStr,
        *,
        timeout_s: float = 10.0,
        tls_context: ssl.SSLContext | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if urlsplit(url).scheme not in ("http", "https"):
            # The config allows only these; urllib would also open file: URLs.
            raise ValueError("a webhook URL starts with http:// or https://")
        self._url = url
        self._secret = secret
        self._timeout_s = timeout_s
        self._clock = clock
        self._opener = urllib.request.build_opener(
            _NoRedirects(), urllib.request.HTTPSHandler(context=tls_context)
        )

    @property
    def name(self) -> str:
        return f"webhook {safe_url(self._url)}"

    def request(self, message: AlertMessage) -> urllib.request.Request:
        body = json.dumps(message.to_json(), separators=(",", ":"), ensure_ascii=False).encode()
        timestamp = int(self._clock())
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": message.idempotency_key,
            "X-Hearth-Timestamp": str(timestamp),
            "X-Hearth-Signature": sign(self._secret.get_secret_value().encode(), timestamp, body),
            "User-Agent": USER_AGENT,
        }
        # S310: the scheme is checked to be http(s) in __init__.
        return urllib.request.Request(self._url, data=body, headers=headers, method="POST")  # noqa: S310

    async def send(self, message: AlertMessage) -> None:
        status = await asyncio.to_thread(self._post, self.request(message))
        log.debug("webhook for alert %d: %s answered %d", message.alert_id, self.name, status)

    def _post(self, request: urllib.request.Request) -> int:
        try:
            with self._opener.open(request, timeout=self._timeout_s) as response:
                status: int = response.status
                response.read(65536)  # let the server finish; the body is not used
        except urllib.error.HTTPError as exc:
            exc.close()
            raise _status_error(self.name, exc.code) from exc
        except urllib.error.URLError as exc:
            raise DeliveryError(f"{self.name} not reachable: {exc.reason}") from exc
        except (http.client.HTTPException, OSError) as exc:
            # Timeouts while reading, a connection reset, a malformed reply.
            raise DeliveryError(f"{self.name} failed: {type(exc).__name__}: {exc}") from exc
        if not 200 <= status < 300:
            raise _status_error(self.name, status)
        return status


def _status_error(name: str, status: int) -> DeliveryError:
    # 408 (timeout) and 429 (slow down) ask for a retry; other 4xx say the
    # request is wrong (bad signature, unknown path) and a retry changes
    # nothing; 3xx means the URL has moved, which a person must fix.
    transient = status >= 500 or status in (408, 429)
    return DeliveryError(f"{name} answered HTTP {status}", permanent=not transient)
