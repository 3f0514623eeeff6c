"""No personal data in the logs: a failed statement is logged without its values, and
what people search for is redacted from request lines (development server and gunicorn)."""

import io
import logging
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from meetingapp.extensions import db
from meetingapp.models import Contact
from meetingapp.request_log import LOG_FORMAT, REDACTED, REQUEST_LOG_FILTER, redact
from tests.test_logging import Gunicorn, _get

ROOT = Path(__file__).resolve().parent.parent
NAME = "Zeynep Kaya-Øberg"
EMAIL = "zeynep.kaya@example.org"
BODY = "Dear Ms. Kaya, your visa letter"


def _forms(text: str) -> list[str]:
    """``text`` as it may appear in a line: plain and percent-encoded."""
    return [text, quote(text, safe=""), quote_plus(text, safe=""),
            quote(quote(text, safe=""), safe="")]


@pytest.fixture
def log_lines():
    """Every line the application logs during the test, formatted as in production."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.addFilter(REQUEST_LOG_FILTER)
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.INFO)
    try:
        yield lambda: stream.getvalue().splitlines()
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def test_a_database_error_logs_no_value_of_the_statement(app, client, log_lines, caplog):
    @app.route("/_contact-without-organisation")
    def contact_without_organisation():
        # organisation_id is NOT NULL: the INSERT fails, with the name and e-mail as values.
        db.session.add(Contact(name=NAME, email=EMAIL, position=BODY, organisation_id=None))
        db.session.flush()
        return "not reached"

    app.config["PROPAGATE_EXCEPTIONS"] = False  # log it and answer 500, as in production
    with caplog.at_level(logging.INFO):
        response = client.get("/_contact-without-organisation")
    assert response.status_code == 500
    lines = log_lines()
    assert any("IntegrityError" in line for line in lines)  # the error is logged ...
    assert any("hide_parameters" in line for line in lines)
    for value in (NAME, EMAIL, BODY, "Kaya"):  # ... without the values
        assert all(value not in line for line in lines), value
        assert value not in caplog.text
        assert value not in response.get_data(as_text=True)


@pytest.mark.parametrize("detail, shown", [
    ('DETAIL:  Key (email_key)=(zeynep.kaya@example.org) already exists.',
     f'DETAIL:  Key (email_key)=({REDACTED}) already exists.'),
    ('DETAIL:  Failing row contains (7, null, Zeynep Kaya-Øberg, zeynep.kaya@example.org).',
     f'DETAIL:  Failing row contains ({REDACTED}).'),
    ('DETAIL:  Key (organisation_id)=(42) is not present in table "organisations".',
     f'DETAIL:  Key (organisation_id)=({REDACTED}) is not present in table "organisations".'),
])
def test_postgresql_error_details_lose_their_row_values(detail, shown):
    assert redact(detail) == shown


@pytest.mark.parametrize("term", [
    NAME, EMAIL, "<script>alert(1)</script>", "\u0632\u064a\u0646\u0628 \u0643\u0627\u064a\u0627",
    "\u202eayaK penyeZ\u202c", "\u5f20\u4f1f", "x" * 2000,
])
def test_search_terms_are_redacted_from_request_lines(term):
    for encoded in (quote(term), quote_plus(term)):
        line = redact(f'"GET /organisations/?kind=regional&q={encoded}&page=2 HTTP/1.1" 200')
        assert line == f'"GET /organisations/?kind=regional&q={REDACTED}&page=2 HTTP/1.1" 200'
        nested = redact(f"/login?next={quote('/invitations/?q=' + encoded + '&status=sent')}")
        assert encoded not in nested and quote(encoded, safe="") not in nested
        assert "status%3Dsent" in nested
        # gunicorn's %(q)s atom: the query string alone
        assert redact(f"q={encoded}&kind=regional") == f"q={REDACTED}&kind=regional"


def test_other_query_parameters_stay_readable():
    for text in ("/meetings/12/invitations?page=2&status=sent", "/faq=1", "/x?sq=1"):
        assert redact(text) == text


def test_development_server_lines_hide_search_terms(caplog):
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        logging.getLogger("werkzeug").info('%s - - [%s] "%s" %s %s', "127.0.0.1", "now",
                                           f"GET /checkin/1?q={quote(NAME)} HTTP/1.1", "200",
                                           "-")
    assert all(form not in caplog.text for form in _forms(NAME))
    assert f"q={REDACTED}" in caplog.text


def test_gunicorn_access_log_hides_search_terms(app, _schema):
    with Gunicorn(_schema) as server:
        # Signed out: the search page redirects to the sign-in page, the search in its next=.
        status, _ = _get(f"{server.base}/organisations/?q={quote(NAME)}&kind=regional",
                         {"Referer": f"{server.base}/invitations/?q={quote_plus(EMAIL)}"})
    out, err = server.out, server.err
    assert status == 200
    access = [line for line in out.splitlines() if '"GET ' in line]
    assert len(access) == 2  # the search page (302) and the sign-in page it sent us to
    assert f"q={REDACTED}" in access[0] and "kind=regional" in access[0]
    for value in (NAME, EMAIL):
        assert all(form not in out + err for form in _forms(value)), value
