"""Fixtures of the outbound-mail tests: a real SMTP server on loopback (aiosmtpd) that keeps
what it receives, with Django's SMTP backend pointed at it."""

from __future__ import annotations

import email
import socket
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

# This engineer's port range on shared machines (8130-8139); the first free one is used.
PORTS = range(8130, 8140)


def free_port() -> int:
    for port in PORTS:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 8130-8139")


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.raw, policy=policy.default)


@dataclass
class Inbox:
    """What the loopback server received, and its controller (``stop``/``start``)."""

    controller: Controller
    port: int
    received: list[Received] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's API
        self.received.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.original_content))
        )
        return "250 Message accepted for delivery"

    def stop(self) -> None:
        """SMTP down: the port refuses connections."""
        self.controller.stop()

    def start(self) -> None:
        """SMTP back on the same port (a fresh controller: a stopped one cannot restart)."""
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def messages(self) -> list[EmailMessage]:
        return [item.message for item in self.received]


@pytest.fixture
def smtp_server(settings):
    """A running aiosmtpd server on 127.0.0.1 and Django's SMTP backend pointed at it."""
    port = free_port()
    inbox = Inbox(controller=None, port=port)  # type: ignore[arg-type]
    inbox.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield inbox
    try:
        inbox.controller.stop()
    except (AssertionError, RuntimeError):
        pass
