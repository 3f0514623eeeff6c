"""Search folds every Latin letter with a transliteration library (text-unidecode):
"orsted" finds Ørsted, "dakovo" Đakovo, "oeuvre" Œuvre; the stored keys of rows written
before are computed again by the migration a7c3e9f1d2b4."""

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from meetingapp.agenda.errors import AgendaError
from meetingapp.agenda.topics import add_topic
from meetingapp.extensions import db
from meetingapp.models import Delegate, Organisation
from meetingapp.models.agenda import Topic
from meetingapp.text import fold
from tests.factories import (
    ApprovedDelegateFactory,
    InvitationFactory,
    OrganisationFactory,
    TopicFactory,
)
from tests.organisations.test_organisations import error_of, org_form


@pytest.mark.parametrize("written, typed", [
    ("Ørsted", "orsted"), ("Đakovo", "dakovo"), ("Œuvre", "oeuvre"), ("Łódź", "lodz"),
    ("Þórshöfn", "thorshofn"), ("Straße", "strasse"), ("Ægir", "aegir"),
    ("İstanbul", "istanbul"), ("ﬁnance", "finance"), ("Ŋaŋ", "ngang"),
])
def test_fold_transliterates_latin_letters_that_do_not_decompose(written, typed):
    assert fold(written) == fold(typed) == typed


@pytest.mark.parametrize("word", ["李小龙", "上海合作组织", "Петрова", "المنصوري"])
def test_fold_keeps_other_scripts_as_they_are_written(word):
    """A transliteration would make distinct names one key (Chinese homophones, Arabic
    without its vowels): only the Latin letters are spelled in ASCII."""
    assert fold(word) == word.casefold()
    assert fold("Ёлка") == "елка" and fold("مُحَمَّد") == "محمد"


@pytest.mark.parametrize("name, query", [
    ("Ørsted Institute for Security", "orsted"),
    ("Đakovo Regional Centre", "dakovo"),
    ("Œuvre d'Orient", "oeuvre"),
    ("Łódź Border Forum", "LODZ forum"),
    ("Orsted Institute for Security", "ØRSTED"),
    ("Þórshöfn Maritime Council", "thorshofn"),
])
def test_the_directory_search_finds_every_latin_letter(app, staff_client, name, query):
    with app.app_context():
        OrganisationFactory(name=name)
        OrganisationFactory(name="Unrelated Body")
    page = staff_client.get("/organisations/", query_string={"q": query}).get_data(
        as_text=True)
    assert name.replace("'", "&#39;") in page
    assert "Unrelated Body" not in page


@pytest.mark.parametrize("query", ["<script>alert(1)</script>", "%", "_", "ø" * 500,
                                   "\u202eorsted", "li"])
def test_hostile_or_odd_queries_find_nothing_and_are_escaped(app, staff_client, query):
    with app.app_context():
        OrganisationFactory(name="上海合作组织 李")
    response = staff_client.get("/organisations/", query_string={"q": query})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "上海合作组织 李" not in page and "<script>alert(1)</script>" not in page


def test_the_same_name_spelt_with_plain_letters_is_a_duplicate(app, staff_client):
    with app.app_context():
        OrganisationFactory(name="Œuvre d'Orient")
    response = staff_client.post("/organisations/new", data=org_form(name="Oeuvre d'Orient"))
    assert "already in the directory" in error_of(response.get_data(as_text=True), "name")


def test_a_topic_spelt_with_plain_letters_is_a_duplicate(app):
    with app.app_context():
        add_topic("Øresund crossings")
        db.session.commit()
        with pytest.raises(AgendaError):
            add_topic("oresund CROSSINGS")


def test_the_check_in_desk_finds_a_name_typed_without_its_letters(app, checkin_client):
    with app.app_context():
        org = OrganisationFactory(name="Œuvre d'Orient", acronym="OO")
        delegate = ApprovedDelegateFactory(
            invitation=InvitationFactory(organisation=org, status="accepted"),
            given_name="Đorđe", family_name="Ørsted")
        meeting_id = delegate.meeting_id
    for query in ("dorde orsted", "ORSTED", "oeuvre"):
        page = checkin_client.get(f"/checkin/{meeting_id}", query_string={"q": query}
                                  ).get_data(as_text=True)
        assert "Ørsted" in page, query


def _insert_organisation(name, key, acronym=""):
    db.session.execute(text(
        "INSERT INTO organisations (name, name_key, acronym, kind, region, website, notes, "
        "active, language, search_key, created_at, updated_at) VALUES (:name, :key, "
        ":acronym, 'regional', '', '', '', :active, 'en', :key, :now, :now)"),
        {"name": name, "key": key, "acronym": acronym, "active": True,
         "now": "2026-01-01 00:00:00"})


def test_the_migration_computes_the_stored_keys_again(app, staff_client):
    """Rows written with the old folding ("ørsted ...") get the new keys; a row that now
    folds like another keeps its old key rather than failing the upgrade."""
    with app.app_context():
        org = OrganisationFactory(name="Œuvre d'Orient")
        delegate = ApprovedDelegateFactory(
            invitation=InvitationFactory(organisation=org, status="accepted"))
        delegate_id = delegate.id
        TopicFactory(name="Øresund crossings")
        db.session.commit()
        db.session.remove()
        downgrade(revision="f1b2c3d4e5a6", x_arg=["force=1"])
        db.engine.dispose()
        # As the old folding wrote them.
        db.session.execute(text("UPDATE organisations SET name_key = 'œuvre d''orient', "
                                "search_key = 'œuvre d''orient' WHERE name = 'Œuvre d''Orient'"))
        db.session.execute(text("UPDATE delegates SET organisation_key = 'œuvre d''orient'"))
        db.session.execute(text("UPDATE agenda_topics SET name_key = 'øresund crossings' "
                                "WHERE name = 'Øresund crossings'"))
        _insert_organisation("Ørsted Institute", "ørsted institute", "ØI")
        _insert_organisation("Orsted Institute", "orsted institute")
        _insert_organisation("Đakovo Centre", "đakovo centre")
        db.session.commit()
        db.session.remove()
        upgrade()
        db.engine.dispose()
        keys = dict(db.session.execute(select(Organisation.name, Organisation.name_key)).all())
        assert keys == {"Œuvre d'Orient": "oeuvre d'orient",
                        "Orsted Institute": "orsted institute",
                        "Ørsted Institute": "ørsted institute",  # kept: reported to merge
                        "Đakovo Centre": "dakovo centre"}
        search = dict(db.session.execute(select(Organisation.name,
                                                Organisation.search_key)).all())
        assert search["Ørsted Institute"] == "orsted institute oi"
        assert db.session.get(Delegate, delegate_id).organisation_key == "oeuvre d'orient"
        assert db.session.scalar(select(Topic.name_key).where(
            Topic.name == "Øresund crossings")) == "oresund crossings"
    page = staff_client.get("/organisations/", query_string={"q": "dakovo"}).get_data(
        as_text=True)
    assert "Đakovo Centre" in page
