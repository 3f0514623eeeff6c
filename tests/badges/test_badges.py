"""Check-in codes: their own secret, short and scanner-friendly, stored only as a hash,
issued on approval, re-issuable; the QR code on the delegate's page and in e-mail."""

import base64
import re

import pytest
import qrcode
import zxingcpp
from flask import render_template
from PIL import Image
from sqlalchemy import func, select

from meetingapp.badges.codes import (
    ALPHABET,
    CodeKeyChanged,
    code_row,
    current_code,
    find_code,
    format_code,
    hash_code,
    normalise_code,
)
from meetingapp.badges.delegate_qr import delegate_qr, qr_svg
from meetingapp.badges.fit import fit_font_size, line_count, truncate_to_fit
from meetingapp.badges.qr import qr_matrix
from meetingapp.extensions import db
from meetingapp.models import AuditEntry, CheckinCode, Delegate
from meetingapp.pdf import html_to_pdf
from meetingapp.registrations.notify import issue_page_link
from tests.badges.test_badges_pdf import decode_pdf
from tests.factories import ApprovedDelegateFactory, DelegateFactory


def test_approval_issues_a_code_of_its_own_stored_only_as_a_hash(app, staff_client):
    with app.app_context():
        delegate = DelegateFactory(status="pending")
        assert code_row(delegate) is None  # no badge before approval
        meeting_id, delegate_id = delegate.meeting_id, delegate.id
    response = staff_client.post(f"/meetings/{meeting_id}/registrations/{delegate_id}/approve")
    assert response.status_code == 302
    with app.app_context():
        delegate = db.session.get(Delegate, delegate_id)
        row = code_row(delegate)
        code = current_code(row)
        assert len(code) == 20 and set(code) <= set(ALPHABET)  # 100 bits, Crockford base32
        assert row.code_hash == hash_code(code) and code not in (row.seed, row.code_hash)
        assert row.code_hash != delegate.token_hash  # not the page link's secret
        columns = [getattr(row, c.name) for c in CheckinCode.__table__.columns]
        assert code not in [str(v) for v in columns]
        assert find_code(code).delegate_id == delegate_id


def test_qr_code_holds_the_code_only_in_alphanumeric_mode(app):
    with app.app_context():
        code = current_code(code_row(ApprovedDelegateFactory()))
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_Q)
    qr.add_data(code)
    qr.make(fit=True)
    assert qr.data_list[0].mode == qrcode.util.MODE_ALPHA_NUM
    assert qr.version == 2 and len(qr_matrix(code)) == 25 + 8  # small: 25 modules + quiet zone


def test_scanned_text_is_read_the_way_people_type_it(app):
    with app.app_context():
        code = current_code(code_row(ApprovedDelegateFactory()))
        assert find_code(format_code(code).lower()).delegate is not None
        assert find_code(f"  {code}\n") is not None
        assert normalise_code("o1-il") == "0111"
        assert find_code(code[:-1]) is None and find_code("") is None
        assert find_code("x" * 500) is None


def test_a_new_key_keeps_printed_badges_scanning_but_refuses_to_reprint(app):
    with app.app_context():
        delegate = ApprovedDelegateFactory()
        code = current_code(code_row(delegate))
        app.config["CHECKIN_CODE_KEY"] = "another-key-for-check-in-codes"
        assert find_code(code).delegate_id == delegate.id
        with pytest.raises(CodeKeyChanged):
            current_code(code_row(delegate))
        assert delegate_qr(delegate) is None


def test_staff_reissue_a_code_and_the_old_badge_stops_working(app, staff_client,
                                                               checkin_client):
    with app.app_context():
        delegate = ApprovedDelegateFactory()
        meeting_id, delegate_id = delegate.meeting_id, delegate.id
        old = current_code(code_row(delegate))
    url = f"/meetings/{meeting_id}/badges/{delegate_id}/reissue"
    page = staff_client.get(url).get_data(as_text=True)
    assert "stops working at once" in page
    assert checkin_client.get(url).status_code == 403
    response = staff_client.post(url, follow_redirects=True)
    assert "badge 00001-2" in response.get_data(as_text=True)
    with app.app_context():
        row = code_row(db.session.get(Delegate, delegate_id))
        new = current_code(row)
        assert new != old and row.generation == 2
        entry = db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "reissue_checkin_code")).one()
        assert entry.object_id == delegate_id and entry.changes == {"generation": [1, 2]}
    for code, result in ((old, "unknown_code"), (new, "checked_in")):
        answer = checkin_client.post(f"/checkin/{meeting_id}/scan", data={"code": code},
                                     headers={"Accept": "application/json"}).get_json()
        assert answer["answer"]["result"] == result


