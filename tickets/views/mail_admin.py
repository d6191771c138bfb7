"""Inbound email pages: administrators configure IMAP mailboxes and work the quarantine (list,
reason, raw source escaped, retry); agents move a misfiled message to another ticket.

Mailboxes and the quarantine: ``access.can_configure_desk`` (403 otherwise). Moving a message:
the ticket through the user's scope (404 outside it), the target through the same scope, and
the service checks that the user works both teams (403).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from supportdesk.errors import ApplicationError
from supportdesk.forms import submit_form
from teams import access
from teams.models import Team
from tickets.models import Category, InboundEmail, Mailbox, Message
from tickets.selectors import inbound as selectors
from tickets.services import inbound as services
from tickets.views.ticket import _back, _other_ticket, _refused, _ticket

PAGE_SIZE = 50


def _require_admin(request: HttpRequest) -> None:
    access.require(access.can_configure_desk(request.user))


# --- Mailboxes ---------------------------------------------------------------------------------


class MailboxForm(forms.Form):
    """The settings of an IMAP mailbox as typed; the service checks them again."""

    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    email_address = forms.EmailField(label=gettext_lazy("Support address"))
    host = forms.CharField(label=gettext_lazy("IMAP server"), max_length=255)
    port = forms.IntegerField(label=gettext_lazy("Port"), min_value=1, max_value=65535)
    use_ssl = forms.BooleanField(label=gettext_lazy("TLS (IMAPS)"), required=False)
    username = forms.CharField(label=gettext_lazy("User name"), max_length=255)
    password = forms.CharField(
        label=gettext_lazy("Password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=gettext_lazy("Stored encrypted. Leave empty to keep the current password."),
    )
    folder = forms.CharField(label=gettext_lazy("Folder"), max_length=255, initial="INBOX")
    team = forms.ModelChoiceField(label=gettext_lazy("Team for new tickets"), queryset=None)
    category = forms.ModelChoiceField(label=gettext_lazy("Category for new tickets"), queryset=None)
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.order_by("name")
        self.fields["category"].queryset = Category.objects.filter(is_active=True)


def _mailbox_initial(mailbox: Mailbox) -> dict[str, Any]:
    return {
        "name": mailbox.name,
        "email_address": mailbox.email_address,
        "host": mailbox.host,
        "port": mailbox.port,
        "use_ssl": mailbox.use_ssl,
        "username": mailbox.username,
        "folder": mailbox.folder,
        "team": mailbox.team_id,
        "category": mailbox.category_id,
        "is_active": mailbox.is_active,
    }


@login_required
@require_GET
def mailbox_list(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    return render(
        request,
        "tickets/mail/mailbox_list.html",
        {"mailboxes": list(selectors.mailbox_list()), "counts": selectors.inbound_email_counts()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def mailbox_edit(request: HttpRequest, mailbox_id: int | None = None) -> HttpResponse:
    _require_admin(request)
    mailbox = None
    if mailbox_id is not None:
        mailbox = Mailbox.objects.filter(pk=mailbox_id).first()
        if mailbox is None:
            raise Http404
    initial = _mailbox_initial(mailbox) if mailbox else {"port": 993, "use_ssl": True}
    form = MailboxForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        saved, status = submit_form(
            form,
            lambda data: services.mailbox_save(actor=request.user, mailbox=mailbox, **data),
        )
        if saved is not None:
            messages.success(request, _("Mailbox “%(name)s” saved.") % {"name": saved.name})
            return redirect("tickets:mailbox_list")
    return render(
        request,
        "tickets/mail/mailbox_form.html",
        {"form": form, "mailbox": mailbox},
        status=status,
    )


# --- The quarantine and every received email ---------------------------------------------------


@login_required
@require_GET
def inbound_list(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    outcome = request.GET.get("outcome", InboundEmail.Outcome.QUARANTINED)
    if outcome not in InboundEmail.Outcome.values and outcome != "all":
        outcome = InboundEmail.Outcome.QUARANTINED
    queryset = selectors.inbound_email_list(outcome="" if outcome == "all" else outcome)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = selectors.inbound_email_counts()
    return render(
        request,
        "tickets/mail/inbound_list.html",
        {
            "page": page,
            "rows": list(page.object_list),
            "outcome": outcome,
            "outcome_tabs": [
                (value, label, counts.get(value, 0))
                for value, label in InboundEmail.Outcome.choices
                if value != InboundEmail.Outcome.PENDING
            ],
        },
    )


@login_required
@require_GET
def inbound_detail(request: HttpRequest, email_id: int) -> HttpResponse:
    _require_admin(request)
    try:
        email = selectors.inbound_email_detail(email_id=email_id)
    except InboundEmail.DoesNotExist as error:
        raise Http404 from error
    raw, truncated = selectors.raw_source_text(email)
    return render(
        request,
        "tickets/mail/inbound_detail.html",
        {
            "email": email,
            "raw": raw,
            "raw_truncated": truncated,
            "reasons": selectors.explanation_of(email),
        },
    )


@login_required
@require_POST
def inbound_retry(request: HttpRequest, email_id: int) -> HttpResponse:
    _require_admin(request)
    email = InboundEmail.objects.filter(pk=email_id).first()
    if email is None:
        raise Http404
    try:
        result = services.inbound_email_retry(actor=request.user, email=email)
    except ApplicationError as error:
        messages.error(request, str(error.message))
        return redirect("tickets:inbound_detail", email_id=email_id)
    if result.outcome == InboundEmail.Outcome.QUARANTINED:
        messages.error(request, _("Still quarantined: %(reason)s") % {"reason": result.reason})
    else:
        messages.success(
            request,
            _("Email processed again: %(outcome)s %(ticket)s.")
            % {
                "outcome": InboundEmail.Outcome(result.outcome).label,
                "ticket": result.ticket or "",
            },
        )
    return redirect("tickets:inbound_detail", email_id=email_id)


# --- Moving a misfiled message (agents, from the ticket page) ----------------------------------


@login_required
@require_POST
def message_move(request: HttpRequest, ticket_id: int, message_id: int) -> HttpResponse:
    ticket = _ticket(request, ticket_id)
    message = Message.objects.filter(pk=message_id, ticket=ticket).first()
    if message is None:
        raise Http404
    reference = request.POST.get("reference", "")
    values = {"move_message": message.pk, "move_reference": reference}
    try:
        target = _other_ticket(request, reference)
        services.message_move(actor=request.user, message=message, target=target)
    except ApplicationError as error:
        return _refused(request, ticket_id, error, form="move", values=values)
    messages.success(
        request,
        _("The message was moved to %(reference)s.") % {"reference": target.reference},
    )
    return _back(target, f"message-{message.pk}")


urlpatterns = [
    path("mail/mailboxes/", mailbox_list, name="mailbox_list"),
    path("mail/mailboxes/new/", mailbox_edit, name="mailbox_create"),
    path("mail/mailboxes/<int:mailbox_id>/", mailbox_edit, name="mailbox_edit"),
    path("mail/inbound/", inbound_list, name="inbound_list"),
    path("mail/inbound/<int:email_id>/", inbound_detail, name="inbound_detail"),
    path("mail/inbound/<int:email_id>/retry/", inbound_retry, name="inbound_retry"),
    path("<int:ticket_id>/messages/<int:message_id>/move/", message_move, name="message_move"),
]
