"""Security headers on every answer, with a per-request nonce for the console's scripts:
a Content-Security-Policy that runs only our own files and nonce-bearing tags, no framing,
no MIME sniffing, same-origin referrers, and HSTS when cookies are secure-only
(SESSION_COOKIE_SECURE). install(app), called by create_app, puts them in place.
"""

import secrets

from flask import Flask, current_app, g


def install(app: Flask) -> None:
    """The `csp_nonce()` of the templates, and the headers on every response."""
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.after_request(security_headers)


def csp_nonce() -> str:
    """The request's script nonce; FAB's templates render it as `nonce="…"` on every script."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def content_security_policy(nonce: str) -> str:
    # Scripts: our files and nonce-bearing tags only. Styles need 'unsafe-inline': FAB's
    # templates and widgets use style="…" attributes and pygal's SVG charts carry <style>.
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


def security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy(csp_nonce()))
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response
