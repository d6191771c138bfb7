"""The ticket page: everything an agent needs on one screen, and the actions it posts.

Every view first fetches the ticket through the user's visible scope (``tickets.selectors``), so
that an agent of another team gets 404 for the page and everything under it; the services then
check that the user may *work* the ticket (403 otherwise, e.g. a manager who only reads).

* Full-page actions (reply, note, assign to me, escalate, status changes, link, merge, split)
  are plain forms: success redirects back to the page (post/redirect/get) with a notice; a
  refusal re-renders the page with the message, the text the agent typed, and the refusal's
  HTTP status (400, 403, 409, 413, 415).
* Fields are edited in place with htmx: each field posts its value with ``expected_version``;
  the answer is the field's fragment, plus the page header and the shared version input swapped
  out of band. A stale save (409) shows which fields someone else changed, their current values,
  and a button to apply the agent's value over them.
* Presence is a small fragment polled every few seconds (``tickets.services.presence``).
* Attachments are served only here, after the same permission check, as downloads with
  ``nosniff`` and a ``default-src 'none'`` content security policy.
"""

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from supportdesk.errors import ApplicationError
from teams import access
from teams.models import Language, Team, User
from tickets import lifecycle
from tickets.models import Category, Message, ResolutionCode, Ticket, TicketLink
from tickets.selectors import escalations as escalation_selectors
from tickets.selectors import inbound as inbound_selectors
from tickets.selectors import ticket as selectors
from tickets.services import presence as presence_services
from tickets.services import tickets as ticket_services
from tickets.services.assignment import AssignmentNeedsConfirmation

BODY_MAX_CHARS = 100_000
SUBJECT_MAX_CHARS = 250
REASON_MAX_CHARS = 2_000
TAG_MAX_CHARS = 50
EDITABLE_FIELDS = (
    "priority",
    "category",
    "team",
    "assignee",
    "tags",
    "language",
    "platform_os",
    "app_version",
)
TEXT_FIELD_MAX_CHARS = {"platform_os": 100, "app_version": 50}
# Statuses a reply may move the ticket to (resolving needs its own form, closing follows it).
REPLY_STATUSES = (
    Ticket.Status.OPEN,
    Ticket.Status.PENDING_CLIENT,
    Ticket.Status.PENDING_INTERNAL,
    Ticket.Status.ON_HOLD,
)
SECURE_FILE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cache-Control": "private, no-store",
}


@dataclass
class FieldSpec:
    """One in-place editable field of the page, as the fragment shows it."""

    name: str
    label: Any
    value: str
    display: str
    choices: list[tuple[str, str]] = field(default_factory=list)
    blank_label: str = ""
    max_length: int | None = None
    help_text: Any = ""
    url: str = ""  # where the editor posts (``tickets:field_update``)

    @property
    def is_select(self) -> bool:
        return bool(self.choices) or bool(self.blank_label)

    @property
    def options_html(self) -> str:
        """The select's options, the current value selected (built here rather than by a
        template loop: the page has several selects, some long)."""
        selected = self.value
        parts = (
            [f'<option value="">{escape(self.blank_label)}</option>'] if self.blank_label else []
        )
        parts += [
            f'<option value="{escape(value)}"{" selected" if value == selected else ""}>'
            f"{escape(label)}</option>"
            for value, label in self.choices
        ]
        return mark_safe("".join(parts))  # noqa: S308 (every value and label is escaped above)


# --- Page ------------------------------------------------------------------------------------


