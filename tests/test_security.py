"""Security headers on every response, a reverse proxy's headers trusted only when
configured, and production refusing unsafe settings."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from meetingapp import ConfigurationError, create_app
from meetingapp.extensions import db
from meetingapp.models import Meeting
from meetingapp.security import DEFAULT_CSP
from tests.conftest import make_config
from tests.invitation_helpers import invitation_with_token

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {"ENV": "production", "SECRET_KEY": "x" * 40, "MAIL_BACKEND": "smtp",
              "PUBLIC_URL": "https://meetings.example.org"}


def _directives(csp: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()}


@pytest.mark.parametrize("path", ["/login", "/healthz", "/static/css/app.css", "/nowhere"])
def test_every_response_has_the_security_headers(client, path):
    response = client.get(path)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Content-Security-Policy"] == DEFAULT_CSP
    assert "Strict-Transport-Security" not in response.headers


def test_content_security_policy_allows_no_inline_script_or_style(client):
    csp = _directives(client.get("/login").headers["Content-Security-Policy"])
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["base-uri"] == ["'self'"]
    assert "'unsafe-inline'" not in str(csp) and "'unsafe-eval'" not in str(csp)


def test_pages_have_no_inline_script_or_style_the_policy_would_block():
    """The CSP holds only while templates keep scripts and styles in static files."""
    offenders = []
    for template in sorted((ROOT / "templates").rglob("*.html")):
        # E-mail bodies (emails/, email.html, *_email.html) are read in mail
        # programs and document.html / *_document.html become PDF: neither is
        # served under our CSP.
        stem = template.stem.lstrip("_")
        if "emails" in template.parts or stem.split("_")[-1] in ("email", "document"):
            continue
        text = template.read_text(encoding="utf-8")
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=\"", text):
            offenders.append(str(template.relative_to(ROOT)))
    assert offenders == []


def test_a_header_set_by_the_view_is_kept(app, client):
    with app.app_context():
        _, token = invitation_with_token()
    response = client.get(f"/i/{token}")
    assert response.status_code == 200
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_hsts_only_in_production_over_https(_schema, tmp_path):
    production = create_app(make_config(_schema, INSTANCE_TMP=str(tmp_path), **PRODUCTION))
    client = production.test_client()
    assert "Strict-Transport-Security" not in client.get("/healthz").headers
    secure = client.get("/healthz", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"
    development = create_app(make_config(_schema, INSTANCE_TMP=str(tmp_path)))
    response = development.test_client().get("/healthz", base_url="https://localhost")
    assert "Strict-Transport-Security" not in response.headers


def _remote(app, headers):
    @app.route("/_test/remote")
    def remote():
        from flask import request

        return {"addr": request.remote_addr, "secure": request.is_secure, "host": request.host}

    return app.test_client().get("/_test/remote", headers=headers,
                                 environ_base={"REMOTE_ADDR": "10.0.0.2"})


FORWARDED = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https",
             "X-Forwarded-Host": "evil.example"}


def test_forwarded_headers_are_ignored_without_trusted_proxies(_schema, tmp_path):
    app = create_app(make_config(_schema, INSTANCE_TMP=str(tmp_path)))
    assert _remote(app, FORWARDED).get_json() == {"addr": "10.0.0.2", "secure": False,
                                                  "host": "localhost"}


def test_one_trusted_proxy_gives_client_address_and_scheme_but_not_host(_schema, tmp_path):
    app = create_app(make_config(_schema, INSTANCE_TMP=str(tmp_path), TRUSTED_PROXIES=1,
                                 **PRODUCTION))
    forwarded = dict(FORWARDED, **{"X-Forwarded-For": "198.51.100.1, 203.0.113.7"})
    response = _remote(app, forwarded)
    # Only the last address, the one our proxy added, is believed.
    assert response.get_json() == {"addr": "203.0.113.7", "secure": True, "host": "localhost"}
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_production_refuses_the_console_mail_backend():
    with pytest.raises(ConfigurationError, match="console mail backend"):
        create_app({"ENV": "production", "SECRET_KEY": "x" * 40})
    app = create_app(dict(PRODUCTION, MAIL_SERVER="smtp.example.org"))
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_wsgi_in_production_with_console_mail_says_so_in_one_line():
    env = {"MEETINGAPP_ENV": "production", "MEETINGAPP_SECRET_KEY": "y" * 40,
           "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "MEETINGAPP_MAIL_BACKEND=smtp" in lines[0]


def test_nul_character_in_a_query_is_a_clear_400_not_a_500(staff_client):
    response = staff_client.get("/organisations/?q=a%00b")
    assert response.status_code == 400
    assert "invisible control character (NUL)" in response.get_data(as_text=True)


@pytest.mark.parametrize("title", ["T\x00", "\x00", "اجتماع\x00خاص", "<script>\x00</script>"])
def test_nul_character_in_a_form_is_a_message_on_its_field(app, staff_client, title):
    response = staff_client.post("/meetings/new", data={"title": title, "number": "1"})
    assert response.status_code in (200, 400, 422)
    page = response.get_data(as_text=True)
    assert "Bad request" not in page
    # The message sits with the title field (its invalid-feedback), not at the page's top.
    field = page[page.index('name="title"'):]
    assert 'is-invalid' in page[page.rindex("<input", 0, page.index('name="title"')):
                                page.index('name="title"')]
    assert "invisible control character (NUL)" in field[:2000]
    assert "<script>" not in page.replace("<script src=", "")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Meeting)) == 0
