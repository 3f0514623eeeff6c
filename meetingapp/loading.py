"""One way for a view to start from the objects its URL names, checked (like Indico's
``RH._process_args``).

``@loads(meeting=Meeting, item=AgendaItem)``: the view is called with ``meeting`` and
``item`` instead of ``meeting_id`` and ``item_id``, and answers 404 when a row is missing
or when an object belongs to another one it was loaded with (an object with a
``meeting_id`` must point to the ``meeting`` loaded before it, and so on)::

    @bp.route("/<int:meeting_id>/items/<int:item_id>")
    @loads(meeting=Meeting, item=AgendaItem)
    def item(meeting, item): ...

Personal links load their object with ``links.opens_link``.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort

from .extensions import db


def load_checked(loaded: dict[str, Any], name: str, model: type, row_id: Any) -> Any:
    """The row ``model`` ``row_id``, belonging to what is ``loaded`` already; else 404."""
    obj = db.session.get(model, row_id) if isinstance(row_id, int) else None
    if obj is None:
        abort(404)
    for parent_name, parent in loaded.items():
        parent_id = getattr(obj, f"{parent_name}_id", None)
        if parent_id is not None and parent_id != getattr(parent, "id", None):
            abort(404)
    return obj


def loads(**models: type) -> Callable:
    """Decorator: turn ``<name>_id`` URL values into the rows of ``models`` (see above)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            loaded: dict[str, Any] = {}
            for name, model in models.items():
                loaded[name] = load_checked(loaded, name, model, kwargs.pop(f"{name}_id"))
            return view(*args, **kwargs, **loaded)

        return wrapped

    return decorator
