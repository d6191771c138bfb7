"""The one extension point through which other apps follow ticket changes.

``tickets`` never imports ``metrics`` (apps depend one way: teams ← tickets ← metrics). Where a
ticket change must move something another app owns — SLA clocks above all — that app registers a
listener at start-up (in its ``AppConfig.ready``) and every write service in
``tickets.services`` announces each change it makes, **inside its transaction**, after the
ticket, its events and its messages are written. A listener that raises rolls the whole operation
back, so the ticket and whatever the listener keeps can never disagree.

Listeners must be fast and must not call back into ticket write services.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from teams.models import User
    from tickets.models import Message, Ticket


@dataclass(frozen=True)
class TicketChange:
    """One operation's changes to one ticket, as recorded in its audit trail.

    ``events`` are the ``(action, field, old value, new value)`` tuples just written as
    ``TicketEvent`` rows (vocabulary in ``tickets.services.tickets``; statuses by code);
    ``messages`` the messages the operation added to this ticket; ``created`` is true when the
    operation created the ticket. ``ticket`` holds the saved, current field values.
    """

    ticket: Ticket
    actor: User | None
    source: str
    at: datetime
    events: tuple[tuple[str, str, str, str], ...] = ()
    messages: tuple[Message, ...] = field(default_factory=tuple)
    created: bool = False

    def actions(self) -> set[str]:
        return {action for action, *_ in self.events}

    def status_change(self) -> tuple[str, str] | None:
        """``(old, new)`` status codes when the status changed, else ``None``."""
        for _action, field_name, old, new in self.events:
            if field_name == "status":
                return old, new
        return None


TicketListener = Callable[[TicketChange], None]
BatchListener = Callable[[Sequence[TicketChange]], None]
_listeners: list[tuple[TicketListener, BatchListener | None]] = []


def register(listener: TicketListener, *, many: BatchListener | None = None) -> None:
    """Call ``listener`` for every ticket change (idempotent: registering twice is once).

    ``many``, when given, handles the changes of one bulk operation in one call (so that a bulk
    edit of 50 tickets costs the listener a fixed number of queries, not 50 times as many).
    """
    unregister(listener)
    _listeners.append((listener, many))


def unregister(listener: TicketListener) -> None:
    _listeners[:] = [entry for entry in _listeners if entry[0] != listener]


def announce(change: TicketChange) -> None:
    """Tell every listener about ``change`` (called by the write services only)."""
    for listener, _many in tuple(_listeners):
        listener(change)


def announce_many(changes: Sequence[TicketChange]) -> None:
    """Tell every listener about the changes of one bulk operation (in ticket order)."""
    if not changes:
        return
    for listener, many in tuple(_listeners):
        if many is not None:
            many(changes)
        else:
            for change in changes:
                listener(change)
