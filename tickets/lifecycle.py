"""The ticket lifecycle: the one place that says which status may follow which.

::

    New ──► Open ◄──► Pending client / Pending internal / On hold
     │        │                │
     └────────┴────────────────┴──► Resolved ──► Closed (read-only, final)
                                      │
                                      └──► Open (reopened)

Rules
-----
* Every status before Resolved counts as *open* (``OPEN_STATUSES``); the three waiting statuses
  (``WAITING_STATUSES``) may follow one another directly, and Open may follow any of them.
* New is only ever the first status: nothing moves back to New.
* Any open status may be resolved; resolving needs a resolution code and summary (enforced by
  ``tickets.services.tickets.ticket_transition`` and a database constraint).
* A Resolved ticket is either reopened (back to Open) or closed. A ticket is never closed without
  being resolved first — except a duplicate folded into another ticket by
  ``tickets.services.tickets.ticket_merge``, which closes it directly (see ``MERGEABLE_STATUSES``).
* Closed is final and read-only: every change to a Closed ticket is refused
  (``TicketReadOnly``); a client writing to it gets a new, linked ticket instead.

Refusals
--------
``IllegalTransition`` and ``TicketReadOnly`` are ``ApplicationError`` with HTTP status **409
Conflict**: the request is well formed but conflicts with the ticket's *current* state (the same
request is legal for a ticket in another status). Their codes (``illegal_transition``,
``read_only``) distinguish them from a stale save (``stale``, also 409). A status code that does
not exist at all is bad input instead: ``IllegalTransition`` with status 400 and code
``unknown_status``. Messages are translatable and are rendered in the language active when they
are displayed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from supportdesk.errors import ApplicationError
from tickets.models import Ticket

Status = Ticket.Status

OPEN_STATUSES: frozenset[str] = frozenset(Ticket.OPEN_STATUSES)
WAITING_STATUSES: frozenset[str] = frozenset(
    {Status.PENDING_CLIENT, Status.PENDING_INTERNAL, Status.ON_HOLD}
)
READ_ONLY_STATUSES: frozenset[str] = frozenset({Status.CLOSED})
# Statuses a duplicate may have when it is merged (and thereby closed) into another ticket.
MERGEABLE_STATUSES: frozenset[str] = OPEN_STATUSES | {Status.RESOLVED}

TRANSITIONS: Mapping[str, frozenset[str]] = {
    Status.NEW: frozenset(
        {
            Status.OPEN,
            Status.PENDING_CLIENT,
            Status.PENDING_INTERNAL,
            Status.ON_HOLD,
            Status.RESOLVED,
        }
    ),
    Status.OPEN: WAITING_STATUSES | {Status.RESOLVED},
    Status.PENDING_CLIENT: frozenset(
        {Status.OPEN, Status.PENDING_INTERNAL, Status.ON_HOLD, Status.RESOLVED}
    ),
    Status.PENDING_INTERNAL: frozenset(
        {Status.OPEN, Status.PENDING_CLIENT, Status.ON_HOLD, Status.RESOLVED}
    ),
    Status.ON_HOLD: frozenset(
        {Status.OPEN, Status.PENDING_CLIENT, Status.PENDING_INTERNAL, Status.RESOLVED}
    ),
    Status.RESOLVED: frozenset({Status.OPEN, Status.CLOSED}),
    Status.CLOSED: frozenset(),
}


def interpolate_lazy(message: Any, **params: Any) -> Any:
    """``message % params``, evaluated only when displayed, so that both the sentence and the
    (lazy) values in it come out in the language active at that moment."""

    def render() -> str:
        return str(message) % {name: str(value) for name, value in params.items()}

    return lazy(render, str)()


def status_label(status: str) -> Any:
    """The translatable name of a status (``"pending_client"`` → “Pending client”)."""
    try:
        return Status(status).label
    except ValueError:
        return status


class IllegalTransition(ApplicationError):
    """The ticket cannot move from its current status to the requested one (HTTP 409)."""

    status = 409
    code = "illegal_transition"


class TicketReadOnly(ApplicationError):
    """The ticket is Closed and can no longer be changed (HTTP 409)."""

    status = 409
    code = "read_only"

    def __init__(self, message: Any = None, **kwargs: Any) -> None:
        super().__init__(
            message or _("This ticket is closed and can no longer be changed."), **kwargs
        )


def allowed_transitions(status: str) -> frozenset[str]:
    """The statuses a ticket in ``status`` may move to (empty for Closed or an unknown code)."""
    return TRANSITIONS.get(status, frozenset())


def can_transition(from_status: str, to_status: str) -> bool:
    return to_status in allowed_transitions(from_status)


def check_transition(from_status: str, to_status: str) -> None:
    """Raise ``IllegalTransition`` unless a ticket may move from ``from_status`` to ``to_status``.

    The message names both statuses (“A ticket that is Closed cannot be moved to Open.”).
    """
    if to_status not in TRANSITIONS:
        raise IllegalTransition(
            interpolate_lazy(_("“%(status)s” is not a ticket status."), status=to_status),
            code="unknown_status",
            status=400,
            details={"from": from_status, "to": to_status},
        )
    if from_status == to_status:
        raise IllegalTransition(
            interpolate_lazy(
                _("The ticket is already %(status)s."), status=status_label(from_status)
            ),
            details={"from": from_status, "to": to_status},
        )
    if not can_transition(from_status, to_status):
        raise IllegalTransition(
            interpolate_lazy(
                _("A ticket that is %(from_status)s cannot be moved to %(to_status)s."),
                from_status=status_label(from_status),
                to_status=status_label(to_status),
            ),
            details={"from": from_status, "to": to_status},
        )


def is_open(status: str) -> bool:
    """Whether a ticket in ``status`` is still being worked (before Resolved)."""
    return status in OPEN_STATUSES


def is_read_only(status: str) -> bool:
    """Whether a ticket in ``status`` refuses every change (Closed)."""
    return status in READ_ONLY_STATUSES


def require_writable(status: str) -> None:
    """Raise ``TicketReadOnly`` for a Closed ticket."""
    if is_read_only(status):
        raise TicketReadOnly


def event_action(from_status: str, to_status: str) -> str:
    """The ``TicketEvent.action`` recording a move: *resolved*, *closed*, *reopened* (Resolved →
    Open) or *status_changed*."""
    if to_status == Status.RESOLVED:
        return "resolved"
    if to_status == Status.CLOSED:
        return "closed"
    if from_status == Status.RESOLVED and to_status == Status.OPEN:
        return "reopened"
    return "status_changed"