@login_required
@require_GET
def ticket_detail(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """The ticket page."""
    access.require(access.is_staff_member(request.user))
    return _render_page(request, ticket_id)


def _render_page(
    request: HttpRequest,
    ticket_id: int,
    *,
    status: int = 200,
    error: ApplicationError | None = None,
    error_form: str = "",
    values: dict[str, Any] | None = None,
    merge_target: Ticket | None = None,
) -> HttpResponse:
    user = request.user
    ticket = selectors.ticket_detail_for(user=user, ticket_id=ticket_id)
    read_only = lifecycle.is_read_only(ticket.status)
    can_work = access.can_work_on_team(user, ticket.team_id) and not read_only
    presence_services.presence_touch(user=user, ticket_id=ticket.pk)
    context: dict[str, Any] = {
        "ticket": ticket,
        "timeline": selectors.ticket_timeline(ticket=ticket),
        "show_description": not selectors.ticket_description_is_a_message(ticket=ticket),
        "links": selectors.ticket_links(ticket=ticket),
        "mail_origins": inbound_selectors.message_origins(ticket=ticket),
        "other_tickets": selectors.client_other_tickets(user=user, ticket=ticket),
        "client_now": timezone.now(),
        "can_work": can_work,
        "read_only": read_only,
        "error": error,
        "error_form": error_form,
        "values": values or {},
        "split_message": (values or {}).get("split_message"),
        "merge_target": merge_target,
        "present": presence_services.presence_list(ticket_id=ticket.pk, exclude_user_id=user.pk),
        "body_max_chars": BODY_MAX_CHARS,
        # Links inside the page's loops, reversed once: "<a>" + pk + "<b>".
        **_url_parts("detail_url", "tickets:detail"),
        **_url_parts("attachment_url", "tickets:attachment"),
        **_url_parts("preview_url", "tickets:attachment_preview"),
        **_url_parts("split_url", "tickets:split", ticket.pk),
        **_url_parts("move_url", "tickets:message_move", ticket.pk),
    }
    if error_form == "escalation":
        # Refused escalation action: the panel inline, with the refusal and the text typed.
        context.update(escalation_selectors.ticket_escalation_panel(user=user, ticket=ticket))
        context["escalation_panel_inline"] = True
    if can_work:
        choices = selectors.page_choices(team_id=ticket.team_id)
        context.update(
            fields=_page_field_specs(ticket, choices),
            status_choices=[
                (value, label)
                for value, label in selectors.status_choices(ticket=ticket)
                if value != Ticket.Status.RESOLVED
            ],
            can_resolve=lifecycle.can_transition(ticket.status, Ticket.Status.RESOLVED),
            resolution_codes=choices.resolution_codes,
            reply_statuses=[
                (value, label)
                for value, label in Ticket.Status.choices
                if value in REPLY_STATUSES
                and (value == ticket.status or lifecycle.can_transition(ticket.status, value))
            ],
        )
    return render(request, "tickets/ticket_detail.html", context, status=status)


_URL_PLACEHOLDER = 987654321


def _page_field_specs(ticket: Ticket, choices: selectors.EditChoices) -> list[FieldSpec]:
    """The page's in-place editors, their save URLs built from one reversal."""
    placeholder = "field-name-placeholder"
    before, after = reverse("tickets:field_update", args=[ticket.pk, placeholder]).split(
        placeholder
    )
    return [
        _field_spec(name, ticket, choices, url=f"{before}{name}{after}") for name in EDITABLE_FIELDS
    ]


def _url_parts(prefix: str, name: str, *args: Any) -> dict[str, str]:
    """The URL ``name`` with ``args`` and one more id, split around that id, so that a template
    can build it for many ids (``{{ x_a }}{{ pk }}{{ x_b }}``) without reversing each time."""
    before, after = reverse(name, args=[*args, _URL_PLACEHOLDER]).split(str(_URL_PLACEHOLDER))
    return {f"{prefix}_a": before, f"{prefix}_b": after}


def _refused(
    request: HttpRequest,
    ticket_id: int,
    error: ApplicationError,
    *,
    form: str,
    values: dict[str, Any] | None = None,
) -> HttpResponse:
    """The page again with the refusal on top, the form it concerns open and the text kept."""
    return _render_page(
        request, ticket_id, status=error.status, error=error, error_form=form, values=values
    )


def _back(ticket: Ticket, anchor: str = "") -> HttpResponse:
    url = reverse("tickets:detail", args=[ticket.pk])
    return redirect(f"{url}#{anchor}" if anchor else url, permanent=False)


def _ticket(request: HttpRequest, ticket_id: int) -> Ticket:
    """The ticket an action is about, through the user's scope (404 outside it)."""
    access.require(access.is_staff_member(request.user))
    return selectors.ticket_for_action(user=request.user, ticket_id=ticket_id)


def _expected_version(request: HttpRequest) -> int | None:
    raw = (request.POST.get("expected_version") or "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise ApplicationError(gettext_lazy("The form is out of date; reload the page."))
    return int(raw)


def _body(request: HttpRequest) -> str:
    body = request.POST.get("body", "")
    if not body.strip():
        raise ApplicationError(gettext_lazy("Write a message first: it is empty."), code="empty")
    if len(body) > BODY_MAX_CHARS:
        raise ApplicationError(
            gettext_lazy("The message is too long: at most %(max)s characters, it has %(count)s.")
            % {"max": f"{BODY_MAX_CHARS:,}", "count": f"{len(body):,}"},
            code="too_long",
        )
    return body


# --- Conversation ----------------------------------------------------------------------------


@login_required
@require_POST
def ticket_reply(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """A public reply, with its attachments, an optional status and the picked macro's effects,
    all in one transaction."""
    ticket = _ticket(request, ticket_id)
    values = {"reply_body": request.POST.get("body", "")}
    try:
        body = _body(request)
        set_status = request.POST.get("reply_status") or request.POST.get("set_status") or None
        changes = _macro_changes(request, ticket)
        with transaction.atomic():
            message = ticket_services.message_add_reply(
                actor=request.user,
                ticket=ticket,
                body=body,
                uploads=request.FILES.getlist("attachments"),
                set_status=set_status,
                expected_version=_expected_version(request),
            )
            if changes:
                ticket_services.ticket_update(
                    actor=request.user,
                    ticket=message.ticket,
                    changes=changes,
                    expected_version=None,
                )
    except ApplicationError as error:
        return _refused(request, ticket_id, error, form="reply", values=values)
    messages.success(request, _("Your reply was added."))
    return _back(ticket, f"message-{message.pk}")


def _macro_changes(request: HttpRequest, ticket: Ticket) -> dict[str, Any]:
    """Field changes asked for by the macro the agent applied (hidden inputs of #macro-effects)."""
    changes: dict[str, Any] = {}
    priority = (request.POST.get("set_priority") or "").strip()
    if priority:
        changes["priority"] = _parse_priority(priority)
    tags = [tag for raw in request.POST.getlist("add_tags") for tag in _parse_tags(raw)]
    new_tags = [tag for tag in tags if tag not in ticket.tags]
    if new_tags:
        changes["tags"] = [*ticket.tags, *dict.fromkeys(new_tags)]
    return changes


@login_required
@require_POST
def ticket_note(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """An internal note (never shown to the client); @mentions notify colleagues."""
    ticket = _ticket(request, ticket_id)
    values = {"note_body": request.POST.get("body", "")}
    try:
        message = ticket_services.message_add_note(
            actor=request.user,
            ticket=ticket,
            body=_body(request),
            uploads=request.FILES.getlist("attachments"),
        )
    except ApplicationError as error:
        return _refused(request, ticket_id, error, form="note", values=values)
    messages.success(request, _("Your internal note was added."))
    return _back(ticket, f"message-{message.pk}")


# --- Quick actions ---------------------------------------------------------------------------


@login_required
@require_POST
def ticket_assign_to_me(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = _ticket(request, ticket_id)
    try:
        ticket_services.ticket_assign(actor=request.user, ticket=ticket, assignee=request.user)
    except ApplicationError as error:
        return _refused(request, ticket_id, error, form="assign")
    messages.success(request, _("The ticket is now assigned to you."))
    return _back(ticket)


@login_required
@require_POST
def ticket_escalate(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = _ticket(request, ticket_id)
    reason = request.POST.get("reason", "").strip()
    internal_team = request.POST.get("internal_team", "").strip()
    values = {"escalate_reason": reason, "internal_team": internal_team}
    try:
        if not reason:
            raise ApplicationError(
                gettext_lazy("Say why the ticket needs escalating."), code="reason_required"
            )
        if len(reason) > REASON_MAX_CHARS:
            raise ApplicationError(
                gettext_lazy("The reason is too long: at most %(max)s characters.")
                % {"max": f"{REASON_MAX_CHARS:,}"},
                code="too_long",
            )
        ticket_services.ticket_escalate(
            actor=request.user, ticket=ticket, reason=reason, internal_team=internal_team
        )
    except ApplicationError as error:
        form = "escalation" if internal_team else "escalate"
        return _refused(request, ticket_id, error, form=form, values=values)
    if internal_team:
        messages.success(request, _("The ticket was handed off to the internal team."))
        return _back(ticket, "escalations")
    messages.success(request, _("The ticket was escalated to the team's supervisors."))
    return _back(ticket)


@login_required
@require_POST
def ticket_transition(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """A status change from the header: resolve (code and summary required), close, reopen or
    one of the waiting statuses — only those ``tickets.lifecycle`` allows."""
    ticket = _ticket(request, ticket_id)
    to_status = request.POST.get("to_status", "")
    summary = request.POST.get("resolution_summary", "").strip()
    values = {
        "resolution_summary": summary,
        "resolution_code": request.POST.get("resolution_code", ""),
    }
    form = "resolve" if to_status == Ticket.Status.RESOLVED else "status"
    try:
        code = None
        if to_status == Ticket.Status.RESOLVED:
            code = _resolution_code(request.POST.get("resolution_code", ""))
            if not summary:
                raise ApplicationError(
                    gettext_lazy("Write a resolution summary: what was wrong and what fixed it."),
                    code="summary_required",
                )
        ticket_services.ticket_transition(
            actor=request.user,
            ticket=ticket,
            to_status=to_status,
            expected_version=_expected_version(request),
            resolution_code=code,
            resolution_summary=summary,
        )
    except ApplicationError as error:
        return _refused(request, ticket_id, error, form=form, values=values)
    messages.success(
        request,
        _("The ticket is now %(status)s.") % {"status": lifecycle.status_label(to_status)},
    )
    return _back(ticket)


def _resolution_code(raw: str) -> ResolutionCode:
    code = None
    if raw.strip().isdigit():
        code = selectors.resolution_code_choices().filter(pk=int(raw)).first()
    if code is None:
        raise ApplicationError(
            gettext_lazy("Choose a resolution code."), code="resolution_code_required"
        )
    return code


# --- Links, merge, split ---------------------------------------------------------------------


def _other_ticket(request: HttpRequest, reference: str) -> Ticket:
    other = selectors.ticket_by_reference(user=request.user, reference=reference)
    if other is None:
        raise ApplicationError(
            gettext_lazy("There is no ticket “%(reference)s” that you can see.")
            % {"reference": reference.strip()[:30]},
            code="unknown_ticket",
        )
    return other


@login_required
@require_POST
def ticket_link(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = _ticket(request, ticket_id)
    reference = request.POST.get("reference", "")
    values = {"link_reference": reference}
    try:
        other = _other_ticket(request, reference)
        ticket_services.ticket_link(
            actor=request.user, ticket=ticket, other=other, kind=TicketLink.Kind.RELATED
        )
    except ApplicationError as error:
        return _refused(request, ticket_id, error, form="link", values=values)
    messages.success(request, _("Linked to %(reference)s.") % {"reference": other.reference})
    return _back(ticket, "links")


@login_required
@require_POST
def ticket_merge(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """ "This ticket is a duplicate of SD-…": first a confirmation, then ``ticket_merge``."""
    ticket = _ticket(request, ticket_id)
    reference = request.POST.get("reference", "")
    values = {"merge_reference": reference}
    try:
        target = _other_ticket(request, reference)
        if target.pk == ticket.pk:
            raise ApplicationError(
                gettext_lazy("A ticket cannot be merged into itself."), code="merge_self"
            )
        if request.POST.get("confirm") != "yes":
            return _render_page(request, ticket_id, values=values, merge_target=target)
        merged_into = ticket_services.ticket_merge(
            actor=request.user, duplicate=ticket, target=target
        )
    except ApplicationError as error:
        return _refused(request, ticket_id, error, form="merge", values=values)
    messages.success(
        request,
        _("%(duplicate)s was merged into %(target)s.")
        % {"duplicate": ticket.reference, "target": merged_into.reference},
    )
    return _back(merged_into)


@login_required
@require_POST
def ticket_split(request: HttpRequest, ticket_id: int, message_id: int) -> HttpResponse:
    """A client message becomes the start of a new ticket, linked to this one."""
    ticket = _ticket(request, ticket_id)
    message = Message.objects.filter(pk=message_id, ticket=ticket).first()
    if message is None:
        raise Http404
    subject = request.POST.get("subject", "").strip()
    values = {"split_message": message.pk, "split_subject": subject}
    try:
        if not subject:
            raise ApplicationError(
                gettext_lazy("Give the new ticket a subject."), code="subject_required"
            )
        if len(subject) > SUBJECT_MAX_CHARS:
            raise ApplicationError(
                gettext_lazy("The subject is too long: at most %(max)s characters.")
                % {"max": SUBJECT_MAX_CHARS},
                code="too_long",
            )
        new_ticket = ticket_services.ticket_split(
            actor=request.user, message=message, subject=subject
        )
    except ApplicationError as error:
        return _refused(request, ticket_id, error, form="split", values=values)
    messages.success(
        request,
        _("The message was split into the new ticket %(reference)s.")
        % {"reference": new_ticket.reference},
    )
    return _back(new_ticket)


# --- Fields edited in place (htmx) -----------------------------------------------------------


@login_required
@require_POST
def ticket_field_update(request: HttpRequest, ticket_id: int, field_name: str) -> HttpResponse:
    """Save one field. Answers the field's fragment (with the header and version out of band);
    on refusal the fragment shows the message, with the refusal's status."""
    ticket = _ticket(request, ticket_id)
    if field_name not in EDITABLE_FIELDS:
        raise Http404
    raw = request.POST.get("value", "")
    error: ApplicationError | None = None
    try:
        value = _parse_field(field_name, raw, ticket)
        ticket = ticket_services.ticket_update(
            actor=request.user,
            ticket=ticket,
            changes={field_name: value},
            expected_version=_expected_version(request),
            confirm_assignment=request.POST.get("confirmed") == "1",
        )
    except ApplicationError as refusal:
        error = refusal
        ticket = selectors.ticket_for_action(user=request.user, ticket_id=ticket_id)
    if not request.htmx:
        if error is not None:
            return _refused(
                request, ticket_id, error, form=f"field-{field_name}", values={"confirm_value": raw}
            )
        return _back(ticket, f"field-{field_name}")
    context: dict[str, Any] = {
        "ticket": ticket,
        "spec": _field_spec(field_name, ticket),
        "error": error,
        "saved": error is None,
        # The header follows the ticket's real state (also after a conflict); the shared
        # version only moves when this save went through.
        "oob_header": error is None or error.status == 409,
        "oob_version": error is None,
    }
    if error is not None and error.status == 409 and "changed_fields" in error.details:
        context["conflict"] = _conflict(error, ticket, field_name, raw)
    if error is not None and error.code == AssignmentNeedsConfirmation.code:
        # Off shift or not available: the same choice as on the board, "Assign anyway".
        context["confirm_value"] = raw
    if context["oob_header"]:
        context.update(_header_context(request, ticket))
    return render(
        request,
        "tickets/partials/ticket_field_response.html",
        context,
        status=error.status if error is not None else 200,
    )


def _conflict(
    error: ApplicationError, ticket: Ticket, field_name: str, attempted: str
) -> dict[str, Any]:
    changed = []
    for name in error.details.get("changed_fields", []):
        spec = _field_spec(name, ticket) if name in EDITABLE_FIELDS else None
        changed.append(
            {
                "label": selectors.FIELD_LABELS.get(name, name),
                "value": spec.display if spec else _plain_value(ticket, name),
            }
        )
    attempted_spec = _field_spec(field_name, ticket)
    attempted_display = dict(attempted_spec.choices).get(attempted, attempted)
    return {
        "changed": changed,
        "attempted": attempted,
        "attempted_display": attempted_display or _("(none)"),
        "current_version": error.details.get("current_version", ticket.version),
    }


def _plain_value(ticket: Ticket, name: str) -> str:
    """The current value of a changed field that has no in-place editor."""
    if name == "status":
        return str(ticket.get_status_display())
    if name == "messages":
        return _("new messages")
    if name == "links":
        return _("new links")
    if name in ("subject", "resolution_summary", "escalation_level", "channel"):
        display = getattr(ticket, f"get_{name}_display", None)
        return str(display() if display else getattr(ticket, name))
    if name == "resolution_code":
        return str(ticket.resolution_code or "")
    return _("changed")


def _header_context(request: HttpRequest, ticket: Ticket) -> dict[str, Any]:
    can_work = access.can_work_on_team(request.user, ticket.team_id) and not (
        lifecycle.is_read_only(ticket.status)
    )
    return {
        "can_work": can_work,
        "read_only": lifecycle.is_read_only(ticket.status),
        "status_choices": [
            (value, label)
            for value, label in selectors.status_choices(ticket=ticket)
            if value != Ticket.Status.RESOLVED
        ],
        "can_resolve": lifecycle.can_transition(ticket.status, Ticket.Status.RESOLVED),
        "resolution_codes": [
            selectors.ResolutionCodeChoice(code.pk, code.name_en, code.name_zh_hant)
            for code in selectors.resolution_code_choices()
        ],
        "values": {},
    }


def _field_spec(
    name: str,
    ticket: Ticket,
    page_choices: selectors.EditChoices | None = None,
    *,
    url: str = "",
) -> FieldSpec:
    """What the in-place editor of ``name`` shows for ``ticket`` (one query at most, none with
    the page's ``page_choices``)."""
    spec = _field_spec_values(name, ticket, page_choices)
    spec.url = url or reverse("tickets:field_update", args=[ticket.pk, name])
    return spec


def _field_spec_values(
    name: str, ticket: Ticket, page_choices: selectors.EditChoices | None
) -> FieldSpec:
    label = selectors.FIELD_LABELS[name]
    if name == "priority":
        return FieldSpec(
            name,
            label,
            str(ticket.priority),
            str(ticket.get_priority_display()),
            choices=[(str(value), str(text)) for value, text in Ticket.Priority.choices],
        )
    if name == "category":
        language = _language()
        if page_choices is not None:
            zh = language.startswith("zh")
            choices = [
                (str(pk), name_zh_hant if zh else name_en)
                for pk, name_en, name_zh_hant in page_choices.categories
            ]
        else:
            choices = [
                (str(category.pk), category.localized_name(language))
                for category in selectors.category_choices()
            ]
        return FieldSpec(
            name,
            label,
            str(ticket.category_id),
            dict(choices).get(str(ticket.category_id), ""),
            choices=choices,
        )
    if name == "team":
        if page_choices is not None:
            choices = [(str(pk), name) for pk, name in page_choices.teams]
        else:
            choices = [(str(team.pk), team.name) for team in selectors.team_choices()]
        return FieldSpec(
            name,
            label,
            str(ticket.team_id),
            dict(choices).get(str(ticket.team_id), ""),
            choices=choices,
        )
    if name == "assignee":
        if page_choices is not None:
            choices = [
                (str(pk), full_name or email) for pk, full_name, email in page_choices.members
            ]
        else:
            choices = [
                (str(member.pk), member.full_name or member.email)
                for member in selectors.assignable_members(team_id=ticket.team_id)
            ]
        value = str(ticket.assignee_id or "")
        return FieldSpec(
            name,
            label,
            value,
            dict(choices).get(value, "") or _("Unassigned"),
            choices=choices,
            blank_label=_("Unassigned"),
        )
    if name == "language":
        choices = [(value, str(text)) for value, text in Language.choices]
        return FieldSpec(
            name, label, ticket.language, dict(choices).get(ticket.language, ""), choices=choices
        )
    if name == "tags":
        text = ", ".join(ticket.tags)
        return FieldSpec(
            name, label, text, text, help_text=gettext_lazy("Separate tags with commas.")
        )
    value = getattr(ticket, name) or ""
    return FieldSpec(name, label, value, value, max_length=TEXT_FIELD_MAX_CHARS.get(name))


def _language() -> str:
    return get_language() or "en"


def _invalid(name: str) -> ApplicationError:
    return ApplicationError(
        gettext_lazy("Choose a valid value for %(field)s.")
        % {"field": selectors.FIELD_LABELS[name]},
        code="invalid_value",
    )


def _parse_priority(raw: str) -> int:
    if not raw.strip().isdigit() or int(raw) not in Ticket.Priority.values:
        raise _invalid("priority")
    return int(raw)


def _parse_tags(raw: str) -> list[str]:
    tags = [tag.strip() for tag in raw.replace("，", ",").split(",") if tag.strip()]
    if any(len(tag) > TAG_MAX_CHARS for tag in tags):
        raise ApplicationError(
            gettext_lazy("A tag may have at most %(max)s characters.") % {"max": TAG_MAX_CHARS},
            code="invalid_value",
        )
    return list(dict.fromkeys(tags))


def _parse_field(name: str, raw: str, ticket: Ticket) -> Any:
    """The typed value of a posted field; 400 for anything not on offer."""
    raw = raw.strip()
    if name == "priority":
        return _parse_priority(raw)
    if name == "tags":
        return _parse_tags(raw)
    if name == "language":
        if raw not in Language.values:
            raise _invalid(name)
        return raw
    if name in TEXT_FIELD_MAX_CHARS:
        if len(raw) > TEXT_FIELD_MAX_CHARS[name]:
            raise ApplicationError(
                gettext_lazy("%(field)s may have at most %(max)s characters.")
                % {"field": selectors.FIELD_LABELS[name], "max": TEXT_FIELD_MAX_CHARS[name]},
                code="too_long",
            )
        return raw
    if name == "assignee" and raw == "":
        return None
    if not raw.isdigit():
        raise _invalid(name)
    if name == "assignee":
        # The service says why (outside the team, over capacity, off shift), like the board.
        return int(raw)
    model = {"category": Category, "team": Team, "assignee": User}[name]
    queryset = {
        "category": selectors.category_choices(),
        "team": selectors.team_choices(),
        "assignee": selectors.assignable_members(team_id=ticket.team_id),
    }[name]
    found = queryset.filter(pk=int(raw)).first()
    if found is None or not isinstance(found, model):
        raise _invalid(name)
    return found


# --- Presence --------------------------------------------------------------------------------


@login_required
@require_POST
def ticket_presence(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Record that the user is viewing (or replying on) the ticket; answer who else is."""
    ticket = _ticket(request, ticket_id)
    activity = request.POST.get("activity", presence_services.Activity.VIEWING)
    if activity not in presence_services.ACTIVITIES:
        activity = presence_services.Activity.VIEWING
    presence_services.presence_touch(user=request.user, ticket_id=ticket.pk, activity=activity)
    seen_version = (request.POST.get("expected_version") or "").strip()
    return render(
        request,
        "tickets/partials/ticket_presence.html",
        {
            "ticket": ticket,
            "present": presence_services.presence_list(
                ticket_id=ticket.pk, exclude_user_id=request.user.pk
            ),
            "changed_since_loaded": seen_version.isdigit() and int(seen_version) < ticket.version,
        },
    )


# --- Attachments -----------------------------------------------------------------------------


def _file_response(request: HttpRequest, attachment_id: int, *, inline: bool) -> FileResponse:
    access.require(access.is_staff_member(request.user))
    attachment = selectors.attachment_visible_to(user=request.user, attachment_id=attachment_id)
    if inline and not attachment.is_image:
        raise Http404
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=not inline,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    for header, value in SECURE_FILE_HEADERS.items():
        response[header] = value
    return response


@login_required
@require_GET
def attachment_download(request: HttpRequest, attachment_id: int) -> FileResponse:
    """An attachment as a download, after the ticket's permission check."""
    return _file_response(request, attachment_id, inline=False)


@login_required
@require_GET
def attachment_preview(request: HttpRequest, attachment_id: int) -> FileResponse:
    """An image attachment shown inline (thumbnails on the ticket page); 404 for other files."""
    return _file_response(request, attachment_id, inline=True)


urlpatterns = [
    path("<int:ticket_id>/", ticket_detail, name="detail"),
    path("<int:ticket_id>/reply/", ticket_reply, name="reply"),
    path("<int:ticket_id>/note/", ticket_note, name="note"),
    path("<int:ticket_id>/assign-to-me/", ticket_assign_to_me, name="assign_to_me"),
    path("<int:ticket_id>/escalate/", ticket_escalate, name="escalate"),
    path("<int:ticket_id>/status/", ticket_transition, name="transition"),
    path("<int:ticket_id>/fields/<slug:field_name>/", ticket_field_update, name="field_update"),
    path("<int:ticket_id>/links/", ticket_link, name="link"),
    path("<int:ticket_id>/merge/", ticket_merge, name="merge"),
    path("<int:ticket_id>/messages/<int:message_id>/split/", ticket_split, name="split"),
    path("<int:ticket_id>/presence/", ticket_presence, name="presence"),
    path("attachments/<int:attachment_id>/", attachment_download, name="attachment"),
    path("attachments/<int:attachment_id>/preview/", attachment_preview, name="attachment_preview"),
]
