"""The organisation directory: organisations, contacts, CSV import and export.

Operations add and flush; the caller commits. A broken rule raises
``OrganisationError``, whose ``field`` names the form field the message belongs to.
"""

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..audit.services import apply_changes, record
from ..extensions import db
from ..models import ORGANISATION_KINDS, Contact, Organisation
from ..models.languages import LANGUAGES
from ..text import fold
from .csv_io import CsvCheck, CsvFileError, KnownOrganisation, check_csv, write_csv
from .rules import CONTACT_LIMITS, ORGANISATION_LIMITS, clean_text, is_web_address, keys_fit

ORGANISATION_FIELDS = ("name", "acronym", "kind", "region", "website", "notes", "active",
                       "language")
CONTACT_FIELDS = ("title", "name", "position", "email", "phone")


class OrganisationError(ValueError):
    """A directory operation that would break a rule; ``field`` is where to say so."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class CsvImportError(OrganisationError):
    """The import file cannot be imported; ``check`` holds the row results, if read."""

    def __init__(self, message: str, check: CsvCheck | None = None):
        super().__init__(message, field="file")
        self.check = check


@dataclass
class ImportResult:
    """What an import did."""

    created: int
    updated: int
    unchanged: int

    @property
    def summary(self) -> str:
        return _("%(created)d created, %(updated)d updated, %(unchanged)d unchanged.",
                 created=self.created, updated=self.updated, unchanged=self.unchanged)


# --- Finding organisations -------------------------------------------------------------

def directory_query(q: str = "", kind: str = "", region: str = "",
                    include_inactive: bool = False) -> Select:
    """Organisations matching a search (any case, accents or script) and filters, by name."""
    query = (select(Organisation)
             .options(selectinload(Organisation.parent), selectinload(Organisation.contacts))
             .order_by(Organisation.name_key))
    for word in fold(q).split():
        query = query.where(Organisation.search_key.contains(word, autoescape=True))
    if kind:
        query = query.where(Organisation.kind == kind)
    if region:
        query = query.where(Organisation.region == region)
    if not include_inactive:
        query = query.where(Organisation.active.is_(True))
    return query


def list_regions() -> list[str]:
    """The regions used in the directory, for the filter."""
    return list(db.session.scalars(
        select(Organisation.region).where(Organisation.region != "").distinct()
        .order_by(Organisation.region)))


def _parent_map() -> dict[int, int | None]:
    return dict(db.session.execute(select(Organisation.id, Organisation.parent_id)).tuples().all())


def descendant_ids(org_id: int) -> set[int]:
    """Ids of every organisation below ``org_id`` (children, their children, ...)."""
    children: dict[int | None, list[int]] = {}
    for child, parent in _parent_map().items():
        children.setdefault(parent, []).append(child)
    found, todo = set(), list(children.get(org_id, []))
    while todo:
        current = todo.pop()
        if current not in found and current != org_id:
            found.add(current)
            todo.extend(children.get(current, []))
    return found


def parent_choices(org: Organisation | None = None) -> list[tuple[int, str]]:
    """Organisations that may be ``org``'s parent: not itself, nor one below it."""
    excluded = {org.id} | descendant_ids(org.id) if org is not None and org.id else set()
    rows = db.session.execute(
        select(Organisation.id, Organisation.name, Organisation.acronym, Organisation.active)
        .order_by(Organisation.name_key)).all()
    choices = []
    for id_, name, acronym, active in rows:
        if id_ in excluded:
            continue
        label = f"{name} ({acronym})" if acronym else name
        choices.append((id_, label if active else _("%(name)s (inactive)", name=label)))
    return choices


# --- Organisations ---------------------------------------------------------------------

