"""Meetings: staff create them, edit them and move them through their statuses.

A meeting's page shows what later features add at ``hooks.MEETING_PAGE``, in the order
of the meeting's life (``hooks.Position``). A change of time, place or status is sent as
``hooks.meeting_changed`` (and ``hooks.meeting_cancelled``).
"""

from flask import Flask

from .routes import bp


def register(app: Flask) -> None:
    """The meeting pages."""
    app.register_blueprint(bp)
