"""Warnings instead of silent acceptance, speakers only from invited organisations, and
descriptions stripped of anything active."""

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from meetingapp.extensions import db
from meetingapp.markdown import render_markdown
from meetingapp.models import Meeting, Speaker
from tests.agenda_helpers import first_special_meeting, invite, item_form, item_id
from tests.factories import ApprovedDelegateFactory, DelegateFactory, OrganisationFactory


@pytest.fixture
def meeting(app):
    """The meeting, IMF invited with an approved and a pending delegate; returns ids."""
    with app.app_context():
        meeting = first_special_meeting()
        imf, invitation = invite(meeting, "International Monetary Fund", "IMF")
        approved = ApprovedDelegateFactory(invitation=invitation, given_name="Anne",
                                           family_name="Krueger")
        pending = DelegateFactory(invitation=invitation, given_name="Pia", family_name="Pending")
        stranger = OrganisationFactory(name="Not Invited Organisation", acronym="NIO")
        return {"id": meeting.id, "imf": imf.id, "approved": approved.id,
                "pending": pending.id, "stranger": stranger.id}


def _add(client, meeting, title, start, end, **fields):
    response = client.post(f"/meetings/{meeting['id']}/agenda/items/new",
                           data=item_form(title, start, end, **fields), follow_redirects=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _speaker(client, meeting, title, choice, role="presenter"):
    return client.post(
        f"/meetings/{meeting['id']}/agenda/items/{item_id(client.application, title)}/speakers",
        data={"speaker": choice, "role": role}, follow_redirects=True)


def _agenda(client, meeting) -> str:
    return client.get(f"/meetings/{meeting['id']}/agenda/").get_data(as_text=True)


def test_items_overlapping_in_the_same_room_are_warned(staff_client, meeting):
    _add(staff_client, meeting, "Panel", "10:00", "11:00", room="Conference Room 4")
    page = _add(staff_client, meeting, "Side event", "10:30", "11:30", room="conference room 4")
    assert "Warning — Same room, same time" in page  # said right after saving
    assert "“Panel” (06 Mar 10:00–11:00) and “Side event” (06 Mar 10:30–11:30) are both in " \
           "Conference Room 4" in _agenda(staff_client, meeting)
    # In another room, nothing to say.
    _add(staff_client, meeting, "Elsewhere", "10:30", "11:30", room="Room 7")
    assert "1 warning(s)" in _agenda(staff_client, meeting)


def test_a_speaker_in_two_places_at_once_is_warned(staff_client, meeting):
    _add(staff_client, meeting, "Financing", "10:00", "11:00", room="Room 1")
    _add(staff_client, meeting, "Borders", "10:45", "11:30", room="Room 2")
    _speaker(staff_client, meeting, "Financing", f"d:{meeting['approved']}")
    response = _speaker(staff_client, meeting, "Borders", f"d:{meeting['approved']}")
    assert "Speaker in two places at once" in response.get_data(as_text=True)
    page = _agenda(staff_client, meeting)
    assert "Speaker in two places at once" in page and "Krueger" in page


def test_an_item_outside_the_meeting_dates_or_crossing_midnight_is_warned(staff_client,
                                                                          meeting):
    page = _add(staff_client, meeting, "Follow-up", "10:00", "11:00",
                starts_at="2003-03-07T10:00", ends_at="2003-03-07T11:00")
    assert "Outside the meeting" in page
    _add(staff_client, meeting, "Reception", "23:30", "00:30",
         ends_at="2003-03-07T00:30")
    page = _agenda(staff_client, meeting)
    assert "“Reception” starts on 06 March and ends on the next day" in page
    assert "Crosses midnight" in page


def test_a_delegate_not_approved_speaking_is_warned(staff_client, meeting):
    _add(staff_client, meeting, "Standards", "10:00", "11:00")
    response = _speaker(staff_client, meeting, "Standards", f"d:{meeting['pending']}")
    assert "Speaker not approved" in response.get_data(as_text=True)
    assert "is pending, not approved" in _agenda(staff_client, meeting)


def test_an_organisation_not_invited_cannot_speak(app, staff_client, meeting):
    _add(staff_client, meeting, "Standards", "10:00", "11:00")
    response = _speaker(staff_client, meeting, "Standards", f"o:{meeting['stranger']}")
    assert response.status_code == 422
    assert "Not Invited Organisation (NIO) is not invited to this meeting" in \
        response.get_data(as_text=True)
    # The form offers invited organisations only.
    page = staff_client.get(
        f"/meetings/{meeting['id']}/agenda/items/{item_id(app, 'Standards')}/speakers")
    assert "NIO" not in page.get_data(as_text=True)
    # And the database refuses it too, whatever the code above does.
    with app.app_context():
        db.session.add(Speaker(meeting_id=meeting["id"], item_id=item_id(app, "Standards"),
                               organisation_id=meeting["stranger"], role="presenter"))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_speakers_are_listed_in_order_and_can_be_reordered(app, staff_client, meeting):
    with app.app_context():
        ctc, _ = invite(db.session.get(Meeting, meeting["id"]), "Counter-Terrorism Committee",
                        "CTC")
        ctc_id = ctc.id
    _add(staff_client, meeting, "Standards", "10:00", "11:00")
    _speaker(staff_client, meeting, "Standards", f"o:{ctc_id}", role="chair")
    _speaker(staff_client, meeting, "Standards", f"o:{meeting['imf']}")
    item = item_id(app, "Standards")
    page = staff_client.get(f"/meetings/{meeting['id']}/agenda/items/{item}/speakers")
    text = page.get_data(as_text=True)
    assert text.index("Committee (CTC)</bdi>") < text.index("Fund (IMF)</bdi>")
    with app.app_context():
        imf_speaker = db.session.scalar(select(Speaker.id).where(
            Speaker.organisation_id == meeting["imf"]))
    staff_client.post(f"/meetings/{meeting['id']}/agenda/items/{item}/speakers/"
                      f"{imf_speaker}/up")
    text = staff_client.get(f"/meetings/{meeting['id']}/agenda/items/{item}/speakers") \
        .get_data(as_text=True)
    assert text.index("Fund (IMF)</bdi>") < text.index("Committee (CTC)</bdi>")
    staff_client.post(f"/meetings/{meeting['id']}/agenda/items/{item}/speakers/"
                      f"{imf_speaker}/remove")
    with app.app_context():
        assert db.session.get(Speaker, imf_speaker) is None


DANGEROUS = """Intro **bold**

<script>alert("x")</script>
<img src=x onerror="alert(1)">
<a href="https://www.un.org/sc/ctc/" onclick="steal()">CTC</a>
[click](javascript:alert(1))
<a href="JaVaScRiPt:alert(2)">two</a>
<p style="color:red" onmouseover="alert(3)">styled</p>
"""


def test_descriptions_lose_scripts_event_handlers_and_javascript_links(app, staff_client,
                                                                       meeting):
    html = str(render_markdown(DANGEROUS))
    for bad in ("<script", "alert(\"x\")", "onerror", "onclick", "onmouseover",
                'href="javascript', 'href="JaVaScRiPt', "style="):
        assert bad not in html, bad
    # A javascript: "link" stays as the text typed, not a link.
    assert "[click](javascript:alert(1))" in html
    assert '<a rel="noopener noreferrer nofollow">two</a>' in html
    assert "<strong>bold</strong>" in html
    assert '<a href="https://www.un.org/sc/ctc/" rel="noopener noreferrer nofollow">CTC</a>' in html
    # The same on the pages that show a description.
    _add(staff_client, meeting, "Described", "10:00", "11:00", description=DANGEROUS)
    for page in (_agenda(staff_client, meeting),
                 staff_client.get(f"/meetings/{meeting['id']}/agenda/print")
                 .get_data(as_text=True)):
        assert "onerror" not in page and 'href="javascript' not in page.lower()
        assert 'alert("x")' not in page and "alert(3)" not in page
        assert "<strong>bold</strong>" in page
