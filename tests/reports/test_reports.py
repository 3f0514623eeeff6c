"""Activity reports: draft, submit, deadline, reopen, reminders, the compiled documents."""

import io
import re
from datetime import UTC, datetime, timedelta

from docx import Document
from sqlalchemy import select

from meetingapp.extensions import db
from meetingapp.models import BackgroundJob, Contribution, Invitation, Meeting, OutboxMessage
from meetingapp.reports import services
from meetingapp.reports.compile import communique_docx, compiled_docx, compiled_pdf
from tests.factories import OutcomeFactory
from tests.invitation_helpers import invitation_with_token, organisation_with_focal_point


def _invited(name, acronym, kind="international", meeting=None):
    org = organisation_with_focal_point(name=name, acronym=acronym, kind=kind)
    inv_id, token = invitation_with_token(meeting=meeting, organisation=org, status="accepted")
    return db.session.get(Invitation, inv_id), token


def _write(client, token, texts, action="save"):
    """Fill the report's fields as the page names them, in the page's order, and post."""
    names = re.findall(r'<textarea[^>]*name="(section-[\w-]+)"', client.get(f"/i/{token}").get_data(
        as_text=True))
    data = dict(zip(names, texts, strict=False))
    data["action"] = action
    return client.post(f"/i/{token}/report", data=data)


def test_draft_submit_deadline_reopen(app, client, staff_client):
    with app.app_context():
        inv, token = _invited("Council of Europe", "CoE", "regional")
        meeting_id = inv.meeting_id
    page = client.get(f"/i/{token}").get_data(as_text=True)
    assert "Mandate and membership" in page and "Contact point" in page
    assert _write(client, token, ["Our mandate", "", "", "", ""]).status_code == 302
    with app.app_context():
        c = db.session.scalar(select(Contribution))
        assert c.status == "draft" and c.text_for(c.answers[0].section_id) == "Our mandate"
    assert _write(client, token, ["Our mandate v2"], "submit").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Contribution)).status == "submitted"
    _write(client, token, ["Changed after submitting"])
    with app.app_context():
        c = db.session.scalar(select(Contribution))
        assert "v2" in c.answers[0].text
        c.status = "draft"
        services.settings_of(db.session.get(Meeting, meeting_id)).deadline_at = (
            datetime.now(UTC) - timedelta(hours=1))
        db.session.commit()
        cid = c.id
    _write(client, token, ["After the deadline"], "submit")
    with app.app_context():
        assert db.session.get(Contribution, cid).status == "draft"
        assert "v2" in db.session.get(Contribution, cid).answers[0].text
    assert "deadline for contributions has passed" in client.get(f"/i/{token}").get_data(
        as_text=True)
    staff_client.post(f"/meetings/{meeting_id}/report/contributions/{cid}/reopen")
    _write(client, token, ["Late but reopened"], "submit")
    with app.app_context():
        c = db.session.get(Contribution, cid)
        assert c.status == "submitted" and c.answers[0].text == "Late but reopened"
    staff_client.post(f"/meetings/{meeting_id}/report/contributions/{cid}/accept")
    with app.app_context():
        assert db.session.get(Contribution, cid).status == "accepted"


def test_representative_cannot_see_another_organisations_report(app, client, staff_client):
    with app.app_context():
        inv, token = _invited("African Union", "AU", "regional")
        meeting = db.session.get(Meeting, inv.meeting_id)
        _other, other_token = _invited("European Union", "EU", "regional", meeting=meeting)
    _write(client, other_token, ["Secret EU text"], "save")
    page = client.get(f"/i/{token}").get_data(as_text=True)
    assert "Secret EU text" not in page
    with app.app_context():
        eu = db.session.scalar(select(Contribution))
        assert eu.organisation.acronym == "EU"


def test_staff_overview_and_reminders(app, client, staff_client):
    with app.app_context():
        inv, token = _invited("Organization for Security and Co-operation in Europe", "OSCE",
                              "regional")
        meeting = db.session.get(Meeting, inv.meeting_id)
        _invited("Commonwealth of Independent States", "CIS", "sub-regional", meeting=meeting)
        meeting_id = meeting.id
    _write(client, token, ["Done"], "submit")
    page = staff_client.get(f"/meetings/{meeting_id}/report/").get_data(as_text=True)
    assert "Submitted" in page and "Not started" in page
    assert staff_client.post(f"/meetings/{meeting_id}/report/remind").status_code == 302
    with app.app_context():
        messages = db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.category == "report_reminder")).all()
        assert len(messages) == 1 and "focal" in messages[0].to_addrs


def _compiled_meeting(app, client, staff_client):
    """Three organisations of different kinds and scripts; two accepted, one draft."""
    with app.app_context():
        inv, t_ru = _invited("Содружество Независимых Государств", "СНГ", "sub-regional")
        meeting = db.session.get(Meeting, inv.meeting_id)
        _, t_ar = _invited("جامعة الدول العربية", "LAS", "regional", meeting=meeting)
        _, t_zh = _invited("上海合作组织", "SCO", "regional", meeting=meeting)
        _, t_un = _invited("International Maritime Organization", "IMO", meeting=meeting)
        OutcomeFactory(meeting=meeting, kind="conclusion", text="Keep contact points up to date",
                       organisations=[inv.organisation])
        meeting_id = meeting.id
    _write(client, t_ru, ["Мандат СНГ <script>alert(1)</script>"], "submit")
    _write(client, t_ar, ["ولاية الجامعة"], "submit")
    _write(client, t_zh, ["上海合作组织的任务"], "submit")
    _write(client, t_un, ["IMO draft only"], "save")
    with app.app_context():
        for c in db.session.scalars(select(Contribution).where(Contribution.status == "submitted")):
            services.accept(c)
        db.session.commit()
    return meeting_id


