"""Macros: the management page (personal and team macros) and the reply form's macro picker.

Fragment contract with the ticket page's reply form
---------------------------------------------------
The reply form contains::

    <div hx-get="{% url 'tickets:macro_picker' ticket.pk %}" hx-trigger="load"></div>
    <textarea id="reply-body" name="body"></textarea>
    <div id="macro-effects"></div>

1. ``GET tickets:macro_picker`` (``/tickets/<ticket_id>/macros/``) answers with
   ``<div id="macro-picker">``: a menu of the macros the user may apply to this ticket (their
   personal ones, then the ticket's team's), each a ``<button type="button">`` that POSTs to
   ``tickets:macro_apply`` with ``hx-swap="none"``, sending the current ``#reply-body`` text
   as ``body`` (``hx-include="#reply-body"``, so the picker may sit outside the form). It is
   swapped into the ``hx-get`` element (default ``innerHTML``). Selectors for browser tests:
   ``#macro-picker summary`` opens the menu, ``.macro-option[data-macro-id="…"]`` applies one.
2. ``POST tickets:macro_apply`` (``/tickets/<ticket_id>/macros/<macro_id>/apply/``) answers
   with out-of-band elements only (``hx-swap-oob="true"``, i.e. outerHTML by id):

   * ``<textarea id="reply-body" name="body" rows="8" class="reply-body" maxlength required>``
     (the reply form's own attributes; ``maxlength`` is the services' body limit): the text the
     agent had typed (if any), a blank line, then the macro's body in the ticket's language
     (else the other one), placeholders filled in. The textarea is *replaced*, so behaviour
     must not be attached to the textarea itself (listen on the form: ``input`` events bubble).
   * ``<div id="macro-effects">``: hidden inputs the reply form submits with the reply, present
     only when the macro asks for them: ``set_status`` (one of open, pending_client,
     pending_internal, on_hold; only one the ticket can move to now, per ``tickets.lifecycle``;
     an explicit status choice of the form should win over it), ``set_priority`` (1–4),
     ``add_tags`` (one input per tag: ``request.POST.getlist("add_tags")``), plus ``macro``
     (the macro's id, for the record) and a visible sentence saying what will change. Applying
     another macro replaces them.
   * ``<div id="macro-picker">``: the menu again, closed, announcing what was inserted.

Both endpoints answer 404 unless the user can see *and* work the ticket, and ``macro_apply``
404s for a macro the user may not use on it (someone else's, another team's, inactive).
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from supportdesk.errors import ApplicationError
from supportdesk.forms import submit_form
from teams import access
from tickets.models import Macro, Ticket
from tickets.selectors import macros as selectors
from tickets.selectors.queues import ticket_list_visible_to
from tickets.services import macros as services
from tickets.services.tickets import BODY_MAX_LENGTH

PAGE_SIZE = 50


class MacroForm(forms.Form):
    """The fields of a macro as typed; the service checks them again and owns the rules."""

    name = forms.CharField(label=gettext_lazy("Name"), max_length=services.NAME_MAX_CHARS)
    team = forms.ModelChoiceField(
        label=gettext_lazy("Shared with"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("Only me (personal macro)"),
        help_text=gettext_lazy(
            "Supervisors can share a macro with their team; everyone in it can then use it."
        ),
    )
    body_en = forms.CharField(
        label=gettext_lazy("Reply in English"),
        required=False,
        max_length=services.BODY_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 8, "lang": "en"}),
        help_text=gettext_lazy(
            "Markdown. Placeholders: {client_name}, {ticket_reference}, {ticket_subject}, "
            "{agent_name}, {team_name}."
        ),
    )
    body_zh_hant = forms.CharField(
        label=gettext_lazy("Reply in Traditional Chinese"),
        required=False,
        max_length=services.BODY_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 8, "lang": "zh-Hant"}),
        help_text=gettext_lazy("Used for tickets in Chinese; the English reply otherwise."),
    )
    set_status = forms.ChoiceField(label=gettext_lazy("Set status"), required=False)
    set_priority = forms.TypedChoiceField(
        label=gettext_lazy("Set priority"), required=False, coerce=int, empty_value=None
    )
    add_tags = forms.CharField(
        label=gettext_lazy("Add tags"),
        required=False,
        max_length=600,
        help_text=gettext_lazy("Separated by commas, e.g. login, password"),
    )
    is_active = forms.BooleanField(
        label=gettext_lazy("Active (offered on tickets)"), required=False, initial=True
    )

    def __init__(self, *args: Any, user: Any, creating: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        leave = ("", _("Leave as it is"))
        self.fields["set_status"].choices = [
            leave,
            *[(value, Ticket.Status(value).label) for value in services.SETTABLE_STATUSES],
        ]
        self.fields["set_priority"].choices = [leave, *Ticket.Priority.choices]
        if creating:
            # Validation accepts any team the user works (so that a refusal is a clear 403 from
            # the service); the menu offers only the teams they supervise.
            team_field = self.fields["team"]
            team_field.queryset = access.teams_workable_by(user).order_by("name")
            team_field.widget.choices = [
                ("", team_field.empty_label),
                *[(team.pk, team.name) for team in access.teams_supervised_by(user)],
            ]
        else:
            del self.fields["team"]

    def clean_add_tags(self) -> list[str]:
        return [tag.strip() for tag in self.cleaned_data["add_tags"].split(",") if tag.strip()]


def _initial(macro: Macro) -> dict[str, Any]:
    return {
        "name": macro.name,
        "body_en": macro.body_en,
        "body_zh_hant": macro.body_zh_hant,
        "set_status": macro.set_status,
        "set_priority": macro.set_priority or "",
        "add_tags": ", ".join(macro.add_tags or []),
        "is_active": macro.is_active,
    }


def _require_macro_role(request: HttpRequest) -> None:
    access.require_role(request.user, services.MACRO_ROLES)


@login_required
def macro_list(request: HttpRequest) -> HttpResponse:
    """The user's personal macros and their teams' shared macros."""
    _require_macro_role(request)
    page = Paginator(selectors.macro_list_for(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    editable_team_ids = selectors.macro_team_ids_editable_by(user=request.user)
    rows = [
        {
            "macro": macro,
            "can_edit": macro.team_id in editable_team_ids
            if macro.team_id
            else macro.owner_id == request.user.pk,
        }
        for macro in page.object_list
    ]
    return render(
        request,
        "tickets/macros/macro_list.html",
        {"page": page, "rows": rows, "can_share": bool(editable_team_ids)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def macro_create(request: HttpRequest) -> HttpResponse:
    _require_macro_role(request)
    form = MacroForm(request.POST or None, user=request.user, creating=True)
    status = 200
    if request.method == "POST":
        saved, status = submit_form(
            form,
            lambda data: services.macro_create(
                actor=request.user,
                name=data["name"],
                team=data["team"],
                body_en=data["body_en"],
                body_zh_hant=data["body_zh_hant"],
                set_status=data["set_status"],
                set_priority=data["set_priority"],
                add_tags=data["add_tags"],
                is_active=data["is_active"],
            ),
        )
        if saved is not None:
            macro = saved
            messages.success(request, _("Macro “%(name)s” created.") % {"name": macro.name})
            return redirect("tickets:macro_list")
    return render(
        request, "tickets/macros/macro_form.html", {"form": form, "macro": None}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def macro_edit(request: HttpRequest, macro_id: int) -> HttpResponse:
    _require_macro_role(request)
    macro = selectors.macro_for_editing(user=request.user, macro_id=macro_id)
    access.require(services.macro_can_edit(user=request.user, macro=macro))
    form = MacroForm(
        request.POST or None, initial=_initial(macro), user=request.user, creating=False
    )
    status = 200
    if request.method == "POST":
        saved, status = submit_form(
            form,
            lambda data: services.macro_update(
                actor=request.user,
                macro=macro,
                name=data["name"],
                body_en=data["body_en"],
                body_zh_hant=data["body_zh_hant"],
                set_status=data["set_status"],
                set_priority=data["set_priority"],
                add_tags=data["add_tags"],
                is_active=data["is_active"],
            ),
        )
        if saved is not None:
            macro = saved
            messages.success(request, _("Macro “%(name)s” saved.") % {"name": macro.name})
            return redirect("tickets:macro_list")
    return render(
        request, "tickets/macros/macro_form.html", {"form": form, "macro": macro}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def macro_delete(request: HttpRequest, macro_id: int) -> HttpResponse:
    _require_macro_role(request)
    macro = selectors.macro_for_editing(user=request.user, macro_id=macro_id)
    access.require(services.macro_can_edit(user=request.user, macro=macro))
    if request.method == "POST":
        try:
            services.macro_delete(actor=request.user, macro=macro)
        except ApplicationError as error:
            raise PermissionDenied(str(error.message)) from error
        messages.success(request, _("Macro “%(name)s” deleted.") % {"name": macro.name})
        return redirect("tickets:macro_list")
    return render(request, "tickets/macros/macro_confirm_delete.html", {"macro": macro})


def _workable_ticket_or_404(request: HttpRequest, ticket_id: int) -> Ticket:
    """The ticket, if the user can see it and work it; 404 otherwise (nothing leaks)."""
    ticket = access.get_visible_or_404(
        ticket_list_visible_to(user=request.user)
        .select_related(None)
        .select_related("client", "team"),
        pk=ticket_id,
    )
    if not access.can_work_on_team(request.user, ticket.team_id):
        raise Http404
    return ticket


@login_required
def macro_picker(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """htmx fragment: the macros the user may apply to this ticket (see the module docstring)."""
    ticket = _workable_ticket_or_404(request, ticket_id)
    macros = list(selectors.macros_available_to(user=request.user, ticket=ticket))
    return render(
        request, "tickets/macros/picker.html", {"ticket": ticket, "macros": macros, "status": ""}
    )


@login_required
@require_POST
def macro_apply(request: HttpRequest, ticket_id: int, macro_id: int) -> HttpResponse:
    """htmx fragment: the reply text and hidden field changes of one macro for this ticket."""
    ticket = _workable_ticket_or_404(request, ticket_id)
    macros = list(selectors.macros_available_to(user=request.user, ticket=ticket))
    macro = next((candidate for candidate in macros if candidate.pk == macro_id), None)
    if macro is None:
        raise Http404
    rendered = services.macro_render(macro=macro, ticket=ticket, agent=request.user)
    typed = request.POST.get("body", "").rstrip()
    body = f"{typed}\n\n{rendered.body}" if typed else rendered.body
    return render(
        request,
        "tickets/macros/applied.html",
        {
            "ticket": ticket,
            "macro": macro,
            "macros": macros,
            "rendered": rendered,
            "body": body,
            "body_max_chars": BODY_MAX_LENGTH,
            "status_label": Ticket.Status(rendered.set_status).label if rendered.set_status else "",
            "priority_label": Ticket.Priority(rendered.set_priority).label
            if rendered.set_priority
            else "",
            "status": _("Macro “%(name)s” inserted.") % {"name": macro.name},
        },
    )


urlpatterns = [
    path("macros/", macro_list, name="macro_list"),
    path("macros/new/", macro_create, name="macro_create"),
    path("macros/<int:macro_id>/edit/", macro_edit, name="macro_edit"),
    path("macros/<int:macro_id>/delete/", macro_delete, name="macro_delete"),
    path("<int:ticket_id>/macros/", macro_picker, name="macro_picker"),
    path("<int:ticket_id>/macros/<int:macro_id>/apply/", macro_apply, name="macro_apply"),
]
