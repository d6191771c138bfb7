"""The client portal and the satisfaction survey.

Who gets in
-----------
* A signed-in client (role Client) whose email address is verified (allauth): all tickets of
  their ``tickets.Client`` record. An unverified client is asked to verify first (403 page with
  a button that sends the confirmation mail).
* Anyone following the signed, expiring link of a notification: that one ticket, for the rest
  of the browser session (the ticket id is kept in the session).
Everything else is 404 (another client's ticket looks like no ticket at all). Pages show the
public conversation only: never internal notes, teams, assignees or other staff fields.

Writes (new request, reply, close) go through ``tickets.services.portal`` (rate limited per
client, 429); a refusal re-renders the page with the message and its HTTP status.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from supportdesk.errors import ApplicationError
from teams import access
from tickets.mail import outbound_links as links
from tickets.models import Ticket
from tickets.selectors import portal as selectors
from tickets.services import portal as services

SESSION_KEY = "portal_ticket_ids"
SESSION_GRANTS_KEPT = 50
SECURE_FILE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cache-Control": "private, no-store",
}


def _granted(request: HttpRequest) -> list[int]:
    return [int(pk) for pk in request.session.get(SESSION_KEY, []) if str(pk).isdigit()]


def _grant(request: HttpRequest, ticket_id: int) -> None:
    ids = [pk for pk in _granted(request) if pk != ticket_id]
    request.session[SESSION_KEY] = [ticket_id, *ids][:SESSION_GRANTS_KEPT]


def _gate(request: HttpRequest, *, account_only: bool = False) -> HttpResponse | None:
    """Send anonymous visitors without a link to sign in, refuse staff (403) and ask an
    unverified client to verify their address (403); ``None`` when the portal may go on.
    ``account_only``: a signed link is not enough (new requests need a verified account)."""
    user = request.user
    if _granted(request) and not access.is_staff_member(user) and not account_only:
        return None
    if not user.is_authenticated:
        return redirect(f"{reverse('account_login')}?next={request.path}")
    access.require(access.is_portal_client(user))
    if not access.portal_email_verified(user):
        return render(request, "portal/verify_email.html", {"email": user.email}, status=403)
    return None


def _refused(request: HttpRequest, template: str, context: dict, error: ApplicationError):
    context["error"] = {"message": error.message, "code": error.code}
    return render(request, template, context, status=error.status)


# --- Pages ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def portal_ticket_new(request: HttpRequest) -> HttpResponse:
    """The form to submit a new request (signed-in, verified clients)."""
    gate = _gate(request, account_only=True)
    if gate is not None:
        return gate
    client = selectors.portal_client_for(user=request.user)
    if client is None:
        raise Http404
    categories = list(selectors.portal_categories())
    language = translation.get_language() or "en"
    context: dict[str, Any] = {
        "categories": [(c.pk, c.localized_name(language)) for c in categories],
        "values": {},
    }
    if request.method == "GET":
        return render(request, "portal/ticket_new.html", context)
    values = {
        "category": request.POST.get("category", ""),
        "subject": request.POST.get("subject", ""),
        "description": request.POST.get("description", ""),
    }
    context["values"] = values
    try:
        category = next((c for c in categories if str(c.pk) == values["category"]), None)
        if category is None:
            raise ApplicationError(_("Choose what your request is about."), code="category")
        if not values["description"].strip():
            raise ApplicationError(_("Describe your request."), code="description")
        ticket = services.portal_ticket_submit(
            client=client,
            category=category,
            subject=values["subject"],
            description=values["description"],
            uploads=request.FILES.getlist("attachments"),
        )
    except ApplicationError as error:
        return _refused(request, "portal/ticket_new.html", context, error)
    messages.success(
        request,
        _("Thank you. Your request %(reference)s has been received.")
        % {"reference": ticket.reference},
    )
    return redirect("tickets:portal_ticket", ticket.pk)


def _detail_context(request: HttpRequest, ticket: Ticket) -> dict[str, Any]:
    language = translation.get_language() or "en"
    return {
        "ticket": ticket,
        "category": ticket.category.localized_name(language),
        "conversation": selectors.portal_conversation(ticket=ticket),
        "can_close": ticket.status != Ticket.Status.CLOSED,
        "offer_account": not request.user.is_authenticated and ticket.client.user_id is None,
        "suggest_sign_in": not request.user.is_authenticated and ticket.client.user_id is not None,
        "values": {},
    }


def _ticket(request: HttpRequest, ticket_id: int) -> Ticket:
    return selectors.portal_ticket_get(
        user=request.user, ticket_id=ticket_id, granted_ticket_ids=_granted(request)
    )


@require_GET
def portal_ticket(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """One of the client's tickets: status and the public conversation, reply and close."""
    gate = _gate(request)
    if gate is not None:
        return gate
    ticket = _ticket(request, ticket_id)
    return render(request, "portal/ticket_detail.html", _detail_context(request, ticket))


