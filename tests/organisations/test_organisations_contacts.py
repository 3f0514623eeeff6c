"""Contacts of an organisation and the single focal point."""

from sqlalchemy import select

from meetingapp.extensions import db
from meetingapp.models import AuditEntry, Contact
from tests.organisations.test_organisations import error_of, make_contact, make_org, table_of


def contact_form(**values):
    data = {"title": "Ms.", "name": "Amina Diallo", "position": "Counter-Terrorism Adviser",
            "email": "amina.diallo@example.org", "phone": "+1 212 555 0100"}
    data.update(values)
    return data


def focal_points(app, org_id) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(Contact.name).where(
            Contact.organisation_id == org_id, Contact.is_focal_point.is_(True))))


def contact_id(app, name) -> int:
    with app.app_context():
        return db.session.scalar(select(Contact.id).where(Contact.name == name))


def test_first_contact_becomes_focal_point_automatically(app, staff_client):
    with app.app_context():
        org = make_org(name="African Union", acronym="AU")
    form_page = staff_client.get(f"/organisations/{org.id}/contacts/new").get_data(
        as_text=True)
    assert "Form of address" in form_page and "H.E., Mr., Ms., Dr." in form_page
    response = staff_client.post(f"/organisations/{org.id}/contacts/new",
                                 data=contact_form())
    assert response.status_code == 302
    page = staff_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Contact Ms. Amina Diallo added. It is the focal point." in page
    assert "Counter-Terrorism Adviser" in page and "+1 212 555 0100" in page
    assert focal_points(app, org.id) == ["Amina Diallo"]


def test_choosing_another_focal_point_unsets_the_previous_one(app, staff_client):
    with app.app_context():
        first = make_contact(name="First Person")
        org_id = first.organisation_id
    staff_client.post(f"/organisations/{org_id}/contacts/new",
                      data=contact_form(name="Second Person"))
    assert focal_points(app, org_id) == ["First Person"]
    staff_client.post(f"/organisations/{org_id}/contacts/new",
                      data=contact_form(name="Third Person", is_focal_point="y"))
    assert focal_points(app, org_id) == ["Third Person"]
    second = contact_id(app, "Second Person")
    response = staff_client.post(f"/organisations/{org_id}/contacts/{second}/focal-point")
    page = staff_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ms. Second Person is now the focal point instead of Ms. Third Person" in page
    assert focal_points(app, org_id) == ["Second Person"]
    response = staff_client.post(f"/organisations/{org_id}/contacts/{first.id}/edit",
                                 data=contact_form(name="First Person", is_focal_point="y"))
    assert response.status_code == 302
    assert focal_points(app, org_id) == ["First Person"]
    assert table_of(staff_client.get(f"/organisations/{org_id}")).count("Focal point") == 1


def test_the_focal_point_cannot_simply_be_unticked(app, staff_client):
    with app.app_context():
        contact = make_contact(name="Only Person")
    page = staff_client.post(
        f"/organisations/{contact.organisation_id}/contacts/{contact.id}/edit",
        data=contact_form(name="Renamed")).get_data(as_text=True)
    assert "make another contact the focal point" in error_of(page, "is_focal_point")
    assert focal_points(app, contact.organisation_id) == ["Only Person"]


def test_deleting_the_focal_point_promotes_the_oldest_remaining_contact(app, staff_client):
    with app.app_context():
        org = make_org()
        older = make_contact(organisation=org, name="Older", is_focal_point=False)
        make_contact(organisation=org, name="Newer", is_focal_point=False)
        focal = make_contact(organisation=org, name="Focal")
    url = f"/organisations/{org.id}/contacts/{focal.id}/delete"
    confirm = staff_client.get(url).get_data(as_text=True)
    assert "This contact is the focal point" in confirm
    assert focal_points(app, org.id) == ["Focal"]  # asking deletes nothing
    response = staff_client.post(url)
    page = staff_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Contact Focal deleted." in page and "Older is now the focal point." in page
    assert focal_points(app, org.id) == ["Older"]
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(
            AuditEntry.action == "delete_contact"))
        assert entry.object_type == "organisations" and entry.object_id == org.id
        assert entry.changes["focal_point"] == [f"Focal <{focal.email}>",
                                                f"Older <{older.email}>"]


def test_deleting_another_contact_keeps_the_focal_point(app, staff_client):
    with app.app_context():
        focal = make_contact(name="Focal")
        other = make_contact(organisation=focal.organisation, name="Other",
                             is_focal_point=False)
    response = staff_client.post(
        f"/organisations/{focal.organisation_id}/contacts/{other.id}/delete")
    page = staff_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "is now the focal point" not in page
    assert focal_points(app, focal.organisation_id) == ["Focal"]


def test_contact_needs_a_name_and_a_valid_email(app, staff_client):
    with app.app_context():
        org = make_org()
    page = staff_client.post(f"/organisations/{org.id}/contacts/new", data=contact_form(
        name="", email="not-an-address")).get_data(as_text=True)
    assert "This field is required." in error_of(page, "name")
    assert "Enter a valid e-mail address" in error_of(page, "email")
    with app.app_context():
        assert db.session.scalar(select(Contact)) is None


def test_a_contact_is_reached_only_through_its_own_organisation(app, staff_client):
    with app.app_context():
        contact = make_contact()
        other = make_org()
    for url in (f"/organisations/{other.id}/contacts/{contact.id}/edit",
                f"/organisations/{other.id}/contacts/{contact.id}/delete"):
        assert staff_client.get(url).status_code == 404
        assert staff_client.post(url, data=contact_form()).status_code == 404
    assert staff_client.post(
        f"/organisations/{other.id}/contacts/{contact.id}/focal-point").status_code == 404
    with app.app_context():
        assert db.session.get(Contact, contact.id).name == contact.name


def test_contact_actions_are_in_the_organisations_history(app, staff_client):
    with app.app_context():
        org = make_org()
    staff_client.post(f"/organisations/{org.id}/contacts/new", data=contact_form())
    staff_client.post(f"/organisations/{org.id}/contacts/new",
                      data=contact_form(name="Second Person", email="second@example.org"))
    amina, second = contact_id(app, "Amina Diallo"), contact_id(app, "Second Person")
    staff_client.post(f"/organisations/{org.id}/contacts/{amina}/edit",
                      data=contact_form(phone="+41 22 555 0100", is_focal_point="y"))
    staff_client.post(f"/organisations/{org.id}/contacts/{second}/focal-point")
    staff_client.post(f"/organisations/{org.id}/contacts/{second}/delete")
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).where(
            AuditEntry.object_type == "organisations", AuditEntry.object_id == org.id)
            .order_by(AuditEntry.id)).all()
        assert [e.action for e in entries] == [
            "add_contact", "add_contact", "edit_contact", "change_focal_point",
            "delete_contact"]
        assert entries[0].changes["email"] == [None, "amina.diallo@example.org"]
        assert entries[0].changes["focal_point"] == [None, True]
        assert entries[1].changes["focal_point"] == [None, False]
        assert entries[2].changes == {"contact": "Ms. Amina Diallo",
                                      "phone": ["+1 212 555 0100", "+41 22 555 0100"]}
        assert entries[3].changes["focal_point"] == [
            "Ms. Amina Diallo <amina.diallo@example.org>",
            "Ms. Second Person <second@example.org>"]
    history = staff_client.get(f"/audit/?object=organisations&object_id={org.id}")
    assert "+41 22 555 0100" in history.get_data(as_text=True)
