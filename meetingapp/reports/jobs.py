"""Job kind "compiled_report": the compiled report as DOCX or PDF, with progress."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..jobs import JobFailed, job_kind
from ..mail.messages import slugify
from ..models import utcnow
from ..pdf import PdfUnavailable
from .compile import compiled_docx, compiled_pdf

MIMETYPES = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             "pdf": "application/pdf"}


@job_kind("compiled_report", title=_l("Compiled report"))
def make_compiled_report(job, report_progress) -> tuple[bytes, str, str]:
    """The compiled report of ``job.meeting`` in ``job.params["format"]``."""
    meeting = job.meeting
    if meeting is None:
        raise JobFailed(_("The meeting of this report no longer exists."))
    fmt = job.params.get("format", "docx")
    if fmt not in MIMETYPES:
        raise JobFailed(_("Unknown format."))
    report_progress(1, _("Collecting the accepted contributions"))
    try:
        data = (compiled_docx if fmt == "docx" else compiled_pdf)(meeting, report_progress)
    except PdfUnavailable as error:
        raise JobFailed(str(error)) from None
    filename = f"report-{slugify(meeting.title, 40)}-{utcnow():%Y%m%d-%H%M}.{fmt}"
    return data, filename, MIMETYPES[fmt]
