"""Names as their cultures write them: each delegate's name order, forms of address said
in the language being rendered (李小龙先生, Mr. Xiaolong LI), lists sorted by family name
in every script."""

import lxml.html
import pytest
from flask_babel import force_locale
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from meetingapp.extensions import db
from meetingapp.models import Delegate, OutboxMessage
from meetingapp.names import addressed_name, default_name_order, parse_title, sort_key
from tests.factories import (
    ApprovedDelegateFactory,
    ContactFactory,
    DelegateFactory,
    InvitationFactory,
    OrganisationFactory,
)
from tests.invitation_helpers import upcoming_meeting
from tests.registration_helpers import accepted_invitation, delegates_of, pdf_text, register

LI = {"title": "先生", "given_name": "小龙", "family_name": "李"}


@pytest.mark.parametrize("language, expected", [
    ("zh", "李小龙先生"), ("en", "Mr. 李小龙"), ("fr", "M. 李小龙"), ("ru", "г-н 李小龙"),
    ("es", "Sr. 李小龙"), ("ar", "السيد 李小龙"),
])
def test_a_chinese_name_is_family_name_first_without_spaces(app, language, expected):
    with app.app_context(), force_locale(language):
        assert addressed_name("先生", "小龙", "李", None) == expected
        assert addressed_name("Mr.", "小龙", "李", "family_first") == expected


@pytest.mark.parametrize("title, given, family, order, list_style, language, expected", [
    ("Mr.", "Xiaolong", "Li", "family_first", True, "en", "Mr. Xiaolong LI"),
    ("Mr.", "Xiaolong", "Li", "family_first", False, "en", "Mr. Li Xiaolong"),
    ("Ms.", "Anne-Sophie", "Lefèvre", "given_first", True, "en", "Ms. Anne-Sophie LEFÈVRE"),
    ("Ms.", "Anne-Sophie", "Lefèvre", "given_first", False, "fr", "Mme Anne-Sophie Lefèvre"),
    ("Ms.", "Anne-Sophie", "Lefèvre", None, False, "zh", "Anne-Sophie Lefèvre 女士"),
    ("H.E. Mr.", "小龙", "李", None, True, "zh", "李小龙先生阁下"),
    ("H.E. Mr.", "أحمد", "المنصوري", None, False, "ar", "سعادة السيد أحمد المنصوري"),
    ("H.E. Mr.", "أحمد", "المنصوري", None, True, "en", "H.E. Mr. أحمد المنصوري"),
    ("Ms.", "Ирина", "Петрова", None, True, "ru", "г-жа Ирина ПЕТРОВА"),
    ("Dr.", "Viktor", "Orbán", "family_first", False, "en", "Dr. Orbán Viktor"),
    ("Ambassador", "Kunio", "Mikuriya", None, False, "zh", "Ambassador Kunio Mikuriya"),
    ("", "", "王小明", None, True, "en", "王小明"),
    ("Mrs", "Ece", "Yilmaz", None, False, "es", "Sra. Ece Yilmaz"),
])
def test_forms_of_address_are_said_in_the_language_and_placed_as_it_places_them(
        app, title, given, family, order, list_style, language, expected):
    with app.app_context(), force_locale(language):
        assert addressed_name(title, given, family, order, list_style=list_style) == expected


@pytest.mark.parametrize("title, tokens", [
    ("H.E. Mr.", ["he", "mr"]), ("Mrs.", ["mrs"]), ("Mr", ["mr"]), ("先生", ["mr"]),
    ("阁下", ["he"]), ("г-жа", ["ms"]), ("السيدة", ["ms"]), ("Drake", ["Drake"]),
    ("<script>", ["<script>"]), ("", []), ("  Prof.   Dr. ", ["prof", "dr"]),
])
def test_forms_of_address_are_recognised_in_every_language(title, tokens):
    assert parse_title(title) == tokens


def test_the_name_order_defaults_from_the_script_of_the_name():
    assert default_name_order("小龙", "李") == "family_first"
    assert default_name_order("", "김") == "family_first"
    assert default_name_order("Anne-Sophie", "Lefèvre") == "given_first"
    assert default_name_order("أحمد", "المنصوري") == "given_first"


