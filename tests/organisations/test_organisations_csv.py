"""Importing and exporting the directory as CSV."""

import csv
import html
import io
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from meetingapp.extensions import db
from meetingapp.models import AuditEntry, Organisation
from meetingapp.organisations.csv_io import KnownOrganisation, check_csv, pack
from meetingapp.organisations.services import CsvImportError, import_organisations_csv
from tests.organisations.test_organisations import make_contact, make_org

# The project's copy of the real organisations (shared/data/organisations.csv).
DEMO_CSV = Path(__file__).resolve().parents[2] / "meetingapp" / "data" / "organisations.csv"
HEADER = "name,acronym,kind,region\n"


@pytest.fixture
def demo_csv() -> bytes:
    return DEMO_CSV.read_bytes()


def upload(client, data: bytes, filename="organisations.csv"):
    return client.post("/organisations/import", data={"file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def preview_of(client, data: bytes) -> str:
    """The page after uploading ``data``, white space collapsed."""
    return " ".join(upload(client, data).get_data(as_text=True).split())


def payload_of(page: str) -> str | None:
    match = re.search(r'name="payload" type="hidden" value="([^"]*)"', page)
    return html.unescape(match.group(1)) if match else None


def import_file(client, data: bytes):
    """Upload, check the preview offers the import, confirm; returns the final page."""
    page = preview_of(client, data)
    payload = payload_of(page)
    assert payload, page
    response = client.post("/organisations/import", data={"payload": payload})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client.get(response.headers["Location"]).get_data(as_text=True)


def organisations(app) -> dict[str, Organisation]:
    with app.app_context():
        orgs = db.session.scalars(select(Organisation)).all()
        for org in orgs:
            db.session.expunge(org)
        return {org.name: org for org in orgs}


def test_demo_file_previews_then_imports_25_organisations(app, staff_client, demo_csv):
    preview = preview_of(staff_client, demo_csv)
    assert "25 rows: 25 to create, 0 to update, 0 unchanged." in preview
    assert "Association of South-East Asian Nations" in preview and "create" in preview
    assert organisations(app) == {}  # the preview changes nothing
    page = import_file(staff_client, demo_csv)
    assert "Import finished: 25 created, 0 updated, 0 unchanged." in page
    orgs = organisations(app)
    assert len(orgs) == 25
    cfatf = orgs["Caribbean Financial Action Task Force"]
    assert (cfatf.acronym, cfatf.kind, cfatf.region) == ("CFATF", "sub-regional", "Caribbean")
    with app.app_context():
        summary = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "import_csv"))
        assert summary.changes == {"created": 25, "updated": 0, "unchanged": 0}
        created = db.session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "create"))
        assert created == 25


def test_reimport_updates_instead_of_duplicating(app, staff_client, demo_csv):
    import_file(staff_client, demo_csv)
    preview = preview_of(staff_client, demo_csv)
    assert "0 to create, 0 to update, 25 unchanged" in preview
    changed = demo_csv.replace(b"NATO,regional,Euro-Atlantic", b"NATO,regional,North Atlantic")
    changed = changed.replace(b"International Monetary Fund", b"INTERNATIONAL MONETARY FUND")
    preview = preview_of(staff_client, changed)
    assert "0 to create, 2 to update, 23 unchanged" in preview
    assert "changes region" in preview and "changes name" in preview
    page = import_file(staff_client, changed)
    assert "0 created, 2 updated, 23 unchanged" in page
    orgs = organisations(app)
    assert len(orgs) == 25
    assert orgs["North Atlantic Treaty Organization"].region == "North Atlantic"
    assert "INTERNATIONAL MONETARY FUND" in orgs
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(
            AuditEntry.action == "update", AuditEntry.object_label.like("North Atlantic%")))
        assert entry.changes == {"source": "CSV import",
                                 "region": ["Euro-Atlantic", "North Atlantic"]}


def test_a_bad_row_in_the_middle_is_reported_and_nothing_is_imported(app, staff_client,
                                                                     demo_csv):
    lines = demo_csv.decode().splitlines(keepends=True)
    lines[5] = "Global Body,GB,worldwide,Global\n"  # line 6 of the file
    data = "".join(lines).encode()
    page = preview_of(staff_client, data)
    assert "Nothing can be imported" in page
    assert "Line 6: unknown kind “worldwide” (use international, regional or sub-regional)" \
        in page
    assert payload_of(page) is None and "Import finished" not in page
    # A forged confirmation is checked again and refused.
    page = staff_client.post("/organisations/import", data={"payload": pack(data.decode())}
                             ).get_data(as_text=True)
    assert "Line 6: unknown kind" in page
    assert organisations(app) == {}