def _clean_organisation(values: dict) -> dict:
    cleaned: dict[str, Any] = {f: clean_text(values.get(f)) for f in ORGANISATION_FIELDS
                               if f not in ("active", "language")}
    cleaned["active"] = bool(values.get("active", True))
    if values.get("language") is not None:  # absent: unchanged (new ones: English)
        if values["language"] not in LANGUAGES:
            raise OrganisationError(_("Choose one of the six languages."), field="language")
        cleaned["language"] = values["language"]
    if not cleaned["name"]:
        raise OrganisationError(_("Enter the name of the organisation."), field="name")
    if not keys_fit(cleaned["name"], cleaned["acronym"]):
        raise OrganisationError(_("Too long once folded for comparison; shorten the name."),
                                field="name")
    if cleaned["kind"] not in ORGANISATION_KINDS:
        raise OrganisationError(_("Choose international, regional or sub-regional."),
                                field="kind")
    for name, limit in ORGANISATION_LIMITS.items():
        if len(cleaned[name]) > limit:
            raise OrganisationError(_("At most %(limit)d characters.", limit=limit), field=name)
    if cleaned["website"] and not is_web_address(cleaned["website"]):
        raise OrganisationError(_("Give an address starting with http:// or https://."),
                                field="website")
    return cleaned


def _check_name_free(name: str, exclude_id: int | None = None) -> None:
    query = select(Organisation).where(Organisation.name_key == fold(name))
    if exclude_id is not None:
        query = query.where(Organisation.id != exclude_id)
    existing = db.session.scalar(query)
    if existing is not None:
        raise OrganisationError(_duplicate_message(existing.name), field="name")


def _duplicate_message(name: str) -> str:
    return _("“%(name)s” is already in the directory: names must differ by more than "
             "capitals or accents.", name=name)


def _parent_for(parent_id: int | None, org: Organisation | None) -> Organisation | None:
    if parent_id is None:
        return None
    parent = db.session.get(Organisation, parent_id)
    if parent is None:
        raise OrganisationError(_("The chosen parent organisation does not exist."),
                                field="parent_id")
    if org is not None and org.id is not None:
        if parent.id == org.id:
            raise OrganisationError(_("An organisation cannot be its own parent."),
                                    field="parent_id")
        if parent.id in descendant_ids(org.id):
            raise OrganisationError(
                _("“%(parent)s” is below “%(organisation)s” in the hierarchy, so it cannot "
                  "also be its parent: that would make a cycle.",
                  parent=parent.display_name, organisation=org.display_name),
                field="parent_id")
    return parent


@contextmanager
def _savepoint(name: str):
    """Flush inside a SAVEPOINT: a duplicate name that slipped past the check (two
    people saving at once) becomes a message, and the request can still show the form."""
    try:
        with db.session.begin_nested():
            yield
            db.session.flush()
    except IntegrityError as error:
        if "name_key" not in str(error.orig):
            raise
        raise OrganisationError(_duplicate_message(name), field="name") from error


def _label(org: Organisation | None) -> str | None:
    return org.display_name if org is not None else None


def create_organisation(values: dict, parent_id: int | None = None) -> Organisation:
    """Add an organisation; its name must be new without regard to case or accents."""
    values = _clean_organisation(values)
    _check_name_free(values["name"])
    parent = _parent_for(parent_id, None)
    with _savepoint(values["name"]):
        org = Organisation(**values)
        org.refresh_keys()
        db.session.add(org)
        org.parent = parent
    changes = {f: [None, v] for f, v in values.items() if v not in ("", None)}
    if parent is not None:
        changes["parent"] = [None, parent.display_name]
    record("create", org, changes=changes)
    return org


def update_organisation(org: Organisation, values: dict,
                        parent_id: int | None = None) -> dict:
    """Change an organisation; returns ``{field: [old, new]}`` of what changed."""
    values = _clean_organisation(values)
    _check_name_free(values["name"], exclude_id=org.id)
    parent = _parent_for(parent_id, org)
    old_parent = org.parent
    with _savepoint(values["name"]):
        changes = apply_changes(org, values)
        org.refresh_keys()
        if parent is not old_parent:
            org.parent = parent
            changes["parent"] = [_label(old_parent), _label(parent)]
    if changes:
        record("update", org, changes=changes)
    return changes


