"""The organisation directory: list, search, forms, hierarchy, access, audit."""

import pytest
from sqlalchemy import func, select

from meetingapp.extensions import db
from meetingapp.models import AuditEntry, Organisation
from meetingapp.organisations import services
from tests.factories import ContactFactory, OrganisationFactory


def make_org(**kwargs) -> Organisation:
    """An organisation from OrganisationFactory (inside an app context)."""
    org = OrganisationFactory(**kwargs)
    _reload_all()
    return org


def _reload_all() -> None:
    """Reload what the commit expired, so that it stays readable outside the context."""
    for obj in list(db.session.identity_map.values()):
        db.session.refresh(obj)


def make_contact(**kwargs):
    """A contact (focal point unless told otherwise) of a new or given organisation."""
    if kwargs.get("organisation") is None:
        kwargs["organisation"] = make_org()
    contact = ContactFactory(**kwargs)
    _reload_all()
    return contact


def org_form(**values):
    data = {"name": "Shanghai Cooperation Organisation", "acronym": "SCO",
            "kind": "regional", "region": "Eurasia", "parent_id": "", "website": "",
            "notes": "", "active": "y"}
    data.update(values)
    return data


def count_organisations(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Organisation))


def table_of(response) -> str:
    """The body of the (first) table on a page."""
    return response.get_data(as_text=True).split("<tbody>", 1)[1].split("</tbody>", 1)[0]


def error_of(page: str, field: str) -> str:
    """The error text shown next to a form field (empty if none)."""
    marker = f'id="{field}-error"'
    if marker not in page:
        return ""
    return page.split(marker, 1)[1].split("</div>", 1)[0]


# --- Access ----------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/organisations/", "/organisations/new",
                                 "/organisations/import", "/organisations/export.csv"])
def test_anonymous_user_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_checkin_user_gets_403_everywhere(app, checkin_client):
    with app.app_context():
        org = make_org()
        contact = make_contact(organisation=org)
    for url in ("/organisations/", f"/organisations/{org.id}", "/organisations/new",
                f"/organisations/{org.id}/edit", "/organisations/import",
                "/organisations/export.csv", f"/organisations/{org.id}/contacts/new"):
        assert checkin_client.get(url).status_code == 403, url
    for url in (f"/organisations/{org.id}/deactivate", "/organisations/new",
                f"/organisations/{org.id}/contacts/{contact.id}/delete"):
        assert checkin_client.post(url, data=org_form()).status_code == 403, url
    assert count_organisations(app) == 1


def test_admin_and_staff_can_open_the_directory(admin_client, staff_client):
    assert admin_client.get("/organisations/").status_code == 200
    assert staff_client.get("/organisations/").status_code == 200


# --- Create and edit -------------------------------------------------------------------

def test_staff_creates_an_organisation_and_the_audit_log_has_it(app, staff_client):
    response = staff_client.post("/organisations/new", data=org_form(
        website="https://www.sectsco.org", notes="Founded 2001."))
    assert response.status_code == 302
    page = staff_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Shanghai Cooperation Organisation" in page and "added to the directory" in page
    assert 'href="https://www.sectsco.org"' in page and "Founded 2001." in page
    listing = staff_client.get("/organisations/").get_data(as_text=True)
    assert "Shanghai Cooperation Organisation" in listing and "Eurasia" in listing
    with app.app_context():
        org = db.session.scalar(select(Organisation))
        assert (org.name_key, org.kind, org.active) == (
            "shanghai cooperation organisation", "regional", True)
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "create"))
        assert entry.object_type == "organisations" and entry.object_id == org.id
        assert entry.actor == "staff@example.org"
        assert entry.changes["name"] == [None, "Shanghai Cooperation Organisation"]
        assert entry.changes["website"] == [None, "https://www.sectsco.org"]


