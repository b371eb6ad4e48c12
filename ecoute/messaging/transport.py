"""Handing messages to the mail server over ONE connection per batch, with the final step split so
that the sender records a message as sent between the last line of its data and the dot that ends it.

For an SMTP mailer the conversation is driven command by command (smtplib): MAIL, RCPT, DATA, the
content, then `mark_sent()` is called, and only when it returns True is the final "." written. Other
mailers (console, memory) have no such step: `mark_sent()` is called, then the message is handed over.
"""

import contextlib
import email.policy
import re
import smtplib
import socket
from collections.abc import Callable
from typing import Any, Protocol

from django.core.mail import EmailMessage, mailers
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend


class LeaseLostError(Exception):
    """Another sender took the message over: this one handed nothing over."""


class RecipientRefusedError(smtplib.SMTPResponseException):
    """The server refused the recipient (RCPT): 5xx means the address does not exist."""


class Transport(Protocol):
    def send(self, message: EmailMessage, mark_sent: Callable[[], bool]) -> None: ...

    def drop(self) -> None:
        """End the connection at once, whatever state it is in."""

    def close(self) -> None: ...


_LEADING_DOT = re.compile(rb"(?m)^\.")


def _data_without_final_dot(content: bytes) -> bytes:
    content = _LEADING_DOT.sub(b"..", content.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    return content if content.endswith(b"\r\n") else content + b"\r\n"


class SmtpTransport:
    """One SMTP connection, opened on the first message, reopened after it broke."""

    def __init__(self, backend: SmtpBackend) -> None:
        self.backend = backend

    def _connection(self) -> smtplib.SMTP:
        if self.backend.connection is None:
            self.backend.open()
            if (sock := getattr(self.backend.connection, "sock", None)) is not None:
                # The final dot is written apart from the content: without this, it would wait for the
                # server to acknowledge the content (Nagle's algorithm), 40 ms a message.
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        connection = self.backend.connection
        if connection is None:
            raise smtplib.SMTPServerDisconnected("no connection")
        connection.ehlo_or_helo_if_needed()
        return connection

    def send(self, message: EmailMessage, mark_sent: Callable[[], bool]) -> None:
        sender = self.backend.prep_address(message.from_email)
        [recipient] = [self.backend.prep_address(address) for address in message.recipients()]
        content = message.message(policy=email.policy.SMTP).as_bytes()
        smtp = self._connection()
        try:
            code, reply = smtp.mail(sender)
            if code != 250:
                smtp.rset()
                raise smtplib.SMTPSenderRefused(code, reply, sender)
            code, reply = smtp.rcpt(recipient)
            if code not in (250, 251):
                smtp.rset()
                raise RecipientRefusedError(code, reply)
            smtp.putcmd("data")
            code, reply = smtp.getreply()
            if code != 354:
                smtp.rset()
                raise smtplib.SMTPDataError(code, reply)
            smtp.send(_data_without_final_dot(content))
        except smtplib.SMTPResponseException:
            raise  # an answer of the server: the connection goes on with the next message
        except OSError:  # the connection broke (smtplib's errors are OSErrors too)
            self.drop()
            raise
        if not mark_sent():
            # Closing without the final dot makes the server drop what it received of this message.
            self.drop()
            raise LeaseLostError
        try:
            smtp.send(b".\r\n")
            code, reply = smtp.getreply()
        except OSError:
            self.drop()
            raise
        if code != 250:
            raise smtplib.SMTPDataError(code, reply)

    def drop(self) -> None:
        """Forget a connection that broke, or that must end in the middle of a message."""
        connection, self.backend.connection = self.backend.connection, None
        if connection is not None:
            with contextlib.suppress(OSError):
                connection.close()

    def close(self) -> None:
        try:
            self.backend.close()
        except (OSError, smtplib.SMTPException):
            self.drop()


class BackendTransport:
    """Any other mailer of Django (console, memory): marked sent, then handed over."""

    def __init__(self, backend: Any) -> None:
        self.backend = backend
        self.opened = False

    def send(self, message: EmailMessage, mark_sent: Callable[[], bool]) -> None:
        if not self.opened:
            self.backend.open()
            self.opened = True
        if not mark_sent():
            raise LeaseLostError
        self.backend.send_messages([message])

    def drop(self) -> None:
        self.close()
        self.opened = False

    def close(self) -> None:
        if self.opened:
            self.backend.close()


def open_transport() -> Transport:
    backend = mailers.default
    if isinstance(backend, SmtpBackend):
        return SmtpTransport(backend)
    return BackendTransport(backend)