def set_organisation_active(org: Organisation, active: bool) -> bool:
    """Deactivate (hidden from lists and invitations) or reactivate; False if no change."""
    if org.active == active:
        return False
    org.active = active
    db.session.flush()
    record("reactivate" if active else "deactivate", org,
           changes={"active": [not active, active]})
    return True


# --- Contacts and the focal point ------------------------------------------------------

def _clean_contact(values: dict) -> dict:
    cleaned = {f: clean_text(values.get(f)) for f in CONTACT_FIELDS}
    if not cleaned["name"]:
        raise OrganisationError(_("Enter the contact's name."), field="name")
    if not cleaned["email"] or "@" not in cleaned["email"]:
        raise OrganisationError(_("Enter a valid e-mail address."), field="email")
    for name, limit in CONTACT_LIMITS.items():
        if len(cleaned[name]) > limit:
            raise OrganisationError(_("At most %(limit)d characters.", limit=limit), field=name)
    return cleaned


def _focal_point_of(org_id: int) -> Contact | None:
    return db.session.scalar(select(Contact).where(
        Contact.organisation_id == org_id, Contact.is_focal_point.is_(True)))


def _switch_focal_point(previous: Contact | None, contact: Contact) -> None:
    if previous is not None and previous.id != contact.id:
        previous.is_focal_point = False
        # The unique partial index allows one focal point at a time: unset first.
        db.session.flush()
    contact.is_focal_point = True
    db.session.flush()


def add_contact(org: Organisation, values: dict, *, focal_point: bool = False) -> Contact:
    """Add a contact; the first one, or one marked so, becomes the focal point."""
    values = _clean_contact(values)
    previous = _focal_point_of(org.id)
    contact = Contact(organisation=org, is_focal_point=False, **values)
    db.session.add(contact)
    db.session.flush()
    if focal_point or previous is None:
        _switch_focal_point(previous, contact)
    changes = {f: [None, v] for f, v in values.items() if v}
    changes["focal_point"] = [None, contact.is_focal_point]
    record("add_contact", org, changes=changes)
    return contact


def update_contact(contact: Contact, values: dict, *, focal_point: bool) -> dict:
    """Change a contact; ticking "focal point" moves the focal point to it."""
    values = _clean_contact(values)
    if contact.is_focal_point and not focal_point:
        raise OrganisationError(
            _("This contact is the focal point. To change that, make another contact "
              "the focal point (an organisation with contacts always has one)."),
            field="is_focal_point")
    changes = apply_changes(contact, values)
    if focal_point and not contact.is_focal_point:
        _switch_focal_point(_focal_point_of(contact.organisation_id), contact)
        changes["focal_point"] = [False, True]
    db.session.flush()
    if changes:
        record("edit_contact", contact.organisation,
               changes={"contact": contact.display_name, **changes})
    return changes


def make_focal_point(contact: Contact) -> Contact | None:
    """Make ``contact`` its organisation's focal point; returns the previous one."""
    if contact.is_focal_point:
        return None
    previous = _focal_point_of(contact.organisation_id)
    _switch_focal_point(previous, contact)
    record("change_focal_point", contact.organisation,
           changes={"focal_point": [_contact_label(previous), _contact_label(contact)]})
    return previous


def _contact_label(contact: Contact | None) -> str | None:
    return f"{contact.display_name} <{contact.email}>" if contact is not None else None


def delete_contact(contact: Contact) -> Contact | None:
    """Delete a contact; if it was the focal point, the oldest remaining contact
    (lowest id) becomes focal point and is returned."""
    org, was_focal, label = contact.organisation, contact.is_focal_point, _contact_label(contact)
    db.session.delete(contact)
    db.session.flush()
    db.session.expire(org, ["contacts"])
    promoted = None
    if was_focal:
        promoted = db.session.scalar(select(Contact).where(Contact.organisation_id == org.id)
                                     .order_by(Contact.id).limit(1))
        if promoted is not None:
            _switch_focal_point(None, promoted)
    changes = {"contact": [label, None]}
    if was_focal:
        changes["focal_point"] = [label, _contact_label(promoted)]
    record("delete_contact", org, changes=changes)
    return promoted


