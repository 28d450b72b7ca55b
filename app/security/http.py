"""HTTP hardening: the client address behind reverse proxies, and the headers every answer carries.

- ``X-Forwarded-For`` is believed only when the peer is one of ``TRUSTED_PROXIES``; then the client is
  the rightmost address that is not itself a trusted proxy (what the outermost trusted proxy saw),
  handed to Werkzeug's ProxyFix with that hop count. From anyone else the ``X-Forwarded-*`` headers are
  dropped, so a client cannot choose the address the sign-in throttle and the audit log record.
- No framing (``X-Frame-Options: DENY``, CSP ``frame-ancestors 'none'``), ``nosniff``, a same-origin
  referrer (credential-sheet links carry a token), and ``Cache-Control: no-store`` on every answer but
  static files: pages and downloads hold personal data and one-time passwords.
"""
from __future__ import annotations

import ipaddress
from typing import Iterable, Optional

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

FORWARDED_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST",
                     "HTTP_X_FORWARDED_PORT", "HTTP_X_FORWARDED_PREFIX", "HTTP_FORWARDED")

CSP = "frame-ancestors 'none'; object-src 'none'; base-uri 'self'"
STATIC_ENDPOINTS = {"static", "appbuilder.static"}


def _address(value: Optional[str]):
    try:
        return ipaddress.ip_address((value or "").strip())
    except ValueError:
        return None


def _trusted(address, networks: Iterable) -> bool:
    return address is not None and any(address.version == n.version and address in n for n in networks)


def client_hops(forwarded_for: str, networks) -> int:
    """How many ``X-Forwarded-For`` entries, from the right, to walk to reach the client.

    Entries that are trusted proxies are skipped; the first that is not is the client. An entry that is
    not an address stops the walk before it (the peer's own view is kept).
    """
    values = [v.strip() for v in forwarded_for.split(",") if v.strip()]
    hops = 0
    for value in reversed(values):
        address = _address(value)
        if address is None:
            break
        hops += 1
        if not _trusted(address, networks):
            break
    return hops


class TrustedProxies:
    """WSGI middleware: forwarded headers honoured from trusted proxies only (read per request)."""

    def __init__(self, wsgi_app, app: Flask):
        self.wsgi_app = wsgi_app
        self.app = app

    def __call__(self, environ, start_response):
        networks = self.app.extensions["settings"].trusted_proxies
        if not networks or not _trusted(_address(environ.get("REMOTE_ADDR")), networks):
            for header in FORWARDED_HEADERS:
                environ.pop(header, None)
            return self.wsgi_app(environ, start_response)
        hops = client_hops(environ.get("HTTP_X_FORWARDED_FOR", ""), networks)
        return ProxyFix(self.wsgi_app, x_for=hops, x_proto=1, x_host=0, x_port=0, x_prefix=0)(environ, start_response)


def security_headers(response):
    headers = response.headers
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    endpoint = request.endpoint or ""
    if endpoint not in STATIC_ENDPOINTS and not endpoint.endswith(".static"):
        if "no-store" not in (headers.get("Cache-Control") or ""):
            headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
    return response


def install(app: Flask) -> None:
    app.wsgi_app = TrustedProxies(app.wsgi_app, app)
    app.after_request(security_headers)
