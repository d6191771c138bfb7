"""The ticket page's *Emails to the client* panel: what was mailed, what is still queued and
why a mail failed, with a button to send a failed one again now. Loaded by htmx, so the ticket
page itself keeps its fixed number of queries."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_POST

from teams import access
from tickets.mail.outbound import outbound_email_enqueue
from tickets.models import OutboundEmail
from tickets.selectors import ticket as selectors

PANEL_ROWS = 20


@login_required
@require_GET
def ticket_emails(request: HttpRequest, ticket_id: int) -> HttpResponse:
    access.require(access.is_staff_member(request.user))
    ticket = selectors.ticket_for_action(user=request.user, ticket_id=ticket_id)
    emails = list(
        OutboundEmail.objects.filter(ticket=ticket)
        .only(
            "id",
            "kind",
            "subject",
            "to_address",
            "status",
            "attempts",
            "last_error",
            "created_at",
            "sent_at",
            "ticket_id",
        )
        .order_by("-created_at", "-id")[:PANEL_ROWS]
    )
    return render(
        request,
        "tickets/partials/ticket_emails.html",
        {
            "ticket": ticket,
            "emails": emails,
            "can_work": access.can_work_on_team(request.user, ticket.team_id),
        },
    )


@login_required
@require_POST
def ticket_email_resend(request: HttpRequest, ticket_id: int, email_id: int) -> HttpResponse:
    """Queue a failed or stuck mail again now (sending stays idempotent)."""
    access.require(access.is_staff_member(request.user))
    ticket = selectors.ticket_for_action(user=request.user, ticket_id=ticket_id)
    access.require(access.can_work_on_team(request.user, ticket.team_id))
    email = OutboundEmail.objects.filter(ticket=ticket, pk=email_id).first()
    if email is None:
        raise Http404
    if email.status != OutboundEmail.Status.SENT:
        outbound_email_enqueue(email_id=email.pk)
    return redirect("tickets:detail", ticket.pk)


urlpatterns = [
    path("<int:ticket_id>/emails/", ticket_emails, name="ticket_emails"),
    path(
        "<int:ticket_id>/emails/<int:email_id>/resend/",
        ticket_email_resend,
        name="ticket_email_resend",
    ),
]