def test_sort_keys_put_family_names_of_every_script_in_one_order():
    names = [("张", "伟"), ("Ørsted", "Anders"), ("李", "小龙"), ("Abe", "Ken"),
             ("Wang", "Aaron"), ("Zed", "Aaron"), ("Иванов", "Сергей")]
    ordered = sorted(names, key=lambda n: sort_key(*n))
    assert ordered == [("Abe", "Ken"), ("李", "小龙"), ("Ørsted", "Anders"), ("Wang", "Aaron"),
                       ("Zed", "Aaron"), ("张", "伟"), ("Иванов", "Сергей")]


@pytest.fixture
def meeting(app):
    with app.app_context():
        return upcoming_meeting(title="Fourth Special Meeting", delegates_per_organisation=9)


def test_the_form_asks_for_the_order_and_a_chinese_name_is_family_name_first(
        app, client, meeting):
    with app.app_context():
        invitation_id, token = accepted_invitation(db.session.merge(meeting))
    page = client.get(f"/i/{token}/delegates/new").get_data(as_text=True)
    options = lxml.html.fromstring(page).xpath("//select[@name='name_order']/option/@value")
    assert options == ["", "given_first", "family_first"]
    assert register(client, token, **LI, name_order="").status_code == 302
    assert register(client, token, title="Mr.", given_name="Xiaolong", family_name="Li",
                    name_order="family_first").status_code == 302
    assert register(client, token, title="Ms.", given_name="Anne-Sophie",
                    family_name="Lefèvre").status_code == 302
    orders = [d.name_order for d in delegates_of(app, invitation_id)]
    assert orders == ["family_first", "family_first", "given_first"]
    page = client.get(f"/i/{token}").get_data(as_text=True)
    assert "Mr. 李小龙" in page and "Mr. Li Xiaolong" in page and "先生 小龙 李" not in page
    assert "Ms. Anne-Sophie Lefèvre" in page


@pytest.mark.parametrize("bad", ["sideways", "<script>alert(1)</script>", "x" * 500, "كذا"])
def test_an_unknown_name_order_is_refused(app, client, meeting, bad):
    with app.app_context():
        invitation_id, token = accepted_invitation(db.session.merge(meeting))
    response = register(client, token, **LI, name_order=bad)
    assert response.status_code == 400
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)
    assert delegates_of(app, invitation_id) == []


def test_a_hostile_form_of_address_is_shown_as_text(app, client, meeting):
    with app.app_context():
        _, token = accepted_invitation(db.session.merge(meeting))
    register(client, token, title="<b>x</b>", given_name="Ece", family_name="Yilmaz")
    page = client.get(f"/i/{token}").get_data(as_text=True)
    assert "&lt;b&gt;x&lt;/b&gt; Ece Yilmaz" in page and "<b>x</b>" not in page


def test_the_approval_letter_in_chinese_addresses_li_xiaolong_as_chinese_does(
        app, staff_client, meeting):
    with app.app_context():
        delegate = DelegateFactory(invitation=InvitationFactory(
            meeting=db.session.merge(meeting), status="accepted"), language="zh", **LI)
        delegate_id, meeting_id = delegate.id, delegate.meeting_id
    staff_client.post(f"/meetings/{meeting_id}/registrations/{delegate_id}/approve")
    with app.app_context():
        message = db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.category == "registration_approved")).one()
        assert "尊敬的李小龙先生：" in message.body_text
        body = lxml.html.fromstring(message.body_html).text_content()
        assert "尊敬的李小龙先生：" in body and "先生 小龙 李" not in body


def test_the_invitation_letter_in_chinese_addresses_the_focal_point_as_chinese_does(
        app, meeting):
    from meetingapp.invitations.messages import render_message

    with app.test_request_context():
        org = OrganisationFactory(name="上海合作组织", acronym="SCO", language="zh")
        ContactFactory(organisation=org, title="Mr.", name="李小龙", is_focal_point=True,
                       email="li@example.org")
        invitation = InvitationFactory(meeting=db.session.merge(meeting), organisation=org)
        db.session.refresh(org)
        with force_locale("zh"):
            rendered = render_message(invitation, "invitation", "https://example.org/i/T")
    assert "尊敬的李小龙先生：" in "".join(rendered)


