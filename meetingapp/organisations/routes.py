from datetime import date

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from ..access import STAFF_ROLES, restrict_blueprint
from ..exports import CSV, download
from ..extensions import db
from ..formtools import ConfirmForm
from ..loading import loads
from ..models import Contact, Organisation
from .csv_io import ACTION_LABELS, MAX_BYTES, CsvFileError, decode_upload, pack, unpack
from .forms import (
    ContactForm,
    FilterForm,
    ImportConfirmForm,
    ImportUploadForm,
    OrganisationForm,
)
from .services import (
    CsvImportError,
    OrganisationError,
    add_contact,
    apply_import,
    check_import,
    create_organisation,
    delete_contact,
    directory_query,
    export_organisations_csv,
    list_regions,
    make_focal_point,
    parent_choices,
    set_organisation_active,
    update_contact,
    update_organisation,
)

bp = Blueprint("organisations", __name__, url_prefix="/organisations")

restrict_blueprint(bp, *STAFF_ROLES)

# The import's second step sends the checked file back in a form field (packed,
# at most about 4/3 of 2 MB). Werkzeug 3.1.0-3.1.8 held URL-encoded forms to
# MAX_FORM_MEMORY_SIZE (500 kB by default); Flask lets one view raise it.
IMPORT_FORM_LIMIT = 4 * MAX_BYTES


@bp.url_value_preprocessor
def _allow_import_payload(endpoint, values):
    # Runs before every before_request hook, so before CSRF reads the form.
    if endpoint == "organisations.import_csv":
        request.max_form_memory_size = IMPORT_FORM_LIMIT


def _show_error(form, error: OrganisationError) -> None:
    """Put a service's message next to the field it concerns."""
    target = getattr(form, error.field, None) if error.field else None
    if target is not None:
        target.errors = [*target.errors, str(error)]
    else:
        form.form_errors.append(str(error))


def _filter_form() -> FilterForm:
    form = FilterForm(formdata=request.args)
    form.region.choices = [("", _("All regions")), *((r, r) for r in list_regions())]
    return form


def _contact_of(org_id: int, contact_id: int) -> Contact:
    contact = db.get_or_404(Contact, contact_id)
    if contact.organisation_id != org_id:
        abort(404)
    return contact


@bp.route("/")
def index():
    """The directory, searched and filtered, a page at a time."""
    form = _filter_form()
    page = db.paginate(directory_query(**form.filters()),
                       per_page=current_app.config["PER_PAGE"], error_out=False)
    export_args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("organisations/index.html", page=page, form=form,
                           export_args=export_args)


@bp.route("/export.csv")
def export_csv():
    """The directory as shown (same filters), as a CSV file that re-imports."""
    text = export_organisations_csv(directory_query(**_filter_form().filters()))
    filename = f"organisations-{date.today().isoformat()}.csv"
    return download(text.encode("utf-8"), CSV, filename)


@bp.route("/new", methods=["GET", "POST"])
def create():
    form = OrganisationForm()
    form.set_parent_choices(parent_choices())
    if not form.is_submitted():
        form.parent_id.data = request.args.get("parent", type=int)
    if form.validate_on_submit():
        try:
            org = create_organisation(form.values(), form.parent_id.data)
        except OrganisationError as error:
            _show_error(form, error)
        else:
            db.session.commit()
            flash(_("%(name)s added to the directory.", name=org.display_name), "success")
            return redirect(url_for("organisations.detail", org_id=org.id))
    return render_template("organisations/form.html", form=form, title=_("New organisation"),
                           regions=list_regions())


@bp.route("/<int:org_id>")
@loads(org=Organisation)
def detail(org: Organisation):
    return render_template("organisations/detail.html", org=org)


@bp.route("/<int:org_id>/edit", methods=["GET", "POST"])
@loads(org=Organisation)
def edit(org: Organisation):
    form = OrganisationForm(obj=org)
    form.set_parent_choices(parent_choices(org))
    if form.validate_on_submit():
        try:
            changes = update_organisation(org, form.values(), form.parent_id.data)
        except OrganisationError as error:
            _show_error(form, error)
        else:
            db.session.commit()
            flash(_("%(name)s saved.", name=org.display_name) if changes
                  else _("Nothing was changed."), "success")
            return redirect(url_for("organisations.detail", org_id=org.id))
    return render_template("organisations/form.html", form=form, org=org,
                           title=_("Edit %(name)s", name=org.display_name),
                           regions=list_regions())


@bp.route("/<int:org_id>/deactivate", methods=["GET", "POST"])
@loads(org=Organisation)
def deactivate(org: Organisation):
    """Ask first (GET), then deactivate (POST)."""
    if not org.active:
        flash(_("%(name)s is already inactive.", name=org.display_name), "info")
        return redirect(url_for("organisations.detail", org_id=org.id))
    form = ConfirmForm()
    if form.validate_on_submit():
        set_organisation_active(org, False)
        db.session.commit()
        flash(_("%(name)s deactivated: it no longer appears in the list.",
                name=org.display_name), "success")
        return redirect(url_for("organisations.detail", org_id=org.id))
    return render_template(
        "organisations/confirm.html", form=form, org=org,
        title=_("Deactivate %(name)s?", name=org.display_name), button=_("Deactivate"),
        danger=True,
        message=_("It will be hidden from the directory list (unless “Show inactive” is "
                  "ticked) and is not offered for invitations. Its contacts and history are "
                  "kept, and it can be reactivated at any time."))


