"""``flask backup create`` and ``restore``: a real copy of the database, restored for real.

On SQLite through the online backup API; on PostgreSQL (TEST_DATABASE_URL)
through pg_dump -Fc and pg_restore. The badge codes of a restored database
still come out only with the same SECRET_KEY / CHECKIN_CODE_KEY.
"""

import os
import sqlite3

import pytest
from sqlalchemy import select

from meetingapp import create_app
from meetingapp.badges.codes import CodeKeyChanged, code_row, current_code, find_code
from meetingapp.extensions import db
from meetingapp.models import Delegate, Organisation
from tests.conftest import make_config
from tests.factories import ApprovedDelegateFactory, OrganisationFactory

NAMES = ["منظمة التعاون الإسلامي", "上海合作组织",
         "Организация Договора о коллективной безопасности", "<script>alert(1)</script> & Co"]


def _fill():
    for name in NAMES:
        OrganisationFactory(name=name)
    delegate = ApprovedDelegateFactory(family_name="الأمين")
    db.session.commit()
    return delegate.id, current_code(code_row(delegate))


def _names():
    db.session.remove()
    return sorted(db.session.scalars(select(Organisation.name)).all())


def test_backup_then_restore_brings_back_every_row_and_badge_code(app, runner, tmp_path):
    target = tmp_path / "backups" / "before.bak"
    with app.app_context():
        delegate_id, code = _fill()
        before = _names()
    result = runner.invoke(args=["backup", "create", "--output", str(target)])
    assert result.exit_code == 0, result.output
    assert "SECRET_KEY" in result.output and target.exists()
    assert oct(target.stat().st_mode & 0o777) == "0o600"

    with app.app_context():  # what happens after the backup is lost by the restore
        db.session.delete(db.session.scalars(select(Organisation).limit(1)).first())
        OrganisationFactory(name="Added after the backup")
        db.session.commit()
        assert _names() != before

    result = runner.invoke(args=["backup", "restore", str(target), "--yes"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert _names() == before
        delegate = db.session.get(Delegate, delegate_id)
        assert delegate.family_name == "الأمين"
        assert current_code(code_row(delegate)) == code  # same key: the badge prints again
        assert find_code(code).delegate_id == delegate_id  # and scans


def test_restored_badge_codes_need_the_same_secret_key(app, runner, tmp_path, _schema):
    target = tmp_path / "codes.bak"
    with app.app_context():
        delegate_id, code = _fill()
    assert runner.invoke(args=["backup", "create", "--output", str(target)]).exit_code == 0
    other = create_app(make_config(_schema, SECRET_KEY="another-secret-key-" + "x" * 40,
                                   INSTANCE_TMP=str(tmp_path)))
    assert other.test_cli_runner().invoke(
        args=["backup", "restore", str(target), "--yes"]).exit_code == 0
    with other.app_context():
        row = code_row(db.session.get(Delegate, delegate_id))
        with pytest.raises(CodeKeyChanged):
            current_code(row)  # a badge cannot be printed again without the old key
        assert find_code(code).delegate_id == delegate_id  # one already printed still scans
        db.session.remove()
        db.engine.dispose()


def test_sqlite_backup_is_a_consistent_sqlite_file(app, runner, tmp_path):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite's backup file")
        _fill()
    target = tmp_path / "copy.sqlite3"
    assert runner.invoke(args=["backup", "create", "--output", str(target)]).exit_code == 0
    with sqlite3.connect(target) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("SELECT count(*) FROM organisations").fetchone()[0] >= len(NAMES)


def test_postgresql_backup_is_a_pg_dump_archive(app, runner, tmp_path):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("pg_dump -Fc needs PostgreSQL")
    target = tmp_path / "copy.dump"
    result = runner.invoke(args=["backup", "create", "--output", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_bytes()[:5] == b"PGDMP"


def test_backup_never_overwrites_a_file(app, runner, tmp_path):
    target = tmp_path / "exists.bak"
    target.write_bytes(b"keep me")
    result = runner.invoke(args=["backup", "create", "--output", str(target)])
    assert result.exit_code != 0 and "exists already" in result.output
    assert target.read_bytes() == b"keep me"


def test_default_backup_goes_to_the_instance_folder(app, runner):
    result = runner.invoke(args=["backup", "create"])
    assert result.exit_code == 0, result.output
    path = result.output.split("Backup written to ", 1)[1].split(".\n", 1)[0]
    try:
        assert path.startswith(os.path.join(app.instance_path, "backups", "meetingapp-"))
    finally:
        os.remove(path)


@pytest.mark.parametrize("content", [
    b"", b"not a backup at all", b"<html><script>x</script>", "نسخة احتياطية".encode(),
    b"SQLite format 3\x00" + b"\x00" * 80])
def test_restore_refuses_what_is_not_a_backup_and_keeps_the_database(app, runner, tmp_path,
                                                                     content):
    with app.app_context():
        _fill()
        before = _names()
    bogus = tmp_path / "bogus.bak"
    bogus.write_bytes(content)
    result = runner.invoke(args=["backup", "restore", str(bogus), "--yes"])
    assert result.exit_code != 0
    assert "Error:" in result.output
    with app.app_context():
        assert _names() == before


def test_restore_asks_first_and_needs_a_file(app, runner, tmp_path):
    result = runner.invoke(args=["backup", "restore", str(tmp_path / "missing.bak")], input="n\n")
    assert result.exit_code != 0 and "Aborted" in result.output
    result = runner.invoke(args=["backup", "restore", str(tmp_path / "missing.bak"), "--yes"])
    assert result.exit_code != 0 and "No backup file" in result.output