def test_compiled_docx_order_texts_and_sanitised(app, client, staff_client):
    meeting_id = _compiled_meeting(app, client, staff_client)
    with app.app_context():
        data = compiled_docx(db.session.get(Meeting, meeting_id))
    document = Document(io.BytesIO(data))
    headings = [(p.style.name, p.text) for p in document.paragraphs
                if p.style.name.startswith("Heading")]
    level1 = [t for s, t in headings if s == "Heading 1"]
    assert level1 == ["Regional organisations", "Sub-regional organisations",
                      "Annex: outcomes and commitments by organisation"]
    level2 = [t for s, t in headings if s == "Heading 2"]
    assert level2[:3] == ["جامعة الدول العربية (LAS)", "上海合作组织 (SCO)",
                          "Содружество Независимых Государств (СНГ)"]
    body = "\n".join(p.text for p in document.paragraphs)
    for text in ("Мандат СНГ", "ولاية الجامعة", "上海合作组织的任务", "Keep contact points"):
        assert text in body
    assert "IMO draft only" not in body and "script" not in body and "alert" not in body
    arabic = next(p for p in document.paragraphs if p.text == "ولاية الجامعة")
    assert arabic._p.pPr.find(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}bidi") is not None


def test_compiled_pdf_has_every_script(app, client, staff_client):
    from pypdf import PdfReader

    meeting_id = _compiled_meeting(app, client, staff_client)
    with app.app_context():
        data = compiled_pdf(db.session.get(Meeting, meeting_id))
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    squashed = text.replace(" ", "").replace("\n", "")
    for name in ("上海合作组织", "СодружествоНезависимыхГосударств"):
        assert name in squashed
    assert "جامعة" in text or "ةعماج" in text or "جامعة" in squashed
    assert "alert" not in text and "IMO draft only" not in text


def test_compile_as_background_job_and_communique(app, client, staff_client):
    meeting_id = _compiled_meeting(app, client, staff_client)
    response = staff_client.post(f"/meetings/{meeting_id}/report/compile/docx")
    assert response.status_code == 302 and "/jobs/" in response.location
    with app.app_context():
        job = db.session.scalar(select(BackgroundJob).where(
            BackgroundJob.kind == "compiled_report"))
        assert job.status == "done", job.error
    communique = staff_client.get(f"/meetings/{meeting_id}/report/communique.docx")
    assert communique.status_code == 200
    document = Document(io.BytesIO(communique.data))
    assert "Keep contact points up to date" in "\n".join(p.text for p in document.paragraphs)


def test_communique_only_summary_kinds(app):
    with app.app_context():
        meeting = OutcomeFactory(kind="recommendation", text="Recommend **this**").meeting
        OutcomeFactory(meeting=meeting, kind="commitment", text="A commitment")
        document = Document(io.BytesIO(communique_docx(meeting)))
    body = "\n".join(p.text for p in document.paragraphs)
    assert "Recommend this" in body and "A commitment" not in body


def test_staff_sections_deadline_and_contribution_page(app, client, staff_client):
    with app.app_context():
        inv, token = _invited("Asia-Pacific Economic Cooperation", "APEC", "regional")
        meeting_id = inv.meeting_id
    base = f"/meetings/{meeting_id}/report"
    assert "Mandate and membership" in staff_client.get(f"{base}/").get_data(as_text=True)
    staff_client.post(f"{base}/sections", data={"title": "Outlook", "guidance": "Plans"})
    staff_client.post(f"{base}/deadline", data={"deadline": "2030-01-15T17:00"})
    page = staff_client.get(f"{base}/").get_data(as_text=True)
    assert "Outlook" in page and "15 January 2030, 17:00" in page
    with app.app_context():
        settings = services.settings_of(db.session.get(Meeting, meeting_id))
        assert settings.deadline_at == datetime(2030, 1, 15, 22, 0, tzinfo=UTC)
    assert "Outlook" in client.get(f"/i/{token}").get_data(as_text=True)
    _write(client, token, ["Mandate **text**", "", "", "", "", "Our plans"], "submit")
    with app.app_context():
        cid = db.session.scalar(select(Contribution.id))
    page = staff_client.get(f"{base}/contributions/{cid}").get_data(as_text=True)
    assert "<strong>text</strong>" in page and "Our plans" in page and "Accept" in page
    assert staff_client.get(f"{base}/contributions/{cid + 99}").status_code == 404


def test_text_is_saved_by_section_not_by_position_when_sections_change(app, client):
    """A section removed while the representative writes never shifts texts onto others."""
    from meetingapp.models import ReportSection
    from meetingapp.reports.services import sections_of

    with app.app_context():
        inv, token = _invited("Council of Europe", "CoE", "regional")
    assert _write(client, token, ["Mandate text", "Activities text"]).status_code == 302
    page = client.get(f"/i/{token}").get_data(as_text=True)
    names = re.findall(r'<textarea[^>]*name="(section-[\w-]+)"', page)
    assert all(re.fullmatch(r"section-\d+", n) for n in names)
    with app.app_context():
        first = db.session.scalars(select(ReportSection).order_by(ReportSection.position)).first()
        db.session.delete(first)
        db.session.commit()
    stale = dict(zip(names, ["Mandate v2", "Activities v2", "", "", ""], strict=False))
    refused = client.post(f"/i/{token}/report", data={**stale, "action": "save"},
                          follow_redirects=True).get_data(as_text=True)
    assert "changed the sections of the report" in refused
    with app.app_context():
        c = db.session.scalar(select(Contribution))
        texts = {s.title: c.text_for(s.id) for s in sections_of(c.meeting, create_defaults=False)}
    assert "Mandate v2" not in texts.values() and "Activities v2" not in texts.values()
    assert "Activities text" in texts.values()