@bp.route("/<int:org_id>/reactivate", methods=["POST"])
@loads(org=Organisation)
def reactivate(org: Organisation):
    if ConfirmForm().validate_on_submit():
        set_organisation_active(org, True)
        db.session.commit()
        flash(_("%(name)s reactivated.", name=org.display_name), "success")
    return redirect(url_for("organisations.detail", org_id=org.id))


@bp.route("/<int:org_id>/contacts/new", methods=["GET", "POST"])
@loads(org=Organisation)
def create_contact(org: Organisation):
    form = ContactForm()
    if not form.is_submitted() and not org.contacts:
        form.is_focal_point.data = True
    if form.validate_on_submit():
        try:
            contact = add_contact(org, form.values(), focal_point=form.is_focal_point.data)
        except OrganisationError as error:
            _show_error(form, error)
        else:
            db.session.commit()
            if contact.is_focal_point:
                flash(_("Contact %(name)s added. It is the focal point.",
                        name=contact.display_name), "success")
            else:
                flash(_("Contact %(name)s added.", name=contact.display_name), "success")
            return redirect(url_for("organisations.detail", org_id=org.id))
    return render_template("organisations/contact_form.html", form=form, org=org,
                           title=_("New contact for %(name)s", name=org.display_name))


@bp.route("/<int:org_id>/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
def edit_contact(org_id: int, contact_id: int):
    contact = _contact_of(org_id, contact_id)
    form = ContactForm(obj=contact)
    if form.validate_on_submit():
        try:
            update_contact(contact, form.values(), focal_point=form.is_focal_point.data)
        except OrganisationError as error:
            _show_error(form, error)
        else:
            db.session.commit()
            flash(_("Contact %(name)s saved.", name=contact.display_name), "success")
            return redirect(url_for("organisations.detail", org_id=org_id))
    return render_template("organisations/contact_form.html", form=form,
                           org=contact.organisation,
                           title=_("Edit %(name)s", name=contact.display_name))


@bp.route("/<int:org_id>/contacts/<int:contact_id>/focal-point", methods=["POST"])
def focal_point(org_id: int, contact_id: int):
    contact = _contact_of(org_id, contact_id)
    if ConfirmForm().validate_on_submit():
        previous = make_focal_point(contact)
        db.session.commit()
        if previous:
            flash(_("%(name)s is now the focal point instead of %(previous)s.",
                    name=contact.display_name, previous=previous.display_name), "success")
        else:
            flash(_("%(name)s is now the focal point.", name=contact.display_name), "success")
    return redirect(url_for("organisations.detail", org_id=org_id))


@bp.route("/<int:org_id>/contacts/<int:contact_id>/delete", methods=["GET", "POST"])
def remove_contact(org_id: int, contact_id: int):
    """Ask first (GET), then delete (POST)."""
    contact = _contact_of(org_id, contact_id)
    org, name = contact.organisation, contact.display_name
    form = ConfirmForm()
    if form.validate_on_submit():
        promoted = delete_contact(contact)
        db.session.commit()
        flash(_("Contact %(name)s deleted.", name=name), "success")
        if promoted is not None:
            flash(_("%(name)s is now the focal point.", name=promoted.display_name), "info")
        return redirect(url_for("organisations.detail", org_id=org_id))
    if contact.is_focal_point:
        message = _("%(name)s <%(email)s> will be removed from %(organisation)s. This contact "
                    "is the focal point: the oldest remaining contact will become the focal "
                    "point.", name=name, email=contact.email, organisation=org.display_name)
    else:
        message = _("%(name)s <%(email)s> will be removed from %(organisation)s.",
                    name=name, email=contact.email, organisation=org.display_name)
    return render_template("organisations/confirm.html", form=form, org=org,
                           title=_("Delete the contact %(name)s?", name=name),
                           button=_("Delete"),
                           danger=True, message=message)


@bp.route("/import", methods=["GET", "POST"])
def import_csv():
    """Step 1: upload and preview. Step 2 (the form carries the file back): import."""
    upload, confirm, check = ImportUploadForm(), ImportConfirmForm(), None
    try:
        if "payload" in request.form:
            if confirm.validate_on_submit():
                check = check_import(unpack(confirm.payload.data))
                result = apply_import(check)
                db.session.commit()
                flash(_("Import finished: %(summary)s", summary=result.summary), "success")
                return redirect(url_for("organisations.index"))
        elif upload.validate_on_submit():
            text = decode_upload(upload.file.data.read(MAX_BYTES + 1))
            check = check_import(text)
            if check.ok:
                confirm.payload.data = pack(text)
    except (CsvFileError, CsvImportError) as error:
        # Bad rows are listed in the preview table; anything else goes by the file field.
        check = getattr(error, "check", None)
        if check is None:
            upload.file.errors = [str(error)]
    return render_template("organisations/import.html", upload=upload, confirm=confirm,
                           check=check, action_labels=ACTION_LABELS)
