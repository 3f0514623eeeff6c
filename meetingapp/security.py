"""Security headers on every response, and trust in a reverse proxy's headers.

The Content-Security-Policy allows scripts and styles from this site only:
no inline script, no ``style`` attribute, no CDN (Bootstrap is served
locally). A header a view set itself (the link pages' ``no-referrer``) is
left as it is.
"""

from flask import Flask, Response, current_app, request
from flask_babel import gettext as _
from werkzeug.middleware.proxy_fix import ProxyFix

from .errors import render_error
from .formtools import refuse_noted_nul_fields, take_out_nul_characters

DEFAULT_CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
    "base-uri 'self'",
])


def security_headers(config, secure: bool) -> dict[str, str]:
    """The headers every response gets (HSTS only over HTTPS in production)."""
    headers = {
        "Content-Security-Policy": config.get("CONTENT_SECURITY_POLICY") or DEFAULT_CSP,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "DENY",
    }
    hsts = int(config.get("HSTS_SECONDS") or 0)
    if secure and hsts and config.get("ENV") == "production":
        headers["Strict-Transport-Security"] = f"max-age={hsts}"
    return headers


def add_security_headers(response: Response) -> Response:
    """Add the security headers that the view did not set itself."""
    for name, value in security_headers(current_app.config, request.is_secure).items():
        response.headers.setdefault(name, value)
    return response


def trust_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXIES proxies, take the client address and scheme from their headers."""
    count = int(app.config.get("TRUSTED_PROXIES") or 0)
    if count > 0:
        # Only X-Forwarded-For and -Proto: the proxy passes Host through as it
        # is, and a client-sent X-Forwarded-Host must never decide our links.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count,
                                x_host=0, x_port=0, x_prefix=0)


def refuse_nul_bytes():
    """A NUL character in an address's query is never meant: answer 400 with the reason.

    (PostgreSQL cannot store it in text, so it would otherwise end in a 500.) In a form
    value it is replaced and the form shows a message on its field (formtools).
    """
    if any("\x00" in value for value in request.args.values()):
        return render_error(400, _("The address contains an invisible control character "
                                   "(NUL). Please type the search again."))
    take_out_nul_characters()
    return None


def register(app: Flask) -> None:
    """ProxyFix when configured, and the security headers on every response."""
    trust_proxies(app)
    refuse_noted_nul_fields()
    app.before_request(refuse_nul_bytes)
    app.after_request(add_security_headers)