def test_edit_records_only_the_changed_fields(app, staff_client):
    with app.app_context():
        org = make_org(name="Council of Europe", acronym="COE", region="Europe")
    response = staff_client.post(f"/organisations/{org.id}/edit", data=org_form(
        name="Council of Europe", acronym="CoE", kind="international", region="Europe",
        notes="Strasbourg"))
    assert response.status_code == 302
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "update"))
        assert entry.changes == {"acronym": ["COE", "CoE"], "notes": ["", "Strasbourg"]}
        assert db.session.get(Organisation, org.id).search_key == "council of europe coe"
    history = staff_client.get(f"/audit/?object=organisations&object_id={org.id}")
    page = history.get_data(as_text=True)
    assert "Strasbourg" in page
    # Changing another filter keeps to this organisation, until "Show every object".
    assert f'<input type="hidden" name="object_id" value="{org.id}">' in page
    assert 'href="/audit/?object=organisations">Show every object</a>' in page


def test_detail_links_to_the_audit_log_of_the_organisation(app, staff_client):
    with app.app_context():
        org = make_org()
    page = staff_client.get(f"/organisations/{org.id}").get_data(as_text=True)
    assert f"/audit/?object=organisations&amp;object_id={org.id}" in page


def test_name_is_required_and_limited(staff_client, app):
    page = staff_client.post("/organisations/new", data=org_form(name="  ")).get_data(
        as_text=True)
    assert "This field is required." in error_of(page, "name")
    page = staff_client.post("/organisations/new", data=org_form(name="x" * 301)).get_data(
        as_text=True)
    assert "300" in error_of(page, "name")
    assert count_organisations(app) == 0


@pytest.mark.parametrize("existing, attempt", [
    ("North Atlantic Treaty Organization", "north atlantic TREATY organization"),
    ("Organización de los Estados Americanos", "ORGANIZACION DE LOS ESTADOS AMERICANOS"),
    ("Содружество Независимых Государств", "содружество независимых государств"),
])
def test_duplicate_name_in_another_case_or_without_accents_is_refused(
        app, staff_client, existing, attempt):
    with app.app_context():
        make_org(name=existing)
    response = staff_client.post("/organisations/new", data=org_form(name=attempt))
    assert response.status_code == 200
    assert "already in the directory" in error_of(response.get_data(as_text=True), "name")
    assert count_organisations(app) == 1


def test_renaming_to_an_existing_name_is_refused(app, staff_client):
    with app.app_context():
        make_org(name="NATO")
        other = make_org(name="Other")
    page = staff_client.post(f"/organisations/{other.id}/edit",
                             data=org_form(name="nato")).get_data(as_text=True)
    assert "already in the directory" in error_of(page, "name")
    with app.app_context():
        assert db.session.get(Organisation, other.id).name == "Other"


def test_duplicate_caught_by_the_database_still_shows_the_form(app, staff_client,
                                                               monkeypatch):
    """Two people saving the same name at once: the unique index decides."""
    with app.app_context():
        make_org(name="NATO")
    monkeypatch.setattr(services, "_check_name_free", lambda name, exclude_id=None: None)
    response = staff_client.post("/organisations/new", data=org_form(name="Nato"))
    assert response.status_code == 200
    assert "already in the directory" in error_of(response.get_data(as_text=True), "name")
    assert count_organisations(app) == 1
    assert staff_client.post("/organisations/new", data=org_form()).status_code == 302


def test_a_failed_request_leaves_nothing_written(app):
    with app.test_request_context():
        services.create_organisation({"name": "Half written", "kind": "regional"})
        db.session.rollback()  # the view failed before its commit
    assert count_organisations(app) == 0


@pytest.mark.parametrize("website", ["javascript:alert(1)", "ftp://example.org/", "example"])
def test_website_must_be_an_http_address(app, staff_client, website):
    page = staff_client.post("/organisations/new", data=org_form(website=website)).get_data(
        as_text=True)
    assert "http://" in error_of(page, "website")
    assert count_organisations(app) == 0


# --- Hierarchy -------------------------------------------------------------------------

def test_parent_cycle_is_refused_with_a_message(app, staff_client):
    with app.app_context():
        top = make_org(name="Top")
        middle = make_org(name="Middle", parent=top)
        bottom = make_org(name="Bottom", parent=middle)
    form_page = staff_client.get(f"/organisations/{top.id}/edit").get_data(as_text=True)
    assert f'value="{bottom.id}"' not in form_page
    assert f'value="{middle.id}"' not in form_page
    assert f'<option value="{top.id}"' not in form_page
    page = staff_client.post(f"/organisations/{top.id}/edit", data=org_form(
        name="Top", parent_id=str(bottom.id))).get_data(as_text=True)
    assert "would make a cycle" in error_of(page, "parent_id")
    page = staff_client.post(f"/organisations/{top.id}/edit", data=org_form(
        name="Top", parent_id=str(top.id))).get_data(as_text=True)
    assert "cannot be its own parent" in error_of(page, "parent_id")
    with app.app_context():
        assert db.session.get(Organisation, top.id).parent_id is None