@require_POST
def portal_ticket_reply(request: HttpRequest, ticket_id: int) -> HttpResponse:
    gate = _gate(request)
    if gate is not None:
        return gate
    ticket = _ticket(request, ticket_id)
    body = request.POST.get("body", "")
    try:
        if not body.strip():
            raise ApplicationError(_("Write your message first."), code="body")
        message = services.portal_reply(
            client=ticket.client,
            ticket=ticket,
            body=body,
            uploads=request.FILES.getlist("attachments"),
        )
    except ApplicationError as error:
        context = _detail_context(request, ticket)
        context["values"] = {"body": body}
        return _refused(request, "portal/ticket_detail.html", context, error)
    if message.ticket_id != ticket.pk:
        _grant(request, message.ticket_id)
        messages.success(
            request,
            _("This request was closed, so your message opened a new request, %(reference)s.")
            % {"reference": message.ticket.reference},
        )
        return redirect("tickets:portal_ticket", message.ticket_id)
    messages.success(request, _("Your message was sent."))
    return redirect(reverse("tickets:portal_ticket", args=[ticket.pk]) + f"#m{message.pk}")


@require_POST
def portal_ticket_close(request: HttpRequest, ticket_id: int) -> HttpResponse:
    gate = _gate(request)
    if gate is not None:
        return gate
    ticket = _ticket(request, ticket_id)
    try:
        services.portal_ticket_close(client=ticket.client, ticket=ticket)
    except ApplicationError as error:
        return _refused(
            request, "portal/ticket_detail.html", _detail_context(request, ticket), error
        )
    messages.success(request, _("Your request is closed. Thank you for letting us know."))
    return redirect("tickets:portal_ticket", ticket.pk)


@require_GET
def portal_attachment(request: HttpRequest, attachment_id: int) -> FileResponse:
    gate = _gate(request)
    if gate is not None:
        return gate
    attachment = selectors.portal_attachment_get(
        user=request.user, attachment_id=attachment_id, granted_ticket_ids=_granted(request)
    )
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    for header, value in SECURE_FILE_HEADERS.items():
        response[header] = value
    return response