def test_every_bad_row_is_listed_with_its_line_and_reason(app, staff_client):
    with app.app_context():
        make_org(name="United Nations", acronym="UN")
    data = (
        "name,acronym,kind,region,parent,website,active\n"
        "Good One,G1,regional,Europe,UN,https://good.example,yes\n"  # line 2
        ",NONAME,regional,Europe,,,\n"                                # line 3
        "Good One,G1B,regional,Europe,,,\n"                           # line 4
        "Orphan,ORP,regional,Europe,Nobody Knows,,\n"                 # line 5
        f"Long Acronym,{'A' * 51},regional,Europe,,,\n"               # line 6
        "Bad Site,BS,regional,Europe,,javascript:alert(1),\n"         # line 7
        "Maybe,MB,regional,Europe,,,perhaps\n"                        # line 8
        '"Multi\nline",ML,regional,Europe,,,\n'                       # lines 9-10
        "Self,SLF,regional,Europe,SLF,,\n"                            # line 11
        "Loop A,LA,regional,Europe,Loop B,,\n"                        # line 12
        "Loop B,LB,regional,Europe,LA,,\n"                            # line 13
        "No Kind,NK,,Europe,,,\n"                                     # line 14
    ).encode()
    page = preview_of(staff_client, data)
    for expected in (
        "Line 3: missing name",
        "Line 4: name duplicated within the file (first on line 2)",
        "Line 5: parent “Nobody Knows” not found in the directory or in this file",
        "Line 6: acronym is too long (51 characters, at most 50)",
        "Line 7: website “javascript:alert(1)” is not an http:// or https:// address",
        "Line 8: active “perhaps” is neither yes nor no",
        "Line 11: an organisation cannot be its own parent",
        "Line 12: parent chain loops back to this organisation (Loop A → Loop B → Loop A)",
        "Line 13: parent chain loops back to this organisation (Loop B → Loop A → Loop B)",
        "Line 14: missing kind",
    ):
        assert html.escape(expected, quote=False) in page, expected
    assert "Line 2:" not in page and "Line 9:" not in page
    assert "10 rows of 12 need correcting" in page
    assert list(organisations(app)) == ["United Nations"]


def test_parent_is_found_by_acronym_or_name_in_the_file_or_the_directory(app, staff_client):
    with app.app_context():
        make_org(name="Organization of American States", acronym="OAS")
    data = (
        b"name,acronym,kind,region,parent\n"
        b"Inter-American Committee against Terrorism,CICTE,regional,Americas,oas\n"
        b"Sub Body,SB,sub-regional,Americas,inter-american committee against terrorism\n"
        b"Economic Community of West African States,ECOWAS,sub-regional,West Africa,AU\n"
        b"African Union,AU,regional,Africa,\n"
    )
    import_file(staff_client, data)
    orgs = organisations(app)
    assert orgs["Inter-American Committee against Terrorism"].parent_id == \
        orgs["Organization of American States"].id
    assert orgs["Sub Body"].parent_id == orgs["Inter-American Committee against Terrorism"].id
    assert orgs["Economic Community of West African States"].parent_id == \
        orgs["African Union"].id


def test_byte_order_mark_and_semicolons_are_understood(app, staff_client):
    data = "\ufeffname;acronym;kind;region\nConseil de l’Europe;CoE;Regional;Europe\n"
    page = import_file(staff_client, data.encode("utf-8"))
    assert "1 created" in page
    assert organisations(app)["Conseil de l’Europe"].kind == "regional"


def test_a_file_in_another_encoding_is_refused_with_a_clear_message(app, staff_client):
    data = (HEADER + "Organisation de coopération,OC,regional,Europe\n").encode("latin-1")
    page = preview_of(staff_client, data)
    assert "The file is not UTF-8 text" in page and "CSV UTF-8" in page
    page = preview_of(staff_client, HEADER.encode("utf-16"))
    assert "The file is not UTF-8 text" in page
    assert organisations(app) == {}


def test_a_file_over_2_mb_is_refused(app, staff_client):
    data = (HEADER + "Big,B,regional," + "x" * (2 * 1024 * 1024) + "\n").encode()
    page = preview_of(staff_client, data)
    assert "the limit is 2 MB" in page
    assert organisations(app) == {}


@pytest.mark.parametrize("data, message", [
    (b"", "The file is empty"),
    (b"name,acronym\nNATO,NATO\n", "The header line lacks the columns kind, region"),
    (HEADER.encode(), "The file has a header line but no organisations."),
])
def test_unusable_files_get_a_message_by_the_file_field(staff_client, data, message):
    page = preview_of(staff_client, data)
    error = page.split('id="file-error"', 1)[1].split("</div>", 1)[0]
    assert message in error


