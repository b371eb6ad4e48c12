"""A real SMTP server (aiosmtpd) on a free local port that keeps the messages it receives."""

import socket
from email import message_from_bytes
from email.message import Message
from collections.abc import Callable
from types import TracebackType
from typing import Any, Literal, Self

from aiosmtpd.controller import Controller

from ecoute.lib.email_url import smtp_mailer


class _Handler:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.connections = 0
        # Address → the reply given to RCPT TO for it ("550 5.1.1 No such user"), to refuse it.
        self.refusals: dict[str, str] = {}
        # Address → the reply given to the end of the data of a message to it, to refuse it then.
        self.data_refusals: dict[str, str] = {}
        # (command, how many of it so far) → what to do on receiving it, before answering.
        self.actions: dict[tuple[str, int], Callable[[], None]] = {}
        self.received = {"RCPT": 0, "DATA": 0}

    def _on(self, command: str) -> None:
        self.received[command] += 1
        if action := self.actions.pop((command, self.received[command]), None):
            action()

    async def handle_EHLO(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        self.connections += 1
        return responses

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        self._on("RCPT")
        if refusal := self.refusals.get(address.lower()):
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook name
        if refusal := self.data_refusals.get(envelope.rcpt_tos[0].lower()):
            return refusal
        message = message_from_bytes(envelope.content)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        self._on("DATA")
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SmtpSink:
    host = "127.0.0.1"

    def __init__(self) -> None:
        self.port = _free_port()
        self._handler = _Handler()
        self._controller = Controller(self._handler, hostname=self.host, port=self.port)

    @property
    def messages(self) -> list[Message]:
        return self._handler.messages

    @property
    def connections(self) -> int:
        """How many connections said EHLO: one per batch a sender sends."""
        return self._handler.connections

    def mailer(self) -> dict[str, Any]:
        """The MAILERS entry of Django's SMTP backend sending here."""
        return smtp_mailer(self.host, self.port)

    def refuse(self, address: str, reply: str) -> None:
        """Answer `reply` to RCPT TO:<address> from now on."""
        self._handler.refusals[address.lower()] = reply

    def refuse_data(self, address: str, reply: str) -> None:
        """Answer `reply` to the final dot of every message to `address` from now on."""
        self._handler.data_refusals[address.lower()] = reply

    def before_answering(self, command: Literal["RCPT", "DATA"], number: int, action: Callable[[], None]) -> None:
        """Call `action` once the server has received its `number`-th recipient (RCPT) or the end of its
        `number`-th accepted message (DATA, the message kept), before it answers."""
        self._handler.actions[(command, number)] = action

    def __enter__(self) -> Self:
        self._controller.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._controller.stop()