@require_POST
def portal_account_create(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Someone who opened the mailed link creates the client's portal sign-in and is signed in
    (the link proved they read the client's mailbox)."""
    if request.user.is_authenticated or ticket_id not in _granted(request):
        raise Http404
    ticket = _ticket(request, ticket_id)
    try:
        user = services.portal_account_create(
            client=ticket.client,
            password=request.POST.get("password1", ""),
            password_again=request.POST.get("password2", ""),
        )
    except ApplicationError as error:
        return _refused(
            request, "portal/ticket_detail.html", _detail_context(request, ticket), error
        )
    granted = _granted(request)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[SESSION_KEY] = granted
    messages.success(request, _("Your portal account is ready. You are signed in."))
    return redirect("tickets:portal_ticket", ticket.pk)


@require_POST
def portal_verify_email(request: HttpRequest) -> HttpResponse:
    """Send (again) the allauth confirmation mail to the signed-in client's address."""
    from allauth.account.models import EmailAddress

    if not request.user.is_authenticated:
        return redirect("account_login")
    access.require(access.is_portal_client(request.user))
    address, _created = EmailAddress.objects.get_or_create(
        user=request.user,
        email=request.user.email,
        defaults={"primary": True, "verified": False},
    )
    if not address.verified:
        address.send_confirmation(request)
    return render(request, "portal/verify_email.html", {"email": request.user.email, "sent": True})


@require_GET
def portal_link(request: HttpRequest, token: str) -> HttpResponse:
    """A signed link from a notification: opens that ticket for this browser session."""
    try:
        grant = links.portal_grant(token)
    except links.LinkExpired:
        return render(request, "portal/link_error.html", {"expired": True}, status=403)
    except links.LinkInvalid:
        return render(request, "portal/link_error.html", {"expired": False}, status=404)
    ticket = Ticket.objects.filter(pk=grant.ticket_id, client_id=grant.client_id).first()
    if ticket is None:
        return render(request, "portal/link_error.html", {"expired": False}, status=404)
    if access.is_staff_member(request.user):
        return redirect("tickets:detail", ticket.pk)
    _grant(request, ticket.pk)
    response = redirect("tickets:portal_ticket", ticket.pk)
    if not request.user.is_authenticated and ticket.client.language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            ticket.client.language,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response


# --- Satisfaction survey ----------------------------------------------------------------------


def _csat_grant(request: HttpRequest, token: str) -> links.CsatGrant | HttpResponse:
    try:
        return links.csat_grant(token)
    except links.LinkExpired:
        return render(request, "portal/csat.html", {"state": "expired"}, status=403)
    except links.LinkInvalid:
        return render(request, "portal/csat.html", {"state": "invalid"}, status=404)


@require_http_methods(["GET", "POST"])
def csat_rate(request: HttpRequest, token: str, score: int) -> HttpResponse:
    """The one-click rating. The mailed link (GET) only shows the chosen score and submits it
    by itself in a browser (``static/js/csat.js``; a button without JavaScript): link scanners
    of mail gateways fetch every link of a mail, and must not rate for the client. The POST
    records the score, then offers a comment."""
    grant = _csat_grant(request, token)
    if isinstance(grant, HttpResponse):
        return grant
    context: dict[str, Any] = {"token": token, "score": score}
    if request.method == "GET":
        context["state"] = "confirm"
        return render(request, "portal/csat.html", context)
    try:
        services.csat_rate(ticket_id=grant.ticket_id, resolved_at=grant.resolved_at, score=score)
    except ApplicationError as error:
        context["state"] = "refused"
        context["error"] = {"message": error.message, "code": error.code}
        return render(request, "portal/csat.html", context, status=error.status)
    context["state"] = "rated"
    return render(request, "portal/csat.html", context)


@require_POST
def csat_comment(request: HttpRequest, token: str) -> HttpResponse:
    grant = _csat_grant(request, token)
    if isinstance(grant, HttpResponse):
        return grant
    context: dict[str, Any] = {"token": token}
    try:
        services.csat_comment(
            ticket_id=grant.ticket_id,
            resolved_at=grant.resolved_at,
            comment=request.POST.get("comment", ""),
        )
    except ApplicationError as error:
        context["state"] = "refused"
        context["error"] = {"message": error.message, "code": error.code}
        return render(request, "portal/csat.html", context, status=error.status)
    context["state"] = "commented"
    return render(request, "portal/csat.html", context)


urlpatterns = [
    path("portal/new/", portal_ticket_new, name="portal_new"),
    path("portal/<int:ticket_id>/", portal_ticket, name="portal_ticket"),
    path("portal/<int:ticket_id>/reply/", portal_ticket_reply, name="portal_reply"),
    path("portal/<int:ticket_id>/close/", portal_ticket_close, name="portal_close"),
    path("portal/attachments/<int:attachment_id>/", portal_attachment, name="portal_attachment"),
    path("portal/<int:ticket_id>/account/", portal_account_create, name="portal_account_create"),
    path("portal/verify-email/", portal_verify_email, name="portal_verify_email"),
    path("portal/link/<str:token>/", portal_link, name="portal_link"),
    path("satisfaction/<str:token>/<int:score>/", csat_rate, name="csat_rate"),
    path("satisfaction/<str:token>/comment/", csat_comment, name="csat_comment"),
]
