"""A real SMTP server on loopback for the mail tests, and helpers around it.

Register in a test module with ``pytest_plugins = ["tests.smtp_server"]``.
The server (aiosmtpd) records what it receives, parsed with the ``email``
package; it can refuse recipients with 550 (permanent) or 451 (temporary),
and be stopped and started again on the same port (an outage, then recovery).
"""

import asyncio
import socket
import threading
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

import pytest
from aiosmtpd.controller import Controller
from flask import abort, redirect, request

REPLIES = {
    "550": "550 5.1.1 Mailbox unavailable",
    "451": "451 4.3.0 Temporary failure, try again later",
}


@dataclass
class Received:
    """One message as the server took it: the envelope and the parsed message."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def message_id(self) -> str:
        """The Message-ID header as received."""
        return str(self.message["Message-ID"])


class RecordingHandler:
    """aiosmtpd handler: keeps every message; refuses when told to."""

    def __init__(self):
        self.lock = threading.Lock()
        self.received: list[Received] = []
        self.refuse_with: str | None = None  # "550" or "451": every recipient
        self.refuse_recipients: dict[str, str] = {}  # address -> "550" / "451"
        self.delay = 0.0  # seconds to wait before accepting DATA

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        """Accept the recipient, or refuse it as configured."""
        code = self.refuse_with or self.refuse_recipients.get(address)
        if code:
            return REPLIES[code]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        """Keep the message, parsed."""
        if self.delay:
            await asyncio.sleep(self.delay)
        message = BytesParser(policy=policy.default).parsebytes(envelope.original_content)
        with self.lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 2.0.0 Message accepted for delivery"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LoopbackSMTPServer:
    """An SMTP server on 127.0.0.1 that can go down and come back on the same port."""

    host = "127.0.0.1"

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.handler = RecordingHandler()
        self._controller: Controller | None = None

    @property
    def running(self) -> bool:
        """Whether the server listens now."""
        return self._controller is not None

    def start(self) -> None:
        """Listen (again); what was received before is kept."""
        if self._controller is None:
            # A stopped controller's event loop is closed: each start needs a new one.
            controller = Controller(self.handler, hostname=self.host, port=self.port,
                                    server_hostname="smtp.test", ready_timeout=10)
            controller.start()
            self._controller = controller

    def stop(self) -> None:
        """Stop listening: connections are refused until ``start``."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def received(self) -> list[Received]:
        """Every message received so far, oldest first."""
        with self.handler.lock:
            return list(self.handler.received)

    def message_ids(self) -> list[str]:
        """The Message-IDs of every message received, oldest first."""
        return [r.message_id for r in self.received]

    def refuse(self, code: str | None) -> None:
        """Refuse every recipient with ``"550"`` or ``"451"``; None accepts again."""
        self.handler.refuse_with = code


@pytest.fixture
def smtp_server():
    """A running loopback SMTP server, stopped after the test."""
    server = LoopbackSMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp_config(smtp_server, tmp_path):
    """Configuration that sends through ``smtp_server``, inside the request."""
    return {
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": smtp_server.host,
        "MAIL_PORT": smtp_server.port,
        "MAIL_TIMEOUT": 5,
        "MAIL_LOCAL_HOSTNAME": "client.test",
        "MAIL_DELIVERY_SYNC": True,
        "MAIL_FILE_DIR": str(tmp_path / "mail"),
    }


@pytest.fixture
def add_queue_route():
    """A function that gives an app ``POST /_test/queue`` (see ``_add_queue_route``)."""
    return _add_queue_route


def _add_queue_route(app) -> None:
    """``POST /_test/queue``: a view that queues one message the way real views do.

    Form fields: ``to``, ``subject``; ``fail=before-commit`` aborts (400)
    before the commit; ``status`` answers with that code after the commit.
    """
    from meetingapp.extensions import db
    from meetingapp.mail.services import queue_message

    def queue_view():
        """Queue, then commit (or fail) like a real view."""
        queue_message(request.form["to"], request.form.get("subject", "Test message"),
                      request.form.get("text", "Hello.\n\nhttps://localhost/portal/abc"), None,
                      category=request.form.get("category", "test"))
        if request.form.get("fail") == "before-commit":
            abort(400)
        db.session.commit()
        if request.form.get("status"):
            return "answered", int(request.form["status"])
        return redirect("/")

    app.add_url_rule("/_test/queue", "test_queue", queue_view, methods=["POST"])
