"""Team pages (members, roles), agent profiles (skills, capacity, shifts, 1:1 notes) and the
top bar's live status control.

Reads go through ``teams.selectors`` (scoped: a team or person outside the user's scope is a
404); every change asks ``teams.access`` and a service (403 when the user may see but not act).
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from supportdesk.errors import ApplicationError
from teams import access
from teams.forms import MemberAddForm, MemberRoleForm, NoteForm, ProfileForm, ShiftForm, StatusForm
from teams.models import AgentProfile, Shift, Skill, TeamMembership, User
from teams.selectors import people as selectors
from teams.selectors import training as training_selectors
from teams.services import membership as membership_services
from teams.services import notes as note_services
from teams.services import profiles as profile_services
from teams.services import status as status_services


def _visible_team(request: HttpRequest, team_id: int) -> Any:
    return access.get_visible_or_404(access.teams_visible_to(request.user), pk=team_id)


def _visible_membership(request: HttpRequest, membership_id: int) -> TeamMembership:
    queryset = access.scope_to_visible_teams(
        request.user, TeamMembership.objects.select_related("team", "user")
    )
    return access.get_visible_or_404(queryset, pk=membership_id)


# --- Teams ------------------------------------------------------------------------------------


@login_required
def team_list(request: HttpRequest) -> HttpResponse:
    access.require(access.is_staff_member(request.user))
    return render(
        request,
        "teams/team_list.html",
        {"teams": selectors.team_list_visible_to(user=request.user)},
    )


def _render_team(
    request: HttpRequest,
    team: Any,
    *,
    add_form: MemberAddForm | None = None,
    error: str | None = None,
    status: int = 200,
) -> HttpResponse:
    can_manage = access.can_supervise_team(request.user, team)
    candidates = selectors.membership_candidates(team=team)
    today = timezone.localdate()
    return render(
        request,
        "teams/team_detail.html",
        {
            "team": team,
            "members": selectors.team_members(team=team),
            "can_manage": can_manage,
            "add_form": add_form or (MemberAddForm(candidates=candidates) if can_manage else None),
            "role_choices": TeamMembership.Role.choices,
            "training": training_selectors.training_summary_of_team(team=team, today=today),
            "error": error,
        },
        status=status,
    )


@login_required
def team_detail(request: HttpRequest, team_id: int) -> HttpResponse:
    access.require(access.is_staff_member(request.user))
    return _render_team(request, _visible_team(request, team_id))


@login_required
@require_POST
def member_add(request: HttpRequest, team_id: int) -> HttpResponse:
    team = _visible_team(request, team_id)
    access.require(access.can_supervise_team(request.user, team))
    form = MemberAddForm(request.POST, candidates=selectors.membership_candidates(team=team))
    if not form.is_valid():
        return _render_team(request, team, add_form=form, status=400)
    try:
        membership = membership_services.team_member_add(
            actor=request.user,
            team=team,
            user=form.cleaned_data["user"],
            role=form.cleaned_data["role"],
        )
    except ApplicationError as error:
        form.add_error(None, str(error.message))
        return _render_team(request, team, add_form=form, status=error.status)
    messages.success(
        request,
        _("%(name)s joined %(team)s.") % {"name": membership.user, "team": team.name},
    )
    return redirect("teams:team_detail", team_id=team.pk)


@login_required
@require_POST
def member_role(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = _visible_membership(request, membership_id)
    access.require(access.can_supervise_team(request.user, membership.team))
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        return _render_team(request, membership.team, error=_("Choose a role."), status=400)
    try:
        membership_services.team_member_change_role(
            actor=request.user, membership=membership, role=form.cleaned_data["role"]
        )
    except ApplicationError as error:
        return _render_team(request, membership.team, error=str(error.message), status=error.status)
    messages.success(request, _("Role changed."))
    return redirect("teams:team_detail", team_id=membership.team_id)


@login_required
@require_POST
def member_remove(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = _visible_membership(request, membership_id)
    access.require(access.can_supervise_team(request.user, membership.team))
    try:
        membership_services.team_member_remove(actor=request.user, membership=membership)
    except ApplicationError as error:
        return _render_team(request, membership.team, error=str(error.message), status=error.status)
    messages.success(
        request,
        _("%(name)s left %(team)s.") % {"name": membership.user, "team": membership.team.name},
    )
    return redirect("teams:team_detail", team_id=membership.team_id)


# --- Agent profiles ---------------------------------------------------------------------------


def _render_profile(
    request: HttpRequest,
    agent: User,
    *,
    profile_form: ProfileForm | None = None,
    shift_form: ShiftForm | None = None,
    note_form: NoteForm | None = None,
    failed_shift: int | None = None,
    failed_shift_form: ShiftForm | None = None,
    error: str | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    can_edit = access.can_supervise_agent(user, agent)
    can_notes = access.can_read_one_on_one_notes(user, agent)
    profile = getattr(agent, "agent_profile", None)
    agent_skills = list(agent.skills.all())
    skills = list(Skill.objects.order_by("kind", "name_en")) if can_edit else []
    if can_edit and profile_form is None:
        profile_form = ProfileForm(
            skills=skills,
            current={row.skill_id: row.proficiency for row in agent_skills},
            initial={"capacity": profile.capacity if profile else AgentProfile.DEFAULT_CAPACITY},
        )
    shifts = list(agent.shifts.all())
    shift_rows = [
        {
            "shift": shift,
            "day": profile_services.WEEKDAY_NAMES[shift.weekday],
            "overnight": shift.ends_at <= shift.starts_at,
            "form": failed_shift_form
            if failed_shift == shift.pk
            else ShiftForm(
                prefix=f"shift-{shift.pk}",
                initial={
                    "weekday": shift.weekday,
                    "starts_at": shift.starts_at,
                    "ends_at": shift.ends_at,
                },
            ),
        }
        for shift in shifts
    ]
    today = timezone.localdate()
    return render(
        request,
        "teams/agent_profile.html",
        {
            "agent": agent,
            "profile": profile,
            "languages": [row for row in agent_skills if row.skill.kind == Skill.Kind.LANGUAGE],
            "products": [row for row in agent_skills if row.skill.kind == Skill.Kind.PRODUCT],
            "memberships": list(agent.memberships.all()),
            "shift_rows": shift_rows,
            "can_edit": can_edit,
            "profile_form": profile_form,
            "language_fields": profile_form.skill_fields(Skill.Kind.LANGUAGE) if can_edit else [],
            "product_fields": profile_form.skill_fields(Skill.Kind.PRODUCT) if can_edit else [],
            "shift_form": shift_form or (ShiftForm(prefix="new") if can_edit else None),
            "can_notes": can_notes,
            "notes": selectors.one_on_one_notes(user=user, agent=agent) if can_notes else [],
            "note_form": note_form or (NoteForm() if can_notes else None),
            "training": training_selectors.training_of_agent(agent=agent, today=today),
            "is_self": agent.pk == user.pk,
            "error": error,
        },
        status=status,
    )


@login_required
def agent_profile(request: HttpRequest, user_id: int) -> HttpResponse:
    access.require(access.is_staff_member(request.user))
    agent = selectors.agent_for_profile(user=request.user, agent_id=user_id)
    return _render_profile(request, agent)


@login_required
def my_profile(request: HttpRequest) -> HttpResponse:
    access.require(access.is_staff_member(request.user))
    return redirect("teams:agent_profile", user_id=request.user.pk)


@login_required
@require_POST
def agent_profile_update(request: HttpRequest, user_id: int) -> HttpResponse:
    agent = selectors.agent_for_profile(user=request.user, agent_id=user_id)
    access.require(access.can_supervise_agent(request.user, agent))
    skills = list(Skill.objects.order_by("kind", "name_en"))
    form = ProfileForm(request.POST, skills=skills, current={})
    if not form.is_valid():
        return _render_profile(request, agent, profile_form=form, status=400)
    try:
        profile_services.agent_profile_update(
            actor=request.user,
            agent=agent,
            capacity=form.cleaned_data["capacity"],
            proficiencies=form.proficiencies(),
        )
    except ApplicationError as error:
        form.add_error(None, str(error.message))
        return _render_profile(request, agent, profile_form=form, status=error.status)
    messages.success(request, _("Skills and capacity saved."))
    return redirect("teams:agent_profile", user_id=agent.pk)


@login_required
@require_POST
def shift_add(request: HttpRequest, user_id: int) -> HttpResponse:
    agent = selectors.agent_for_profile(user=request.user, agent_id=user_id)
    access.require(access.can_supervise_agent(request.user, agent))
    form = ShiftForm(request.POST, prefix="new")
    if not form.is_valid():
        return _render_profile(request, agent, shift_form=form, status=400)
    try:
        profile_services.shift_add(actor=request.user, agent=agent, **form.cleaned_data)
    except ApplicationError as error:
        form.add_error(None, str(error.message))
        return _render_profile(request, agent, shift_form=form, status=error.status)
    messages.success(request, _("Shift added."))
    return redirect("teams:agent_profile", user_id=agent.pk)


def _visible_shift(request: HttpRequest, shift_id: int) -> Shift:
    people = access.agents_visible_to(request.user, User.objects.all())
    return access.get_visible_or_404(
        Shift.objects.filter(user__in=people).select_related("user"), pk=shift_id
    )


@login_required
@require_POST
def shift_update(request: HttpRequest, shift_id: int) -> HttpResponse:
    shift = _visible_shift(request, shift_id)
    access.require(access.can_supervise_agent(request.user, shift.user))
    form = ShiftForm(request.POST, prefix=f"shift-{shift.pk}")
    agent = selectors.agent_for_profile(user=request.user, agent_id=shift.user_id)
    if not form.is_valid():
        return _render_profile(
            request, agent, failed_shift=shift.pk, failed_shift_form=form, status=400
        )
    try:
        profile_services.shift_update(actor=request.user, shift=shift, **form.cleaned_data)
    except ApplicationError as error:
        form.add_error(None, str(error.message))
        agent = selectors.agent_for_profile(user=request.user, agent_id=shift.user_id)
        return _render_profile(
            request, agent, failed_shift=shift.pk, failed_shift_form=form, status=error.status
        )
    messages.success(request, _("Shift saved."))
    return redirect("teams:agent_profile", user_id=shift.user_id)


@login_required
@require_POST
def shift_delete(request: HttpRequest, shift_id: int) -> HttpResponse:
    shift = _visible_shift(request, shift_id)
    access.require(access.can_supervise_agent(request.user, shift.user))
    user_id = shift.user_id
    profile_services.shift_delete(actor=request.user, shift=shift)
    messages.success(request, _("Shift removed."))
    return redirect("teams:agent_profile", user_id=user_id)


@login_required
@require_POST
def one_on_one_note_add(request: HttpRequest, user_id: int) -> HttpResponse:
    agent = selectors.agent_for_profile(user=request.user, agent_id=user_id)
    access.require(access.can_read_one_on_one_notes(request.user, agent))
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _render_profile(request, agent, note_form=form, status=400)
    try:
        note_services.one_on_one_note_add(
            actor=request.user, agent=agent, body=form.cleaned_data["body"]
        )
    except ApplicationError as error:
        form.add_error("body", str(error.message))
        return _render_profile(request, agent, note_form=form, status=error.status)
    messages.success(request, _("1:1 note saved."))
    return redirect("teams:agent_profile", user_id=agent.pk)


# --- Live status (top bar) --------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def status_control(request: HttpRequest) -> HttpResponse:
    """The top bar's status menu: an htmx fragment loaded after the page (GET) and the change
    (POST), answering with the fragment again."""
    access.require(access.can_set_own_status(request.user))
    http_status = 200
    error = None
    if request.method == "POST":
        form = StatusForm(request.POST)
        if form.is_valid():
            try:
                status_services.agent_status_set(
                    actor=request.user, status=form.cleaned_data["status"]
                )
            except ApplicationError as failure:
                error, http_status = str(failure.message), failure.status
        else:
            error, http_status = _("Unknown status."), 400
        if not request.headers.get("HX-Request") and error is None:
            return redirect("teams:my_profile")
    profile = AgentProfile.objects.filter(user=request.user).first()
    return render(
        request,
        "teams/partials/status_control.html",
        {
            "current": profile.status if profile else AgentProfile.Status.OFFLINE,
            "automatic": bool(profile and profile.status_set_automatically),
            "choices": AgentProfile.Status.choices,
            "error": error,
        },
        status=http_status,
    )


urlpatterns = [
    path("", team_list, name="team_list"),
    path("<int:team_id>/", team_detail, name="team_detail"),
    path("<int:team_id>/members/add/", member_add, name="member_add"),
    path("memberships/<int:membership_id>/role/", member_role, name="member_role"),
    path("memberships/<int:membership_id>/remove/", member_remove, name="member_remove"),
    path("people/me/", my_profile, name="my_profile"),
    path("people/<int:user_id>/", agent_profile, name="agent_profile"),
    path("people/<int:user_id>/profile/", agent_profile_update, name="agent_profile_update"),
    path("people/<int:user_id>/shifts/", shift_add, name="shift_add"),
    path("shifts/<int:shift_id>/", shift_update, name="shift_update"),
    path("shifts/<int:shift_id>/delete/", shift_delete, name="shift_delete"),
    path("people/<int:user_id>/notes/", one_on_one_note_add, name="one_on_one_note_add"),
    path("status/", status_control, name="status"),
]
