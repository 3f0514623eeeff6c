"""Statuses are enums: the code names them, and the schema admits exactly their values."""

import ast
import re
from pathlib import Path

import pytest

from meetingapp.extensions import db
from meetingapp.models import (
    AgendaStatus,
    ContributionStatus,
    InvitationStatus,
    JobStatus,
    MeetingStatus,
    OutboxStatus,
    OutcomeStatus,
    ProposalStatus,
    RegistrationStatus,
)

PACKAGE = Path(__file__).resolve().parent.parent / "meetingapp"
STATUS_NAME = re.compile(r"status(_to|_from)?$")
# The STATUS property of iCalendar events (RFC 5545) is not one of ours.
ICALENDAR_STATUSES = {"TENTATIVE", "CONFIRMED", "CANCELLED"}

# Each status CHECK constraint and the enum whose values it must admit, in the same order.
CONSTRAINTS = [
    ("agenda_items", "ck_agenda_items_status_known", AgendaStatus),
    ("agenda_proposals", "ck_agenda_proposals_status_known", ProposalStatus),
    ("agenda_sessions", "ck_agenda_sessions_status_known", AgendaStatus),
    ("background_jobs", "ck_background_jobs_status_known", JobStatus),
    ("delegates", "ck_delegates_status_known", RegistrationStatus),
    ("invitations", "ck_invitations_status_known", InvitationStatus),
    ("meetings", "ck_meetings_status_known", MeetingStatus),
    ("outbox_messages", "ck_outbox_messages_status_known", OutboxStatus),
    ("outcome_notes", "ck_outcome_notes_status_to_known", OutcomeStatus),
    ("outcomes", "ck_outcomes_status_known", OutcomeStatus),
    ("report_contributions", "ck_report_contributions_status_known", ContributionStatus),
]


def _names_a_status(node: ast.expr) -> bool:
    """``x.status``, ``status``, ``new_status``, ``note.status_to``, ``row["status"]``."""
    if isinstance(node, ast.Attribute):
        return bool(STATUS_NAME.search(node.attr))
    if isinstance(node, ast.Name):
        return bool(STATUS_NAME.search(node.id))
    if isinstance(node, ast.Subscript):
        key = node.slice
        return (isinstance(key, ast.Constant) and isinstance(key.value, str)
                and bool(STATUS_NAME.search(key.value)))
    return False


def _is_string_literal(node: ast.expr) -> bool:
    """A string literal, or a tuple, list or set made only of string literals."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and node.value not in ICALENDAR_STATUSES
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return bool(node.elts) and all(_is_string_literal(e) for e in node.elts)
    return False


def bare_status_comparisons(source: str) -> list[tuple[int, str]]:
    """Line and text of every comparison of a status with bare strings in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            for op, left, right in zip(node.ops, operands[:-1], operands[1:], strict=True):
                if not isinstance(op, ast.Eq | ast.NotEq | ast.In | ast.NotIn):
                    continue
                if (_names_a_status(left) and _is_string_literal(right)) or (
                        _names_a_status(right) and _is_string_literal(left)):
                    found.append((node.lineno, ast.unparse(node)))
        # Column.status.in_(("a", "b")) in a query is the same comparison, in SQL.
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr in ("in_", "not_in") and _names_a_status(node.func.value)
              and node.args and _is_string_literal(node.args[0])):
            found.append((node.lineno, ast.unparse(node)))
    return found


@pytest.mark.parametrize("source", [
    'if delegate.status == "approved": pass',
    'ok = "approved" != delegate.status',
    'ok = invitation.status in ("sent", "viewed")',
    'ok = status not in ["open", "held"]',
    'ok = note.status_to == "done"',
    'ok = snapshot["status"] == "cancelled"',
    'query = select(Delegate).where(Delegate.status.in_(("pending", "approved")))',
])
def test_the_scan_finds_a_bare_string_comparison(source):
    assert bare_status_comparisons(source)


@pytest.mark.parametrize("source", [
    "ok = delegate.status == RegistrationStatus.APPROVED",
    "ok = delegate.status in ACTIVE_STATUSES",
    'ok = "status" in changes',
    'ok = delegate.role == "head"',
    'ok = status != "CANCELLED"',
])
def test_the_scan_lets_enum_comparisons_pass(source):
    assert not bare_status_comparisons(source)


def test_no_status_is_compared_with_a_bare_string():
    """A misspelt status fails at import as an enum member; as a string it never matches."""
    offences = [f"{path.relative_to(PACKAGE.parent)}:{line}: {text}"
                for path in sorted(PACKAGE.rglob("*.py"))
                for line, text in bare_status_comparisons(path.read_text(encoding="utf-8"))]
    assert offences == []


@pytest.mark.parametrize(("table", "name", "enum"), CONSTRAINTS,
                         ids=[name for _, name, _ in CONSTRAINTS])
def test_each_status_constraint_admits_exactly_the_enum_values(table, name, enum):
    constraint = next(c for c in db.metadata.tables[table].constraints if c.name == name)
    admitted = ast.literal_eval(str(constraint.sqltext).rsplit(" IN ", 1)[1])
    assert admitted == tuple(s.value for s in enum)


def test_every_status_constraint_is_checked_here():
    names = {c.name for t in db.metadata.sorted_tables for c in t.constraints
             if c.name and re.search(r"_status(_to|_from)?_known$", c.name)}
    assert names == {name for _, name, _ in CONSTRAINTS}
