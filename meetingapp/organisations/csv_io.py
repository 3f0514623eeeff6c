"""The directory as CSV: checking an import file and writing an export.

Pure functions, no database: ``check_csv`` gets a snapshot of the directory
(``KnownOrganisation`` by folded name) and says, row by row, what an import
would do or why it cannot. The services build the snapshot and apply the rows.
"""

import base64
import csv
import io
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from ..text import fold, spreadsheet_safe
from .rules import (
    ORGANISATION_LIMITS,
    clean_text,
    is_web_address,
    keys_fit,
    parse_active,
    parse_kind,
    unescape_spreadsheet_cell,
)

MAX_BYTES = 2 * 1024 * 1024
REQUIRED_COLUMNS = ("name", "acronym", "kind", "region")
OPTIONAL_COLUMNS = ("parent", "website", "notes", "active")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
EXPORT_COLUMNS = COLUMNS + ("focal_point_name", "focal_point_email")
# What importing a row does, as the preview names it.
ACTION_LABELS = {"create": _l("create"), "update": _l("update"), "unchanged": _l("unchanged")}


class CsvFileError(ValueError):
    """The file as a whole cannot be read; the message says why and what to do."""


@dataclass(frozen=True)
class KnownOrganisation:
    """What the import compares a row with: an organisation already in the directory."""

    name: str
    acronym: str
    kind: str
    region: str
    parent_key: str | None
    website: str
    notes: str
    active: bool


@dataclass
class RowResult:
    """One data row of the file: what importing it would do, or why it cannot."""

    line: int
    name: str
    key: str
    values: dict = field(default_factory=dict)
    parent_key: str | None = None
    errors: list[str] = field(default_factory=list)
    action: str = ""  # "create", "update" or "unchanged"; empty for a bad row
    changed: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def reason(self) -> str:
        return "; ".join(self.errors)


@dataclass
class CsvCheck:
    """The result of checking a whole file."""

    columns: list[str]
    ignored_columns: list[str]
    rows: list[RowResult]

    @property
    def has_parent(self) -> bool:
        return "parent" in self.columns

    @property
    def bad_rows(self) -> list[RowResult]:
        return [row for row in self.rows if not row.ok]

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.bad_rows

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.ok and row.action == action)


def decode_upload(data: bytes) -> str:
    """The text of an uploaded file: at most 2 MB, UTF-8 with or without a BOM."""
    if len(data) > MAX_BYTES:
        raise CsvFileError(_(
            "The file is %(size).1f MB; the limit is %(limit)d MB. Split it into smaller files.",
            size=len(data) / 1024 / 1024, limit=MAX_BYTES // 1024 // 1024))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CsvFileError(_(
            "The file is not UTF-8 text (byte %(byte)d cannot be read). "
            "Save it as “CSV UTF-8” (in Excel: Save As, CSV UTF-8) and upload it again.",
            byte=error.start + 1)) from error


def _shorten(value: str, limit: int = 60) -> str:
    """A cell value cut short for a message (the message puts its own quotes around it)."""
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _column_name(header_cell: str) -> str:
    return clean_text(header_cell).lstrip("\ufeff").strip().lower().replace(" ", "_")


def _delimiter(text: str) -> str:
    """Commas, or semicolons for files saved by a spreadsheet in a comma-decimal locale."""
    first_line = text.split("\n", 1)[0]
    return ";" if "," not in first_line and ";" in first_line else ","


def _read_header(header: list[str] | None) -> tuple[list[str], list[str]]:
    expected = ",".join(REQUIRED_COLUMNS)
    if header is None or not any(cell.strip() for cell in header):
        raise CsvFileError(_("The file is empty: its first line must name the columns "
                             "%(columns)s.", columns=expected))
    columns = [_column_name(cell) for cell in header]
    repeated = sorted({c for c in columns if c and columns.count(c) > 1})
    if repeated:
        raise CsvFileError(_("The header line names the column %(columns)s twice.",
                             columns=", ".join(repeated)))
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise CsvFileError(ngettext(
            "The header line lacks the column %(columns)s. The first line must name the "
            "columns %(expected)s (and optionally %(optional)s).",
            "The header line lacks the columns %(columns)s. The first line must name the "
            "columns %(expected)s (and optionally %(optional)s).",
            len(missing), columns=", ".join(missing), expected=expected,
            optional=",".join(OPTIONAL_COLUMNS)))
    ignored = [c for c in columns if c and c not in COLUMNS]
    return columns, ignored