# --- CSV import and export -------------------------------------------------------------

def directory_snapshot() -> dict[str, KnownOrganisation]:
    """Every organisation by folded name, as the CSV check compares rows with them."""
    orgs = db.session.scalars(select(Organisation)).all()
    key_of: dict[int | None, str] = {org.id: org.name_key for org in orgs}
    return {org.name_key: KnownOrganisation(
        name=org.name, acronym=org.acronym, kind=org.kind, region=org.region,
        parent_key=key_of.get(org.parent_id), website=org.website, notes=org.notes,
        active=org.active) for org in orgs}


def check_import(text: str) -> CsvCheck:
    """Check CSV text against the directory (no change); CsvImportError if unreadable."""
    try:
        return check_csv(text, directory_snapshot())
    except CsvFileError as error:
        raise CsvImportError(str(error)) from error


def apply_import(check: CsvCheck, *, actor: str | None = None) -> ImportResult:
    """Create and update the organisations of a checked file; refuses a file with bad rows.

    ``actor`` names who imports when there is no signed-in user (a CLI command)."""
    if not check.ok:
        raise CsvImportError(_bad_rows_message(check), check)
    by_key = {org.name_key: org for org in db.session.scalars(select(Organisation))}
    pending = [row for row in check.rows if row.action in ("create", "update")]
    audit = []
    try:
        with db.session.begin_nested():
            for row in pending:
                values = {f: row.values[f] for f in ORGANISATION_FIELDS if f in row.values}
                org = by_key.get(row.key)
                if row.action == "create":
                    if org is not None:
                        raise _changed_meanwhile()
                    org = by_key[row.key] = Organisation(**values)
                    db.session.add(org)
                    changes = {f: [None, v] for f, v in values.items() if v not in ("", None)}
                else:
                    if org is None:
                        raise _changed_meanwhile()
                    changes = apply_changes(org, values)
                org.refresh_keys()
                audit.append((row, org, changes))
            if check.has_parent:
                for row, org, changes in audit:
                    parent = by_key[row.parent_key] if row.parent_key else None
                    if parent is not org.parent:
                        changes["parent"] = [_label(org.parent), _label(parent)]
                        org.parent = parent
            db.session.flush()
    except IntegrityError as error:
        raise _changed_meanwhile() from error
    for row, org, changes in audit:
        record(row.action, org, changes={"source": "CSV import", **changes}, actor=actor)
    result = ImportResult(created=check.count("create"), updated=check.count("update"),
                          unchanged=check.count("unchanged"))
    record("import_csv", object_type="organisations", label="CSV import", actor=actor,
           changes={"created": result.created, "updated": result.updated,
                    "unchanged": result.unchanged})
    return result


def _changed_meanwhile() -> CsvImportError:
    return CsvImportError(_("The directory changed while the file was being imported. "
                            "Nothing was imported; please upload the file again."))


def _bad_rows_message(check: CsvCheck) -> str:
    lines = "; ".join(_("line %(line)d: %(reason)s", line=row.line, reason=row.reason)
                      for row in check.bad_rows)
    return ngettext("Nothing was imported: %(num)d row(s) need correcting (%(lines)s).",
                    "Nothing was imported: %(num)d row(s) need correcting (%(lines)s).",
                    len(check.bad_rows), lines=lines)


def import_organisations_csv(text: str, *, actor: str | None = None) -> ImportResult:
    """Check and import CSV text in one go (for the demo loader and scripts)."""
    return apply_import(check_import(text), actor=actor)


def export_organisations_csv(query: Select) -> str:
    """The organisations of ``query`` as CSV text, in the import's columns plus the
    focal point; an export re-imports as "unchanged"."""
    rows = []
    for org in db.session.scalars(query).unique():
        focal = org.focal_point
        rows.append([org.name, org.acronym, org.kind, org.region,
                     org.parent.name if org.parent else "", org.website, org.notes,
                     "yes" if org.active else "no",
                     focal.display_name if focal else "", focal.email if focal else ""])
    return write_csv(rows)