def test_import_service_for_the_demo_loader(app, demo_csv):
    with app.test_request_context():
        result = import_organisations_csv(demo_csv.decode("utf-8-sig"))
        db.session.commit()
        assert (result.created, result.updated, result.unchanged) == (25, 0, 0)
        again = import_organisations_csv(demo_csv.decode("utf-8-sig"), actor="demo loader")
        db.session.commit()
        assert (again.created, again.updated, again.unchanged) == (0, 0, 25)
        with pytest.raises(CsvImportError, match="line 2: unknown kind"):
            import_organisations_csv(HEADER + "X,X,galactic,Space\n")
        summary = db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "import_csv")).all()
        assert [s.actor for s in summary] == ["system", "demo loader"]
    assert len(organisations(app)) == 25


def read_export(response) -> list[dict]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and 'filename="organisations-' in disposition
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def test_export_reimports_as_unchanged(app, staff_client):
    with app.app_context():
        parent = make_org(name="United Nations", acronym="UN", notes='Line 1\nLine "2", ok')
        child = make_org(name="جامعة الدول العربية", acronym="", kind="regional",
                         region="Middle East, North Africa", parent=parent,
                         website="https://www.lasportal.org")
        make_contact(organisation=child, title="H.E.", name="Ahmed Aboul Gheit",
                     email="sg@example.org")
        make_org(name="Old Body", active=False)
    rows = read_export(staff_client.get("/organisations/export.csv?inactive=y"))
    assert [r["name"] for r in rows] == ["Old Body", "United Nations", "جامعة الدول العربية"]
    league = rows[2]
    assert league["parent"] == "United Nations" and league["region"] == "Middle East, North Africa"
    assert (league["focal_point_name"], league["focal_point_email"]) == (
        "H.E. Ahmed Aboul Gheit", "sg@example.org")
    assert rows[0]["active"] == "no" and rows[1]["notes"] == 'Line 1\nLine "2", ok'
    exported = staff_client.get("/organisations/export.csv?inactive=y").get_data()
    preview = preview_of(staff_client, exported)
    assert "0 to create, 0 to update, 3 unchanged" in preview
    assert "focal_point_name, focal_point_email" in preview  # listed as not imported


def test_export_follows_the_filters(app, staff_client):
    with app.app_context():
        make_org(name="Caribbean Community", kind="sub-regional", region="Caribbean")
        make_org(name="European Union", kind="regional", region="Europe")
        make_org(name="Gone", kind="regional", active=False)
    rows = read_export(staff_client.get("/organisations/export.csv?kind=regional"))
    assert [r["name"] for r in rows] == ["European Union"]
    rows = read_export(staff_client.get("/organisations/export.csv?q=caribbean&page=2"))
    assert [r["name"] for r in rows] == ["Caribbean Community"]
    page = staff_client.get("/organisations/?kind=regional").get_data(as_text=True)
    assert 'href="/organisations/export.csv?kind=regional"' in page


def test_export_neutralises_formulas_and_still_reimports(app, staff_client):
    with app.app_context():
        org = make_org(name='=HYPERLINK("http://evil.example","click")', acronym="+SUM",
                       region="@A1", notes="-2+3")
        make_contact(organisation=org, name="=1+1", email="a@example.org")
    response = staff_client.get("/organisations/export.csv")
    text = response.get_data().decode("utf-8-sig")
    assert '"\'=HYPERLINK(""http://evil.example"",""click"")"' in text
    row = read_export(response)[0]
    assert row["name"] == '\'=HYPERLINK("http://evil.example","click")'
    assert (row["acronym"], row["region"], row["notes"], row["focal_point_name"]) == (
        "'+SUM", "'@A1", "'-2+3", "'=1+1")
    preview = preview_of(staff_client, response.get_data())
    assert "0 to create, 0 to update, 1 unchanged" in preview


def test_import_preview_shows_names_escaped(app, staff_client):
    data = (HEADER + "<script>alert(1)</script>,X,bogus,<b>R</b>\n").encode()
    page = preview_of(staff_client, data)
    assert "<script>alert(1)</script>" not in page and "<b>R</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_large_checked_file_may_come_back_in_the_confirmation(app, staff_client):
    """The packed file may be larger than Flask's default 500 kB form limit."""
    response = staff_client.post("/organisations/import", data={"payload": "A" * 1_000_000},
                                 content_type="multipart/form-data")
    assert response.status_code == 200
    assert "did not come back intact" in response.get_data(as_text=True)


def test_check_csv_is_a_pure_function_of_the_text_and_the_directory():
    directory = {"united nations": KnownOrganisation(
        name="United Nations", acronym="UN", kind="international", region="Global",
        parent_key=None, website="", notes="", active=True)}
    check = check_csv("name,acronym,kind,region,parent,extra\n"
                      "united nations,UN,international,Global,,x\n"
                      "UNODC,,international,Global,un,y\n", directory)
    assert check.ok and check.ignored_columns == ["extra"]
    assert [(r.line, r.action, r.changed) for r in check.rows] == [
        (2, "update", ["name"]), (3, "create", [])]
    assert check.rows[1].parent_key == "united nations"