def _read_row(line: int, cells: list[str], columns: list[str]) -> RowResult:
    raw = {}
    for index, column in enumerate(columns):
        if column in COLUMNS:
            cell = cells[index] if index < len(cells) else ""
            raw[column] = unescape_spreadsheet_cell(clean_text(cell))
    name = raw["name"]
    row = RowResult(line=line, name=name, key=fold(name))
    if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns):]):
        row.errors.append(ngettext("%(num)d cell, but the header has %(columns)d columns",
                                   "%(num)d cells, but the header has %(columns)d columns",
                                   len(cells), columns=len(columns)))
    if not name:
        row.errors.append(_("missing name"))
    for column in ("name", "acronym", "region", "website", "notes"):
        limit = ORGANISATION_LIMITS[column]
        if column in raw and len(raw[column]) > limit:
            row.errors.append(_("%(column)s is too long (%(length)d characters, at most "
                                "%(limit)d)", column=column, length=len(raw[column]),
                                limit=limit))
    if not keys_fit(name, raw["acronym"]):
        row.errors.append(_("name and acronym are too long once folded for comparison"))
    kind = parse_kind(raw["kind"])
    if not raw["kind"]:
        row.errors.append(_("missing kind (international, regional or sub-regional)"))
    elif kind is None:
        row.errors.append(_("unknown kind “%(kind)s” (use international, regional or "
                            "sub-regional)", kind=_shorten(raw["kind"])))
    row.values = {"name": name, "acronym": raw["acronym"], "kind": kind,
                  "region": raw["region"]}
    if "website" in raw:
        if raw["website"] and not is_web_address(raw["website"]):
            row.errors.append(_("website “%(website)s” is not an http:// or https:// "
                                "address", website=_shorten(raw["website"])))
        row.values["website"] = raw["website"]
    if "notes" in raw:
        row.values["notes"] = raw["notes"]
    if "active" in raw:
        active = parse_active(raw["active"])
        if active is None:
            row.errors.append(_("active “%(value)s” is neither yes nor no",
                                value=_shorten(raw["active"])))
        row.values["active"] = active
    if "parent" in raw:
        row.values["parent"] = raw["parent"]
    return row


def _mark_duplicates(rows: list[RowResult]) -> dict[str, RowResult]:
    """Later rows repeating a name are bad; returns the first row of each name."""
    first: dict[str, RowResult] = {}
    for row in rows:
        if not row.key:
            continue
        if row.key in first:
            row.errors.append(_("name duplicated within the file (first on line %(line)d)",
                                line=first[row.key].line))
        else:
            first[row.key] = row
    return first


def _resolve_parents(rows, file_rows, directory) -> None:
    """Find each row's parent by name or acronym, in the file or the directory."""
    names = set(directory) | set(file_rows)
    acronyms: dict[str, set[str]] = {}
    for key, known in directory.items():
        if key not in file_rows and known.acronym:
            acronyms.setdefault(fold(known.acronym), set()).add(key)
    for key, row in file_rows.items():
        if row.values.get("acronym"):
            acronyms.setdefault(fold(row.values["acronym"]), set()).add(key)
    for row in rows:
        wanted = row.values.get("parent", "")
        if not wanted:
            continue
        folded = fold(wanted)
        if folded in names:
            parent_key = folded
        else:
            candidates = acronyms.get(folded, set())
            if len(candidates) > 1:
                row.errors.append(_("parent “%(parent)s” is ambiguous: several organisations "
                                    "have that acronym; give the full name",
                                    parent=_shorten(wanted)))
                continue
            if not candidates:
                row.errors.append(_("parent “%(parent)s” not found in the directory or in "
                                    "this file", parent=_shorten(wanted)))
                continue
            parent_key = next(iter(candidates))
        if parent_key == row.key:
            row.errors.append(_("an organisation cannot be its own parent"))
            continue
        row.parent_key = parent_key


