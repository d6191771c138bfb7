"""Routing tasks: auto-assign a new ticket, and the sweep that retries waiting tickets and
redistributes the tickets of agents who went away."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import OperationalError, transaction

from tickets import hooks
from tickets.services import routing as services

logger = logging.getLogger(__name__)


@shared_task(
    name="tickets.routing_auto_assign",
    ignore_result=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def ticket_auto_assign_task(ticket_id: int, apply_rules: bool = False) -> str:
    """Route and assign one ticket (idempotent: an assigned ticket is skipped)."""
    return services.ticket_auto_assign(ticket_id=ticket_id, apply_rules=apply_rules).result


@shared_task(
    name="tickets.routing_sweep",
    ignore_result=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    expires=90,
)
def routing_sweep_task(limit: int = 500) -> int:
    """Every minute: release the tickets of away agents in redistributing teams, then try to
    assign every waiting ticket again. Returns how many were assigned."""
    released = services.agent_tickets_release_when_away()
    assigned = 0
    for ticket_id in [*released, *services.tickets_waiting_ids(limit=limit)]:
        outcome = services.ticket_auto_assign(ticket_id=ticket_id)
        assigned += outcome.result == "assigned"
    return assigned


def _enqueue(ticket_id: int, apply_rules: bool) -> None:
    try:
        ticket_auto_assign_task.delay(ticket_id, apply_rules)
    except Exception:  # noqa: BLE001 - a broker outage must not fail the request; the sweep retries
        logger.exception("routing.enqueue_failed", extra={"ticket_id": ticket_id})


def queue_auto_assignment(change: hooks.TicketChange) -> None:
    """``tickets.hooks`` listener: a new, unassigned ticket is queued for auto-assignment once
    its transaction commits. Tickets from clients and email (no actor) are routed by the rules
    first; a ticket staff created in a team stays in that team."""
    if not change.created or change.ticket.assignee_id is not None:
        return
    ticket_id, apply_rules = change.ticket.pk, change.actor is None
    transaction.on_commit(lambda: _enqueue(ticket_id, apply_rules))