def test_detail_shows_parent_and_children(app, staff_client):
    with app.app_context():
        parent = make_org(name="Organization of American States", acronym="OAS")
        child = make_org(name="Inter-American Committee against Terrorism",
                                    acronym="CICTE", parent=parent)
    page = staff_client.get(f"/organisations/{parent.id}").get_data(as_text=True)
    assert "Inter-American Committee against Terrorism (CICTE)" in page
    assert f"/organisations/new?parent={parent.id}" in page
    page = staff_client.get(f"/organisations/{child.id}").get_data(as_text=True)
    assert "Organization of American States (OAS)" in page
    listing = staff_client.get("/organisations/").get_data(as_text=True)
    assert f'href="/organisations/{parent.id}">OAS</a>' in listing


def test_a_sub_organisation_is_created_from_its_parents_page(app, staff_client):
    with app.app_context():
        parent = make_org(name="United Nations", acronym="UN")
    form_page = staff_client.get(f"/organisations/new?parent={parent.id}").get_data(
        as_text=True)
    assert f'<option selected value="{parent.id}">United Nations (UN)</option>' in form_page
    response = staff_client.post("/organisations/new", data=org_form(
        name="UN Office on Drugs and Crime", acronym="UNODC", parent_id=str(parent.id)))
    page = staff_client.get(response.headers["Location"]).get_data(as_text=True)
    assert f'href="/organisations/{parent.id}">United Nations (UN)</a>' in page
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "create"))
        assert entry.changes["parent"] == [None, "United Nations (UN)"]


def test_setting_and_clearing_the_parent_is_audited(app, staff_client):
    with app.app_context():
        parent = make_org(name="United Nations", acronym="UN")
        org = make_org(name="UNODC", acronym="")
    staff_client.post(f"/organisations/{org.id}/edit",
                      data=org_form(name="UNODC", acronym="", parent_id=str(parent.id)))
    staff_client.post(f"/organisations/{org.id}/edit", data=org_form(name="UNODC", acronym=""))
    with app.app_context():
        changes = [e.changes.get("parent") for e in db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "update").order_by(AuditEntry.id))]
        assert changes == [[None, "United Nations (UN)"], ["United Nations (UN)", None]]


# --- List, search, filters -------------------------------------------------------------

@pytest.mark.parametrize("name, acronym, query", [
    ("North Atlantic Treaty Organization", "NATO", "nato"),
    ("Organización de los Estados Americanos", "OEA", "organizacion estados"),
    ("Comunidad Económica de los Estados de África Occidental", "CEDEAO", "ECONOMICA africa"),
    ("Economic Community of West African States", "ECOWAS", "Économic"),
    ("جامعة الدول العربية", "", "جامعة"),
    ("جامعة الدول العربية", "", "جَامِعَة"),
    ("上海合作组织", "", "合作"),
    ("Содружество Независимых Государств", "СНГ", "содружество"),
    ("Содружество Независимых Государств", "СНГ", "снг"),
])
def test_search_ignores_case_accents_and_diacritics(app, staff_client, name, acronym, query):
    with app.app_context():
        make_org(name=name, acronym=acronym)
        make_org(name="Unrelated Body", acronym="UB")
    page = staff_client.get("/organisations/", query_string={"q": query}).get_data(
        as_text=True)
    assert name in page
    assert "Unrelated Body" not in page


def test_search_treats_wildcards_as_text(app, staff_client):
    with app.app_context():
        make_org(name="Fifty Percent Club")
    page = staff_client.get("/organisations/?q=%25").get_data(as_text=True)
    assert "Fifty Percent Club" not in page and "No organisation matches" in page


