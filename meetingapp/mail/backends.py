"""Ways out for a message: an SMTP server, or the console and an .eml file."""

import hashlib
import os
import smtplib
import ssl
import sys
from datetime import UTC, datetime
from email.message import EmailMessage

from flask import Flask

from ..config import ConfigurationError
from .messages import slugify


class ConnectionFailed(Exception):
    """The server could not be reached or refused the session (not this message)."""

    def __init__(self, error: BaseException):
        super().__init__(str(error))
        self.error = error


class ConsoleBackend:
    """Print each message and keep it as an .eml file that a mail program opens."""

    def __init__(self, app: Flask):
        config = app.config
        self.directory = config.get("MAIL_FILE_DIR") or os.path.join(
            config.get("INSTANCE_TMP") or app.instance_path, "mail"
        )

    def send(self, email: EmailMessage, envelope_from: str, recipients: list[str]) -> dict:
        """Write ``email`` to the mail folder and print it; nothing is refused."""
        os.makedirs(self.directory, exist_ok=True)
        now = datetime.now(UTC)
        tag = hashlib.sha256(str(email["Message-ID"]).encode()).hexdigest()[:8]
        name = f"{now:%Y%m%d-%H%M%S}-{slugify(str(email['Subject']))}-{tag}.eml"
        path = os.path.join(self.directory, name)
        # Written aside and renamed: a half-written file is never opened.
        with open(path + ".tmp", "wb") as handle:
            handle.write(email.as_bytes())
        os.replace(path + ".tmp", path)
        text = email.get_body(preferencelist=("plain",))
        print(
            "\n".join([
                "----- e-mail (console backend: not sent) -----",
                f"From: {email['From']}",
                f"To: {email['To']}",
                *([f"Cc: {email['Cc']}"] if email["Cc"] else []),
                f"Subject: {email['Subject']}",
                f"Saved as: {path}",
                "",
                text.get_content() if text is not None else "",
                "----- end of e-mail -----",
            ]),
            file=sys.stdout,
            flush=True,
        )
        return {}

    def close(self) -> None:
        """Nothing to close."""


class SMTPBackend:
    """Send through an SMTP server, one connection for a whole batch."""

    def __init__(self, app: Flask):
        config = app.config
        self.host = config["MAIL_SERVER"]
        self.port = int(config["MAIL_PORT"])
        self.use_tls = bool(config["MAIL_USE_TLS"])
        self.use_ssl = bool(config["MAIL_USE_SSL"])
        self.username = config.get("MAIL_USERNAME")
        self.password = config.get("MAIL_PASSWORD")
        self.timeout = float(config["MAIL_TIMEOUT"])
        self.local_hostname = config.get("MAIL_LOCAL_HOSTNAME")
        self.connection: smtplib.SMTP | None = None

    def _open(self) -> smtplib.SMTP:
        if self.use_tls and self.use_ssl:
            raise ConfigurationError("Set MAIL_USE_TLS (STARTTLS) or MAIL_USE_SSL, not both.")
        context = ssl.create_default_context()
        if self.use_ssl:
            connection = smtplib.SMTP_SSL(self.host, self.port, self.local_hostname,
                                          timeout=self.timeout, context=context)
        else:
            connection = smtplib.SMTP(self.host, self.port, self.local_hostname,
                                      timeout=self.timeout)
        try:
            if self.use_tls:
                connection.starttls(context=context)
            if self.username:
                connection.login(self.username, self.password or "")
        except BaseException:
            connection.close()
            raise
        return connection

    def send(self, email: EmailMessage, envelope_from: str, recipients: list[str]) -> dict:
        """Send ``email``; return the recipients refused when others were accepted."""
        while True:
            fresh = self.connection is None
            if fresh:
                try:
                    self.connection = self._open()
                except (OSError, smtplib.SMTPException, ConfigurationError) as error:
                    raise ConnectionFailed(error) from error
            try:
                return self.connection.send_message(email, envelope_from, recipients)
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused,
                    smtplib.SMTPDataError):
                if self.connection.sock is None:  # smtplib hung up after a 421
                    self.connection = None
                raise
            except OSError as error:  # smtplib's errors are OSErrors too
                lost = (isinstance(error, smtplib.SMTPServerDisconnected)
                        or not isinstance(error, smtplib.SMTPException))
                if not lost:
                    self.close()
                    raise
                self._drop()
                if fresh:
                    raise ConnectionFailed(error) from error
                # The server dropped a session kept open from the previous
                # message (idle or per-session limits): open a new one, once.
            except BaseException:
                self.close()
                raise

    def _drop(self) -> None:
        connection, self.connection = self.connection, None
        if connection is not None:
            connection.close()

    def close(self) -> None:
        """End the session politely, or just drop it."""
        connection, self.connection = self.connection, None
        if connection is None:
            return
        try:
            connection.quit()
        except (OSError, smtplib.SMTPException):
            connection.close()


BACKENDS = {"console": ConsoleBackend, "smtp": SMTPBackend}


def get_backend(app: Flask):
    """The backend named by MAIL_BACKEND."""
    name = app.config.get("MAIL_BACKEND") or "console"
    try:
        return BACKENDS[name](app)
    except KeyError:
        raise ConfigurationError(
            f"Unknown MAIL_BACKEND {name!r}: use one of {', '.join(BACKENDS)}."
        ) from None


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def is_transient(error: BaseException) -> bool:
    """A failure of the moment: no connection, a dropped session or a 4xx reply."""
    if isinstance(error, ConnectionFailed):
        error = error.error
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in (error.recipients or {}).values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    return isinstance(error, (OSError, smtplib.SMTPServerDisconnected))


def describe_failure(error: BaseException) -> tuple[bool, str]:
    """``(permanent, text)`` for a failed send: permanent only for a 5xx refusal of this message."""
    if isinstance(error, ConnectionFailed):
        error = error.error
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        refusals = error.recipients or {}
        text = "Refused: " + "; ".join(
            f"{addr}: {code} {_text(reply)}" for addr, (code, reply) in refusals.items()
        )
        return bool(refusals) and all(code >= 500 for code, _ in refusals.values()), text
    # A wrong password, a server refusing the session or wanting STARTTLS or a
    # login first (530) is the configuration's fault, not the message's: keep
    # retrying until someone fixes the settings.
    if isinstance(error, (smtplib.SMTPAuthenticationError, smtplib.SMTPConnectError,
                          smtplib.SMTPHeloError)) or getattr(error, "smtp_code", None) == 530:
        return False, f"{error.smtp_code} {_text(error.smtp_error)}"
    if isinstance(error, smtplib.SMTPNotSupportedError):
        # Raised for this message: e.g. a non-ASCII address and no SMTPUTF8.
        return True, f"Not supported by the mail server: {error}"
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500, f"{error.smtp_code} {_text(error.smtp_error)}"
    return False, f"{type(error).__name__}: {error}"
