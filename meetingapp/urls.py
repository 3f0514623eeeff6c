"""The one public address: every link, UID and feed that leaves the app is built from it.

``PUBLIC_URL`` (``MEETINGAPP_PUBLIC_URL``) is the address people reach the app at,
e.g. ``https://meetings.example.org`` or ``https://example.org/special-meeting``.
Links in e-mails, calendar files and feeds are built from it, never from the
request's Host header: a forged Host cannot put its own address into an
invitation, and the same event gets the same UID whichever address staff used.
"""

from urllib.parse import urlsplit

from flask import current_app


def normalise_public_url(value: str) -> str:
    """``scheme://host[:port][/path]`` without a trailing slash; ValueError says what is wrong."""
    text = str(value).strip()
    if any(c.isspace() or ord(c) < 32 for c in text):
        raise ValueError("it must not contain spaces or control characters")
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError("it must start with https:// (or http://)")
    if not parts.hostname:
        raise ValueError("it must name a host")
    if parts.username is not None or parts.password is not None:
        raise ValueError("it must not contain a user name or password")
    if parts.query or parts.fragment or "?" in text or "#" in text:
        raise ValueError("it must not contain a query (?) or a fragment (#)")
    try:
        host = parts.hostname.encode("idna").decode("ascii")
        port = parts.port
    except (UnicodeError, ValueError):
        raise ValueError("its host or port is not valid") from None
    if ":" in host:  # an IPv6 address keeps its brackets
        if not all(c in "0123456789abcdefABCDEF:." for c in host):
            raise ValueError("its host is not valid")
        host = f"[{host}]"
    elif not host or not all(c.isascii() and (c.isalnum() or c in "-.") for c in host):
        raise ValueError("its host is not valid")
    netloc = host if port is None else f"{host}:{port}"
    return f"{parts.scheme.lower()}://{netloc}{parts.path.rstrip('/')}"


def public_url() -> str:
    """The configured public address (checked and normalised by the configuration)."""
    return current_app.config["PUBLIC_URL"]


def public_host() -> str:
    """The host name of the public address, without port (``meetings.example.org``)."""
    return (urlsplit(public_url()).hostname or "localhost").lower()


def public_is_https() -> bool:
    return public_url().startswith("https://")


def external_url(endpoint: str, **values) -> str:
    """The absolute address of ``endpoint`` under the public address (never the request's)."""
    parts = urlsplit(public_url())
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/",
                                       url_scheme=parts.scheme)
    current_app.inject_url_defaults(endpoint, values)
    return adapter.build(endpoint, values, force_external=True)


def calendar_uid_domain() -> str:
    """The domain of new calendar UIDs: CALENDAR_UID_HOST, else the public host."""
    configured = current_app.config.get("CALENDAR_UID_HOST")
    if configured:
        return str(configured).split(":", 1)[0].strip().lower()
    return public_host()
