"""The checks of a person's assignment, in one place for every way of assigning.

The supervisor's board, the ticket page's assignee field, the API (ticket update and assign)
and the queues' bulk assign all go through ``ticket_update`` / ``ticket_assign`` /
``tickets_bulk_update``, which call ``assignment_check`` before writing:

* outside the ticket's team → refused (400) by the ticket services' membership check, which
  runs first (``_resolve_assignee``);
* over capacity (the agent's open tickets plus those being given, against
  ``AgentProfile.capacity``) → refused (409, ``assignment_refused``);
* off shift, or not *available* → refused with ``AssignmentNeedsConfirmation`` (409,
  ``needs_confirmation``, the warnings in ``details``) unless the caller confirmed
  ("Assign anyway").

Capacity, shifts and status belong to agent profiles: a person without one (a supervisor who
takes no routed work) is only checked for membership. Automation (``actor=None``, routing has
its own checks under lock) and taking a ticket oneself ("Assign to me", "Take over") are not
checked. The assignee's profile row is locked (``SELECT … FOR UPDATE``) before counting, the
lock auto-assignment takes too, so the capacity check holds under concurrency.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from supportdesk.errors import ApplicationError, Conflict
from teams.models import AgentProfile, User
from teams.shifts import is_on_shift
from tickets.lifecycle import interpolate_lazy
from tickets.models import Ticket
from tickets.models.core import OPEN_STATUS_VALUES


class AssignmentNeedsConfirmation(Conflict):
    """The assignee is off shift or not available: the person must confirm (HTTP 409)."""

    code = "needs_confirmation"


def assignment_problems(
    *, assignee: User, adding: int, now: datetime, lock: bool = False
) -> tuple[list[tuple[int, Any]], list[Any]]:
    """(refusals as (status, message), warnings) for giving ``adding`` more open tickets to
    ``assignee``; with ``lock``, the assignee's profile is locked first. Membership of the
    tickets' teams is checked by the ticket services before (``_resolve_assignee``)."""
    refusals: list[tuple[int, Any]] = []
    warnings: list[Any] = []
    name = assignee.full_name or assignee.email
    profiles = AgentProfile.objects.filter(pk=assignee.pk)
    profile = (profiles.select_for_update() if lock else profiles).first()
    if profile is None:
        return refusals, warnings
    held = Ticket.objects.filter(assignee=assignee, status__in=OPEN_STATUS_VALUES).count()
    if adding and held + adding > profile.capacity:
        refusals.append(
            (
                409,
                interpolate_lazy(
                    _(
                        "%(name)s would hold %(count)s open tickets, over their capacity of "
                        "%(capacity)s."
                    ),
                    name=name,
                    count=held + adding,
                    capacity=profile.capacity,
                ),
            )
        )
    if not is_on_shift(assignee, now):
        warnings.append(interpolate_lazy(_("%(name)s is off shift now."), name=name))
    if profile.status != AgentProfile.Status.AVAILABLE:
        warnings.append(
            interpolate_lazy(
                _("%(name)s is %(status)s."), name=name, status=profile.get_status_display()
            )
        )
    return refusals, warnings


def assignment_check(
    *,
    actor: User | None,
    assignee: User,
    tickets: Iterable[Ticket],
    confirmed: bool = False,
    now: datetime | None = None,
) -> None:
    """Refuse (``ApplicationError``) or ask for confirmation (``AssignmentNeedsConfirmation``)
    before ``actor`` gives the (locked, not yet changed) ``tickets`` to ``assignee``; see the module
    docstring. Call it inside the assignment's transaction."""
    if actor is None or assignee.pk == actor.pk:
        return
    tickets = [ticket for ticket in tickets if ticket.assignee_id != assignee.pk]
    if not tickets:
        return
    adding = sum(1 for ticket in tickets if ticket.status in OPEN_STATUS_VALUES)
    refusals, warnings = assignment_problems(
        assignee=assignee,
        adding=adding,
        now=now or timezone.now(),
        lock=True,
    )
    if refusals:
        raise ApplicationError(
            " ".join(str(message) for _status, message in refusals),
            code="assignment_refused",
            status=refusals[0][0],
            details={"field": "assignee"},
        )
    if warnings and not confirmed:
        raise AssignmentNeedsConfirmation(
            " ".join(str(item) for item in warnings) + " " + str(_("Assign anyway?")),
            details={"field": "assignee", "warnings": [str(item) for item in warnings]},
        )
