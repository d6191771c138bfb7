"""Escalations: to the team's supervisors (tier 2) or to an internal team, and back.

* ``escalation_open`` (reached through ``tickets.services.tickets.ticket_escalate``) raises the
  escalation level, writes the reason as an internal note and an ``Escalation`` record. Tier 2
  notifies the team's supervisors; an internal team gets the hand-off by email (on commit) and
  the ticket waits in *Pending internal*.
* ``escalation_record_answer``: the internal team's answer, as an internal note; the ticket
  goes back to *Open* once no other internal team is still working on it.
* ``escalation_de_escalate``: closes the escalation, lowers the level and returns the ticket to
  the agent who held it when it was escalated (tier 2: supervisors only).
* ``escalation_set_update_interval``: how often the client must hear from the desk while the
  escalation is open (supervisors of the team; enforced by the SLA metrics).

Events: *escalated* (field escalation_level), *handed_off* (field internal_team, new value the
team's name), *escalation_answered* (same field), *de_escalated* (field escalation_level),
*update_interval* (field escalation, the interval in minutes).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from supportdesk.errors import ApplicationError, Conflict, NotAllowed
from teams import access
from teams.models import TeamMembership, User
from tickets import lifecycle
from tickets.lifecycle import interpolate_lazy
from tickets.models import Escalation, InternalTeam, Message, Notification, Ticket
from tickets.rendering import render_message_html
from tickets.services.jira import jira_escalation_queue
from tickets.services.tickets import (
    _clean_body,
    _clean_source,
    _excerpt,
    _guess_language,
    _lock,
    _Plan,
    _save,
    _writable,
)

logger = logging.getLogger(__name__)

JIRA_PROJECT_KEY = re.compile(r"[A-Z][A-Z0-9_]{1,9}")
MIN_UPDATE_INTERVAL = 15
MAX_UPDATE_INTERVAL = 7 * 24 * 60

Status = Ticket.Status


def _note(plan: _Plan, *, actor: User, body: str, now: Any) -> None:
    note = Message.objects.create(
        ticket=plan.ticket,
        kind=Message.Kind.NOTE,
        author=actor,
        body=body,
        body_html=render_message_html(body),
        language=_guess_language(body),
        channel=Ticket.Channel.WEB,
        created_at=now,
    )
    plan.messages.append(note)


def _resolve_internal_team(value: Any) -> InternalTeam | None:
    if value is None or value == "":
        return None
    if isinstance(value, InternalTeam):
        value = value.pk
    team = (
        InternalTeam.objects.filter(pk=value, is_active=True).first()
        if str(value).isdigit()
        else None
    )
    if team is None:
        raise ApplicationError(
            _("Unknown internal team: choose one from the list."),
            details={"field": "internal_team"},
        )
    return team


def _hand_off_email(escalation: Escalation, ticket: Ticket) -> None:
    send_mail(
        subject=f"[{ticket.reference}] Escalated to {escalation.internal_team.name}: "
        f"{ticket.subject}",
        message=(
            f"{ticket.reference} ({ticket.team.name}) needs {escalation.internal_team.name}.\n\n"
            f"Reason:\n{escalation.reason}\n"
        ),
        from_email=None,
        recipient_list=[escalation.internal_team.contact_email],
        fail_silently=True,
    )


@transaction.atomic
def escalation_open(
    *,
    actor: User | None,
    ticket: Ticket,
    reason: str,
    internal_team: InternalTeam | int | str | None = None,
    source: str = "web",
) -> Ticket:
    """Escalate ``ticket`` to the supervisors (``internal_team`` empty) or to an internal team.

    Refused: a second open tier-2 escalation, or a second open one to the same internal team
    (409); an unknown or inactive internal team (400); no reason (400).
    """
    source = _clean_source(source)
    reason = _clean_body(reason, "reason")
    target = _resolve_internal_team(internal_team)
    ticket = _lock(ticket)
    _writable(ticket, actor)
    now = timezone.now()
    open_escalations = Escalation.objects.filter(ticket=ticket, de_escalated_at__isnull=True)
    if target is None and open_escalations.filter(level=Escalation.Level.TIER2).exists():
        raise Conflict(_("This ticket is already waiting for the team's supervisors."))
    if target is not None and open_escalations.filter(internal_team=target).exists():
        raise Conflict(
            interpolate_lazy(_("This ticket is already with %(team)s."), team=target.name)
        )
    plan = _Plan(ticket)
    level = ticket.escalation_level
    plan.set("escalation_level", level + 1, action="escalated")
    if actor is not None:
        _note(plan, actor=actor, body=reason, now=now)
    escalation = Escalation.objects.create(
        ticket=ticket,
        level=Escalation.Level.INTERNAL if target else Escalation.Level.TIER2,
        internal_team=target,
        reason=reason,
        escalated_by=actor,
        escalated_at=now,
        returned_to=ticket.assignee,
        handed_off_at=now if target else None,
    )
    if target is None:
        supervisors = User.objects.filter(
            is_active=True,
            memberships__team_id=ticket.team_id,
            memberships__role=TeamMembership.Role.SUPERVISOR,
        )
        if actor is not None:
            supervisors = supervisors.exclude(pk=actor.pk)
        plan.notifications.extend(
            Notification(
                recipient=supervisor,
                kind=Notification.Kind.ESCALATION,
                ticket=ticket,
                actor=actor,
                text=_excerpt(reason),
            )
            for supervisor in supervisors.order_by("pk")
        )
    else:
        plan.event("handed_off", "internal_team", "", target.name)
        if ticket.status != Status.PENDING_INTERNAL and lifecycle.can_transition(
            ticket.status, Status.PENDING_INTERNAL
        ):
            plan.set(
                "status",
                Status.PENDING_INTERNAL,
                action=lifecycle.event_action(ticket.status, Status.PENDING_INTERNAL),
            )
        transaction.on_commit(lambda: _hand_off_email(escalation, ticket))
        jira_escalation_queue(escalation)
    logger.info(
        "ticket.escalated",
        extra={
            "ticket_id": ticket.pk,
            "level": level + 1,
            "internal_team": getattr(target, "pk", None),
        },
    )
    return _save(plan, actor=actor, source=source, now=now)


def _lock_escalation(escalation: Escalation | int) -> tuple[Escalation, Ticket]:
    pk = escalation.pk if isinstance(escalation, Escalation) else escalation
    found = Escalation.objects.select_related("internal_team").filter(pk=pk).first()
    if found is None:
        raise ApplicationError(_("This escalation no longer exists."), status=404)
    ticket = _lock(found.ticket)
    found = (
        Escalation.objects.select_for_update(of=("self",))
        .select_related("internal_team", "returned_to")
        .get(pk=pk)
    )
    return found, ticket


@transaction.atomic
def escalation_record_answer(
    *, actor: User | None, escalation: Escalation | int, answer: str, source: str = "web"
) -> Escalation:
    """Record the internal team's answer (an internal note on the ticket). The ticket returns
    to *Open* when no other internal team is still working on it. ``actor=None``: automation
    (Jira's webhook); the answer is kept on the escalation and its audit event, without a note
    (a note needs an author)."""
    source = _clean_source(source)
    answer = _clean_body(answer, "answer")
    escalation, ticket = _lock_escalation(escalation)
    _writable(ticket, actor)
    if escalation.level != Escalation.Level.INTERNAL:
        raise ApplicationError(_("Only an internal team's escalation has an answer."))
    if escalation.answered_at is not None or not escalation.is_open:
        raise Conflict(_("This escalation already has its answer."))
    now = timezone.now()
    escalation.answer = answer
    escalation.answered_at = now
    escalation.answered_by = actor
    escalation.save(update_fields=["answer", "answered_at", "answered_by"])
    plan = _Plan(ticket)
    if actor is not None:
        _note(plan, actor=actor, body=answer, now=now)
    plan.event("escalation_answered", "internal_team", "", escalation.internal_team.name)
    still_waiting = Escalation.objects.filter(
        ticket=ticket,
        level=Escalation.Level.INTERNAL,
        de_escalated_at__isnull=True,
        answered_at__isnull=True,
    ).exists()
    if ticket.status == Status.PENDING_INTERNAL and not still_waiting:
        plan.set("status", Status.OPEN, action=lifecycle.event_action(ticket.status, Status.OPEN))
    _save(plan, actor=actor, source=source, now=now)
    return escalation


@transaction.atomic
def escalation_de_escalate(
    *, actor: User, escalation: Escalation | int, note: str = "", source: str = "web"
) -> Escalation:
    """Close the escalation: the level goes down by one and the ticket returns to the agent who
    held it when it was escalated (if they still belong to its team). Tier 2: the team's
    supervisors only (403 otherwise)."""
    source = _clean_source(source)
    escalation, ticket = _lock_escalation(escalation)
    _writable(ticket, actor)
    if escalation.level == Escalation.Level.TIER2 and not access.can_supervise_team(
        actor, ticket.team_id
    ):
        raise NotAllowed(_("Only the team's supervisors may de-escalate."))
    if not escalation.is_open:
        raise Conflict(_("This escalation is already closed."))
    now = timezone.now()
    escalation.de_escalated_at = now
    escalation.de_escalated_by = actor
    escalation.save(update_fields=["de_escalated_at", "de_escalated_by"])
    plan = _Plan(ticket)
    plan.set("escalation_level", max(ticket.escalation_level - 1, 0), action="de_escalated")
    note = note.strip()
    if note:
        _note(plan, actor=actor, body=_clean_body(note, "note"), now=now)
    agent = escalation.returned_to
    if (
        agent is not None
        and agent.is_active
        and ticket.assignee_id != agent.pk
        and TeamMembership.objects.filter(team_id=ticket.team_id, user=agent).exists()
    ):
        plan.set("assignee", agent, action="assigned")
        if agent.pk != actor.pk:
            plan.notifications.append(
                Notification(
                    recipient=agent,
                    kind=Notification.Kind.ASSIGNED,
                    ticket=ticket,
                    actor=actor,
                    text=_excerpt(f"{ticket.reference} {ticket.subject}"),
                )
            )
    if (
        escalation.level == Escalation.Level.INTERNAL
        and ticket.status == Status.PENDING_INTERNAL
        and not Escalation.objects.filter(
            ticket=ticket, level=Escalation.Level.INTERNAL, de_escalated_at__isnull=True
        ).exists()
    ):
        plan.set("status", Status.OPEN, action=lifecycle.event_action(ticket.status, Status.OPEN))
    _save(plan, actor=actor, source=source, now=now)
    return escalation


@transaction.atomic
def escalation_set_update_interval(
    *, actor: User, escalation: Escalation | int, minutes: Any, source: str = "web"
) -> Escalation:
    """Set how often (minutes) the client must get a progress update while the escalation is
    open; supervisors of the ticket's team only. Empty clears it."""
    source = _clean_source(source)
    escalation, ticket = _lock_escalation(escalation)
    if not access.can_supervise_team(actor, ticket.team_id):
        raise NotAllowed(_("Only the team's supervisors set the update interval."))
    lifecycle.require_writable(ticket.status)
    if minutes in (None, ""):
        value = None
    else:
        text = str(minutes).strip()
        if not text.isdigit() or not MIN_UPDATE_INTERVAL <= int(text) <= MAX_UPDATE_INTERVAL:
            raise ApplicationError(
                interpolate_lazy(
                    _("The update interval must be %(low)s to %(high)s minutes."),
                    low=MIN_UPDATE_INTERVAL,
                    high=f"{MAX_UPDATE_INTERVAL:,}",
                ),
                details={"field": "update_interval_minutes"},
            )
        value = int(text)
    if not escalation.is_open:
        raise Conflict(_("This escalation is already closed."))
    old = escalation.update_interval_minutes
    if old == value:
        return escalation
    escalation.update_interval_minutes = value
    escalation.save(update_fields=["update_interval_minutes"])
    plan = _Plan(ticket)
    plan.event("update_interval", "escalation", str(old or ""), str(value or ""))
    _save(plan, actor=actor, source=source, now=timezone.now())
    return escalation


@transaction.atomic
def internal_team_save(
    *, actor: User, internal_team: InternalTeam | None = None, data: dict[str, Any]
) -> InternalTeam:
    """Create or update an internal team (administrators only). Names are unique (409)."""
    if not access.can_configure_desk(actor):
        raise NotAllowed(_("Only administrators may change the internal teams."))
    name = str(data.get("name") or "").strip()
    email = str(data.get("contact_email") or "").strip()
    if not name:
        raise ApplicationError(_("Give the internal team a name."), details={"field": "name"})
    if not email:
        raise ApplicationError(
            _("Give the internal team a contact email."), details={"field": "contact_email"}
        )
    clash = InternalTeam.objects.filter(name__iexact=name)
    if internal_team is not None:
        clash = clash.exclude(pk=internal_team.pk)
    if clash.exists():
        raise Conflict(
            interpolate_lazy(_("An internal team named %(name)s already exists."), name=name),
            details={"field": "name"},
        )
    team = (
        InternalTeam()
        if internal_team is None
        else InternalTeam.objects.select_for_update().get(pk=internal_team.pk)
    )
    team.name = name
    team.contact_email = email
    team.description = str(data.get("description") or "").strip()
    team.is_active = bool(data.get("is_active", True))
    jira_key = str(data.get("jira_project_key") or "").strip().upper()
    if jira_key and not JIRA_PROJECT_KEY.fullmatch(jira_key):
        raise ApplicationError(
            _("A Jira project key is 2 to 10 capital letters or digits, starting with a letter."),
            details={"field": "jira_project_key"},
        )
    team.jira_project_key = jira_key
    team.jira_issue_type = str(data.get("jira_issue_type") or "").strip()[:50] or "Task"
    team.save()
    return team
