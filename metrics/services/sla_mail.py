"""E-mail for SLA warnings and breaches (sent by a Celery task after the sweep commits)."""

from __future__ import annotations

import logging

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from metrics.models import SlaClockEvent
from teams.models import TeamMembership, User

logger = logging.getLogger(__name__)


def sla_events_email(*, event_ids: list[int]) -> int:
    """Send one e-mail per warning/breach event to the ticket's assignee, its team's
    supervisors and (breaches only) the policy's internal-team address.

    Each event is claimed with ``UPDATE … SET emailed_at WHERE emailed_at IS NULL`` before its
    mail goes out, so a redelivered task sends nothing twice (at most once: a crash between the
    claim and the SMTP call loses that mail, which the in-app notification still covers).
    Returns the number of e-mails sent.
    """
    sent = 0
    events = (
        SlaClockEvent.objects.filter(
            pk__in=event_ids,
            emailed_at__isnull=True,
            kind__in=(SlaClockEvent.Kind.WARNING, SlaClockEvent.Kind.BREACHED),
        )
        .select_related("clock__ticket", "clock__policy")
        .order_by("pk")
    )
    for event in events:
        with transaction.atomic():
            claimed = SlaClockEvent.objects.filter(pk=event.pk, emailed_at__isnull=True).update(
                emailed_at=timezone.now()
            )
        if not claimed:
            continue
        ticket = event.clock.ticket
        users = list(
            User.objects.filter(
                is_active=True,
                memberships__team_id=ticket.team_id,
                memberships__role=TeamMembership.Role.SUPERVISOR,
            ).values_list("email", "language")
        )
        if ticket.assignee_id:
            assignee = User.objects.filter(pk=ticket.assignee_id, is_active=True)
            users += list(assignee.values_list("email", "language"))
        recipients = {email: language for email, language in users}
        if event.kind == SlaClockEvent.Kind.BREACHED and event.clock.policy.notify_email:
            recipients.setdefault(event.clock.policy.notify_email, "en")
        for email, language in sorted(recipients.items()):
            with translation.override(language or "en"):
                metric = event.clock.get_metric_display()
                subject = (
                    _("[SLA breached] %(reference)s %(metric)s")
                    if event.kind == SlaClockEvent.Kind.BREACHED
                    else _("[SLA at risk] %(reference)s %(metric)s")
                ) % {"reference": ticket.reference, "metric": metric}
                body = _(
                    "Ticket %(reference)s “%(subject)s”: the %(metric)s target is due at "
                    "%(due)s (UTC)."
                ) % {
                    "reference": ticket.reference,
                    "subject": ticket.subject,
                    "metric": metric,
                    "due": event.due_at.strftime("%Y-%m-%d %H:%M") if event.due_at else "—",
                }
            send_mail(subject, body, None, [email])
            sent += 1
    logger.info("sla.emails_sent", extra={"count": sent})
    return sent