def test_filters_by_kind_and_region(app, staff_client):
    with app.app_context():
        make_org(name="Global Body", kind="international", region="Global")
        make_org(name="Caribbean Community", kind="sub-regional",
                            region="Caribbean")
        make_org(name="European Union", kind="regional", region="Europe")
    page = staff_client.get("/organisations/?kind=sub-regional").get_data(as_text=True)
    assert "Caribbean Community" in page and "European Union" not in page
    page = staff_client.get("/organisations/?region=Europe").get_data(as_text=True)
    assert "European Union" in page and "Global Body" not in page
    assert '<option value="Caribbean">Caribbean</option>' in page
    page = staff_client.get("/organisations/?kind=bogus&region=Nowhere").get_data(
        as_text=True)
    assert "Global Body" in page and "European Union" in page


@pytest.mark.parametrize("config_overrides", [{"PER_PAGE": 2}])
def test_pagination_keeps_the_filters(app, staff_client, config_overrides):
    with app.app_context():
        for n in range(5):
            make_org(name=f"Regional body {n}", kind="regional")
        make_org(name="Worldwide", kind="international")
    page = staff_client.get("/organisations/?kind=regional").get_data(as_text=True)
    assert "Regional body 0" in page and "Regional body 2" not in page
    assert "5 in all, page 1 of 3" in page
    assert "kind=regional" in page.split('aria-label="Pages"')[1]
    page = staff_client.get("/organisations/?kind=regional&page=3").get_data(as_text=True)
    assert "Regional body 4" in page and "Regional body 0" not in page
    assert "Worldwide" not in page


def test_list_shows_the_focal_point(app, staff_client):
    with app.app_context():
        make_contact(name="Amina Diallo", title="Ms.", email="amina@example.org")
    page = staff_client.get("/organisations/").get_data(as_text=True)
    assert "Ms. Amina Diallo" in page and "mailto:amina@example.org" in page


# --- Deactivation ----------------------------------------------------------------------

def test_deactivation_asks_first_then_hides_from_the_default_list(app, staff_client):
    with app.app_context():
        org = make_org(name="Western European Union")
    confirm = staff_client.get(f"/organisations/{org.id}/deactivate")
    assert "Deactivate Western European Union" in confirm.get_data(as_text=True)
    assert "Western European Union" in staff_client.get("/organisations/").get_data(
        as_text=True)  # a GET changes nothing
    response = staff_client.post(f"/organisations/{org.id}/deactivate")
    assert response.status_code == 302
    assert "it no longer appears" in staff_client.get(response.headers["Location"]).get_data(
        as_text=True)
    assert "Western European Union" not in table_of(staff_client.get("/organisations/"))
    shown = table_of(staff_client.get("/organisations/?inactive=y"))
    assert "Western European Union" in shown and "Inactive" in shown
    staff_client.post(f"/organisations/{org.id}/reactivate")
    assert "Western European Union" in table_of(staff_client.get("/organisations/"))
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
        assert actions == ["deactivate", "reactivate"]


def test_deactivation_needs_the_csrf_token(app, staff_client):
    with app.app_context():
        org = make_org()
    app.config["WTF_CSRF_ENABLED"] = True  # after signing in without a token
    assert staff_client.post(f"/organisations/{org.id}/deactivate").status_code == 400
    with app.app_context():
        assert db.session.get(Organisation, org.id).active


# --- Escaping --------------------------------------------------------------------------

def test_html_in_every_text_field_is_shown_escaped(app, staff_client):
    script = "<script>alert(1)</script>"
    response = staff_client.post("/organisations/new", data=org_form(
        name=f"{script} Org", acronym="<b>X</b>", region=f"R{script}",
        notes=f"line one\n{script}", website="https://example.org/?q=<script>"))
    assert response.status_code == 302
    with app.app_context():
        org = db.session.scalar(select(Organisation))
    staff_client.post(f"/organisations/{org.id}/contacts/new", data={
        "name": script, "title": "<i>Dr.</i>", "position": script,
        "email": "x@example.org", "phone": script})
    for url in ("/organisations/", f"/organisations/{org.id}",
                f"/organisations/{org.id}/edit", f"/organisations/{org.id}/deactivate",
                f"/audit/?object=organisations&object_id={org.id}"):
        page = staff_client.get(url).get_data(as_text=True)
        assert "<script>alert" not in page and "<b>X</b>" not in page, url
        assert "&lt;script&gt;" in page, url