@pytest.fixture
def scripts(app, meeting):
    """Approved delegates of one organisation, with family names in several scripts."""
    with app.app_context():
        invitation = InvitationFactory(meeting=db.session.merge(meeting), status="accepted",
                                       organisation=OrganisationFactory(name="World Body"))
        for title, given, family, order in [
                ("Mr.", "Сергей", "Иванов", None), ("Mr.", "伟", "张", None),
                ("Ms.", "Anne-Sophie", "Lefèvre", None), ("Mr.", "Xiaolong", "Li", "family_first"),
                ("Mr.", "Anders", "Ørsted", None), ("Mr.", "Ken", "Abe", None),
                ("Mr.", "小龙", "李", None), ("Ms.", "Aaron", "Zed", None)]:
            ApprovedDelegateFactory(invitation=invitation, title=title, given_name=given,
                                    family_name=family, name_order=order)
        return invitation.meeting_id


# 李 is read "li": the two Li sort together, by their given names ("xiao long", "xiaolong").
LIST_ORDER = ["Mr. Ken ABE", "Ms. Anne-Sophie LEFÈVRE", "Mr. 李小龙", "Mr. Xiaolong LI",
              "Mr. Anders ØRSTED", "Ms. Aaron ZED", "Mr. 张伟", "Mr. Сергей ИВАНОВ"]


def test_the_list_of_participants_sorts_by_family_name_in_every_script(
        app, staff_client, scripts):
    page = staff_client.get(f"/meetings/{scripts}/registrations/participants")
    names = [li.text_content().split(",")[0] for li in lxml.html.fromstring(
        page.get_data(as_text=True)).xpath("//li[contains(@class, 'participant')]")]
    assert names == LIST_ORDER
    text = pdf_text(staff_client.get(f"/meetings/{scripts}/registrations/participants.pdf"
                                     ).data)
    positions = [text.find(name.split(" ", 1)[1]) for name in LIST_ORDER]
    assert -1 not in positions and positions == sorted(positions), text


def test_the_staff_list_sorts_by_family_name_from_the_stored_key(app, staff_client, scripts):
    page = staff_client.get(f"/meetings/{scripts}/registrations/").get_data(as_text=True)
    names = [a.text_content() for a in lxml.html.fromstring(page).xpath(
        "//a[contains(@href, '/registrations/')]/bdi")]
    assert names == [
        "Mr. Ken Abe", "Ms. Anne-Sophie Lefèvre", "Mr. 李小龙", "Mr. Li Xiaolong",
        "Mr. Anders Ørsted", "Ms. Aaron Zed", "Mr. 张伟", "Mr. Сергей Иванов"]


def test_badges_write_a_chinese_name_family_name_first(app, staff_client, scripts):
    with app.app_context():
        li = db.session.scalar(select(Delegate).where(Delegate.family_name == "李"))
    response = staff_client.post(f"/meetings/{scripts}/badges/print",
                                 data={"layout": "card", "one": li.id})
    assert response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "李小龙" in text and "小龙 李" not in text


def test_the_migration_gives_existing_delegates_their_order_and_sort_key(app):
    with app.app_context():
        li = DelegateFactory(**LI)
        lefevre = DelegateFactory(given_name="Anne-Sophie", family_name="Lefèvre")
        ids = li.id, lefevre.id
        db.session.remove()
        downgrade(revision="a7c3e9f1d2b4", x_arg=["force=1"])
        db.engine.dispose()
        upgrade()
        db.engine.dispose()
        rows = db.session.execute(text(
            "SELECT name_order, name_key FROM delegates WHERE id IN (:a, :b) ORDER BY id"),
            {"a": ids[0], "b": ids[1]}).all()
    assert [tuple(r) for r in rows] == [("family_first", "li\x1fxiao long"),
                                        ("given_first", "lefevre\x1fanne-sophie")]
