"""Administrators' pages for routing rules (ordered, editable, movable) and internal teams.

Forms validate and shape input; the services in ``tickets.services.routing`` and
``tickets.services.escalations`` write. Everyone else gets 403.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from supportdesk.errors import ApplicationError
from supportdesk.forms import submit_form
from teams import access
from teams.models import Language, Team
from tickets.models import Category, Client, InternalTeam, RoutingRule, Ticket
from tickets.selectors import escalations as escalation_selectors
from tickets.selectors import routing as selectors
from tickets.services import escalations as escalation_services
from tickets.services import routing as services

ANY = [("", gettext_lazy("Any"))]


class RoutingRuleForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    category = forms.ModelChoiceField(
        label=gettext_lazy("Category"),
        queryset=Category.objects.filter(is_active=True),
        required=False,
        empty_label=gettext_lazy("Any"),
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language"), choices=ANY + list(Language.choices), required=False
    )
    client_tier = forms.ChoiceField(
        label=gettext_lazy("Client tier"), choices=ANY + list(Client.Tier.choices), required=False
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("Channel"), choices=ANY + list(Ticket.Channel.choices), required=False
    )
    team = forms.ModelChoiceField(label=gettext_lazy("Send to team"), queryset=Team.objects.all())
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)


class InternalTeamForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    contact_email = forms.EmailField(label=gettext_lazy("Contact email"))
    description = forms.CharField(
        label=gettext_lazy("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)
    jira_project_key = forms.CharField(
        label=gettext_lazy("Jira project key"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("Escalations to this team also open an issue in this Jira project."),
    )
    jira_issue_type = forms.CharField(
        label=gettext_lazy("Jira issue type"), max_length=50, required=False, initial="Task"
    )


def _require_admin(request: HttpRequest) -> None:
    access.require(access.can_configure_desk(request.user))


@login_required
def routing_settings(request: HttpRequest) -> HttpResponse:
    """The ordered rules and the internal teams, with links to edit them."""
    _require_admin(request)
    return render(
        request,
        "tickets/routing/settings.html",
        {
            "rules": selectors.routing_rules_ordered(),
            "internal_teams": escalation_selectors.internal_teams_all(),
        },
    )


def _form_page(
    request: HttpRequest, form: forms.Form, save: Any, *, title: str, success: str
) -> HttpResponse:
    status = 200
    if request.method == "POST":
        result, status = submit_form(form, save)
        if result is not None:
            messages.success(request, success)
            return redirect("tickets:routing_settings")
    return render(
        request, "tickets/routing/form.html", {"form": form, "title": title}, status=status
    )


@login_required
def routing_rule_edit(request: HttpRequest, rule_id: int | None = None) -> HttpResponse:
    _require_admin(request)
    rule = get_object_or_404(RoutingRule, pk=rule_id) if rule_id else None
    initial = (
        {name: getattr(rule, name) for name in services.RULE_FIELDS} if rule is not None else {}
    )
    form = RoutingRuleForm(request.POST if request.method == "POST" else None, initial=initial)
    return _form_page(
        request,
        form,
        lambda data: services.routing_rule_save(actor=request.user, rule=rule, data=data),
        title=_("Edit routing rule") if rule else _("New routing rule"),
        success=_("The routing rule was saved."),
    )


@login_required
@require_POST
def routing_rule_move(request: HttpRequest, rule_id: int) -> HttpResponse:
    _require_admin(request)
    rule = get_object_or_404(RoutingRule, pk=rule_id)
    try:
        services.routing_rule_move(
            actor=request.user, rule=rule, direction=request.POST.get("direction", "")
        )
    except ApplicationError as error:
        messages.error(request, str(error.message))
        return render(
            request,
            "tickets/routing/settings.html",
            {
                "rules": selectors.routing_rules_ordered(),
                "internal_teams": escalation_selectors.internal_teams_all(),
            },
            status=error.status,
        )
    return redirect("tickets:routing_settings")


@login_required
@require_POST
def routing_rule_delete(request: HttpRequest, rule_id: int) -> HttpResponse:
    _require_admin(request)
    rule = get_object_or_404(RoutingRule, pk=rule_id)
    services.routing_rule_delete(actor=request.user, rule=rule)
    messages.success(request, _("The routing rule was deleted."))
    return redirect("tickets:routing_settings")


@login_required
def internal_team_edit(request: HttpRequest, team_id: int | None = None) -> HttpResponse:
    _require_admin(request)
    team = get_object_or_404(InternalTeam, pk=team_id) if team_id else None
    initial = (
        {
            "name": team.name,
            "contact_email": team.contact_email,
            "description": team.description,
            "is_active": team.is_active,
            "jira_project_key": team.jira_project_key,
            "jira_issue_type": team.jira_issue_type,
        }
        if team is not None
        else {}
    )
    form = InternalTeamForm(request.POST if request.method == "POST" else None, initial=initial)
    return _form_page(
        request,
        form,
        lambda data: escalation_services.internal_team_save(
            actor=request.user, internal_team=team, data=data
        ),
        title=_("Edit internal team") if team else _("New internal team"),
        success=_("The internal team was saved."),
    )


urlpatterns = [
    path("routing/", routing_settings, name="routing_settings"),
    path("routing/rules/new/", routing_rule_edit, name="routing_rule_create"),
    path("routing/rules/<int:rule_id>/", routing_rule_edit, name="routing_rule_edit"),
    path("routing/rules/<int:rule_id>/move/", routing_rule_move, name="routing_rule_move"),
    path("routing/rules/<int:rule_id>/delete/", routing_rule_delete, name="routing_rule_delete"),
    path("routing/internal-teams/new/", internal_team_edit, name="internal_team_create"),
    path("routing/internal-teams/<int:team_id>/", internal_team_edit, name="internal_team_edit"),
]