def _mark_cycles(file_rows, directory) -> None:
    """Refuse parents that would make an organisation its own ancestor."""
    parent_of = {key: known.parent_key for key, known in directory.items()}
    for key, row in file_rows.items():
        parent_of[key] = row.parent_key

    def label(key):
        return file_rows[key].name if key in file_rows else directory[key].name

    for key, row in file_rows.items():
        chain, seen, current = [key], {key}, parent_of.get(key)
        while current is not None:
            if current == key:
                path = " → ".join(label(k) for k in [*chain, key])
                row.errors.append(_("parent chain loops back to this organisation "
                                    "(%(path)s)", path=path))
                break
            if current in seen:
                break
            seen.add(current)
            chain.append(current)
            current = parent_of.get(current)


def _decide_action(row: RowResult, known: KnownOrganisation | None, has_parent: bool) -> None:
    if known is None:
        row.action = "create"
        return
    fields = [f for f in ("name", "acronym", "kind", "region", "website", "notes", "active")
              if f in row.values]
    row.changed = [f for f in fields if row.values[f] != getattr(known, f)]
    if has_parent and row.parent_key != known.parent_key:
        row.changed.append("parent")
    row.action = "update" if row.changed else "unchanged"


def check_csv(text: str, directory: Mapping[str, KnownOrganisation]) -> CsvCheck:
    """Check an import file against the directory; raises CsvFileError if unreadable."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise CsvFileError(_("The file is larger than %(limit)d MB; split it into smaller "
                             "files.", limit=MAX_BYTES // 1024 // 1024))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    rows: list[RowResult] = []
    try:
        columns, ignored = _read_header(next(reader, None))
        last_line = reader.line_num
        for cells in reader:
            line, last_line = last_line + 1, reader.line_num
            if any(cell.strip() for cell in cells):
                rows.append(_read_row(line, cells, columns))
    except csv.Error as error:
        raise CsvFileError(_("Line %(line)d is not valid CSV (%(error)s).",
                             line=reader.line_num, error=error)) from error
    if not rows:
        raise CsvFileError(_("The file has a header line but no organisations."))
    check = CsvCheck(columns=columns, ignored_columns=ignored, rows=rows)
    file_rows = _mark_duplicates(rows)
    if check.has_parent:
        _resolve_parents(rows, file_rows, directory)
        _mark_cycles(file_rows, directory)
    for row in rows:
        if row.ok:
            _decide_action(row, directory.get(row.key), check.has_parent)
    return check


def write_csv(rows: Iterable[Sequence], columns: Sequence[str] = EXPORT_COLUMNS) -> str:
    """CSV text with a BOM (Excel then reads UTF-8); no cell can run as a formula."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([spreadsheet_safe(c) for c in columns])
    for row in rows:
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return out.getvalue()


def pack(text: str) -> str:
    """CSV text compressed into a form-safe string, to carry between preview and import."""
    return base64.urlsafe_b64encode(zlib.compress(text.encode("utf-8"), 6)).decode("ascii")


def unpack(payload: str) -> str:
    """The text ``pack`` made; CsvFileError if damaged or larger than the limit."""
    damaged = _("The checked file did not come back intact; please upload it again.")
    try:
        inflater = zlib.decompressobj()
        data = inflater.decompress(base64.urlsafe_b64decode(payload.encode("ascii")),
                                   MAX_BYTES + 1)
    except (ValueError, zlib.error) as error:
        raise CsvFileError(damaged) from error
    if len(data) > MAX_BYTES or inflater.unconsumed_tail:
        raise CsvFileError(_("The file is larger than %(limit)d MB; split it into smaller "
                             "files.", limit=MAX_BYTES // 1024 // 1024))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CsvFileError(damaged) from error