def test_the_delegate_page_shows_a_qr_code_that_decodes_to_the_code(app, client, tmp_path):
    with app.test_request_context():
        delegate = ApprovedDelegateFactory(title="Ms.", given_name="Ирина", family_name="Петрова")
        token = issue_page_link(delegate).rsplit("/", 1)[1]
        db.session.commit()
        code = current_code(code_row(delegate))
    page = client.get(f"/d/{token}").get_data(as_text=True)
    assert "Your badge QR code" in page and format_code(code) in page
    assert 'download="badge-qr-code.png"' in page
    svg = re.search(r"<svg.*?</svg>", page, re.S).group(0)
    assert "Петрова" not in svg and "@" not in svg  # the code only, nothing personal
    pdf = html_to_pdf(f"<html><body><div style='width:60mm'>{svg}</div></body></html>")
    assert decode_pdf(pdf, tmp_path, dpi=200) == [[code]]


def test_pending_delegates_see_no_qr_code(app):
    with app.app_context():
        delegate = DelegateFactory(status="pending")
        assert delegate_qr(delegate) is None and qr_svg(delegate) is None


def test_the_email_partials_carry_the_code_as_text_and_as_a_table(app, tmp_path):
    with app.test_request_context():
        delegate = ApprovedDelegateFactory()
        section = {"qr": delegate_qr(delegate)}
        html = render_template("badges/_qr_email.html", delegate=delegate, section=section)
        text = render_template("badges/_qr_email.txt", delegate=delegate, section=section)
        code = current_code(code_row(delegate))
    assert format_code(code) in html and format_code(code) in text
    assert "<img" not in html and "<svg" not in html  # shown even where images are blocked
    pdf = html_to_pdf(f"<html><body>{html}</body></html>")
    assert decode_pdf(pdf, tmp_path, dpi=200) == [[code]]


def test_rendering_a_delegate_without_a_code_issues_none(app):
    """Rendering is read-only: the approval e-mail's section and the delegate's page show no
    code for a delegate approved before badges existed, and write nothing."""
    with app.test_request_context():
        delegate = ApprovedDelegateFactory()
        db.session.execute(CheckinCode.__table__.delete())
        db.session.commit()
        db.session.expire_all()
        assert delegate_qr(delegate) is None
        html = render_template("badges/_qr_email.html", delegate=delegate,
                               section={"qr": delegate_qr(delegate)})
        assert "Check-in code" not in html
        assert not db.session.new and not db.session.dirty
        assert db.session.scalar(select(func.count()).select_from(CheckinCode)) == 0


def test_text_is_fitted_to_its_box():
    short = "Li Wei"
    long = "Maximiliana Alexandrovna Konstantinopolskaya-Rimsky-Korsakova"
    assert fit_font_size(short, 53, 3, 14, 6.5) == 14
    size = fit_font_size(long, 53, 3, 14, 6.5)
    assert 9 <= size < 14 and line_count(long, 53 * 72 / 25.4 / size) <= 3
    assert truncate_to_fit(long, 53, 3, 6.5) == long
    cut = truncate_to_fit("Name " * 200, 53, 3, 6.5)
    assert cut.endswith("…") and len(cut) < 200
    assert fit_font_size("李" * 40, 53, 3, 14, 6.5) < fit_font_size("李" * 10, 53, 3, 14, 6.5)


def test_badges_are_for_staff_only(app, checkin_client, staff_client):
    with app.app_context():
        meeting_id = ApprovedDelegateFactory().meeting_id
    assert checkin_client.get(f"/meetings/{meeting_id}/badges/").status_code == 403
    assert checkin_client.post(f"/meetings/{meeting_id}/badges/print",
                               data={"layout": "card", "print_all": "1"}).status_code == 403
    page = staff_client.get(f"/meetings/{meeting_id}/badges/").get_data(as_text=True)
    assert "Print every approved badge (1)" in page and "00001" in page
    meeting_page = staff_client.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert "Badges and check-in" in meeting_page


def test_the_qr_code_downloads_from_the_delegate_s_page_as_a_png(app, tmp_path):
    with app.app_context():
        delegate = ApprovedDelegateFactory()
        uri = delegate_qr(delegate).png_data_uri
        code = current_code(code_row(delegate))
        assert delegate_qr(DelegateFactory(status="pending")) is None
    prefix = "data:image/png;base64,"
    assert uri.startswith(prefix)
    (tmp_path / "qr.png").write_bytes(base64.b64decode(uri[len(prefix):]))
    assert [r.text for r in zxingcpp.read_barcodes(Image.open(tmp_path / "qr.png"))] == [code]


def test_qr_modules_are_the_qrcode_librarys_own():
    """qr_matrix maps the data from cached positions and masks: the same modules as
    qrcode's QRCode, for every size of code (versions 1 to 20, with version information)."""
    import random
    import string

    import qrcode

    from meetingapp.badges.qr import QUIET_ZONE, qr_matrix

    def stock(text):
        qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_Q, border=QUIET_ZONE)
        qr.add_data(text)
        qr.make(fit=True)
        return qr.get_matrix()

    rnd = random.Random(2003)
    for length in [*range(1, 120, 7), 200, 300, 450]:
        text = "".join(rnd.choice(string.ascii_uppercase + string.digits + "-")
                       for _ in range(length))
        assert qr_matrix(text) == stock(text), length
