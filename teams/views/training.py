"""Training pages: the overview (teams' overdue and due-soon counts, courses, upcoming
sessions), a team's training, one's own training and reminders, courses, sessions and
attendance."""

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
from supportdesk.forms import submit_form
from teams import access
from teams.forms import CourseForm, SessionForm
from teams.models import TrainingAttendance, TrainingCourse, TrainingSession, User
from teams.selectors import training as selectors
from teams.services import training as services


@login_required
def training_overview(request: HttpRequest) -> HttpResponse:
    access.require(access.is_staff_member(request.user))
    today = timezone.localdate()
    return render(
        request,
        "teams/training/overview.html",
        {
            "teams": selectors.training_teams_summary(user=request.user, today=today),
            "courses": selectors.course_list(),
            "sessions": selectors.upcoming_sessions(today=today),
            "mine": selectors.training_of_agent(agent=request.user, today=today),
            "can_manage": access.can_manage_training(request.user),
            "today": today,
        },
    )


@login_required
def my_training(request: HttpRequest) -> HttpResponse:
    access.require(access.is_staff_member(request.user))
    today = timezone.localdate()
    reminders = list(selectors.reminders_of(user=request.user))
    response = render(
        request,
        "teams/training/mine.html",
        {
            "requirements": selectors.training_of_agent(agent=request.user, today=today),
            "reminders": reminders,
            "today": today,
        },
    )
    if any(reminder.read_at is None for reminder in reminders):
        services.training_reminders_mark_read(user=request.user)
    return response


@login_required
def team_training(request: HttpRequest, team_id: int) -> HttpResponse:
    access.require(access.is_staff_member(request.user))
    team = access.get_visible_or_404(access.teams_visible_to(request.user), pk=team_id)
    # Agents see their team's training only if they supervise it (colleagues' records are
    # private to them and their supervisors); managers and administrators read every team.
    access.require(
        access.can_supervise_team(request.user, team) or access.reads_whole_desk(request.user)
    )
    today = timezone.localdate()
    return render(
        request,
        "teams/training/team.html",
        {
            "team": team,
            "requirements": selectors.training_of_team(team=team, today=today),
            "summary": selectors.training_summary_of_team(team=team, today=today),
            "today": today,
        },
    )


def _course_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": data["name"],
        "description": data["description"],
        "validity_days": data["validity_days"],
        "due_by": data["due_by"],
        "due_within_days": data["due_within_days"],
        "remind_days_before": data["remind_days_before"],
        "required_teams": data["required_teams"],
        "required_skills": data["required_skills"],
        "is_active": data["is_active"],
    }


@login_required
@require_http_methods(["GET", "POST"])
def course_edit(request: HttpRequest, course_id: int | None = None) -> HttpResponse:
    access.require(access.can_manage_training(request.user))
    course = None
    if course_id is not None:
        course = access.get_visible_or_404(TrainingCourse.objects.all(), pk=course_id)
        access.require(
            access.can_manage_course(
                request.user,
                team_ids=set(course.required_teams.values_list("pk", flat=True)),
                by_skill=course.required_skills.exists(),
            )
        )
    status = 200
    if request.method == "POST":
        form = CourseForm(request.POST, user=request.user)
        saved, status = submit_form(
            form,
            lambda data: services.training_course_save(
                actor=request.user, course=course, **_course_kwargs(data)
            ),
        )
        if saved is not None:
            messages.success(request, _("Course saved."))
            return redirect("teams:training")
    elif course is not None:
        form = CourseForm(
            user=request.user,
            initial={
                "name": course.name,
                "description": course.description,
                "validity_days": course.validity_days,
                "due_by": course.due_by,
                "due_within_days": course.due_within_days,
                "remind_days_before": course.remind_days_before,
                "required_teams": list(course.required_teams.all()),
                "required_skills": list(course.required_skills.all()),
                "is_active": course.is_active,
            },
        )
    else:
        form = CourseForm(user=request.user)
    return render(
        request, "teams/training/course_form.html", {"form": form, "course": course}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_create(request: HttpRequest) -> HttpResponse:
    access.require(access.can_manage_training(request.user))
    status = 200
    if request.method == "POST":
        form = SessionForm(request.POST)
        saved, status = submit_form(
            form, lambda data: services.training_session_create(actor=request.user, **data)
        )
        if saved is not None:
            messages.success(request, _("Session scheduled."))
            return redirect("teams:session_detail", session_id=saved.pk)
    else:
        form = SessionForm()
    return render(request, "teams/training/session_form.html", {"form": form}, status=status)


def _session_page(
    request: HttpRequest, session: TrainingSession, *, error: str | None = None, status: int = 200
) -> HttpResponse:
    attendances = {row.user_id: row for row in TrainingAttendance.objects.filter(session=session)}
    people = (
        access.agents_visible_to(request.user, User.objects.filter(is_active=True))
        .filter(memberships__isnull=False)
        .distinct()
        .order_by("full_name")
    )
    recordable = set(
        access.people_supervised_by(request.user, User.objects.all()).values_list("pk", flat=True)
    )
    rows = [
        {
            "person": person,
            "attendance": attendances.get(person.pk),
            "can_record": person.pk in recordable,
        }
        for person in people
    ]
    return render(
        request,
        "teams/training/session.html",
        {"session": session, "rows": rows, "error": error},
        status=status,
    )


@login_required
def session_detail(request: HttpRequest, session_id: int) -> HttpResponse:
    access.require(access.is_staff_member(request.user))
    session = access.get_visible_or_404(
        TrainingSession.objects.select_related("course", "trainer"), pk=session_id
    )
    return _session_page(request, session)


@login_required
@require_POST
def attendance_record(request: HttpRequest, session_id: int, user_id: int) -> HttpResponse:
    access.require(access.is_staff_member(request.user))
    session = access.get_visible_or_404(
        TrainingSession.objects.select_related("course", "trainer"), pk=session_id
    )
    person = access.get_visible_or_404(
        access.agents_visible_to(request.user, User.objects.filter(is_active=True)), pk=user_id
    )
    access.require(access.can_supervise_agent(request.user, person))
    try:
        services.training_attendance_record(
            actor=request.user,
            session=session,
            user=person,
            attended=request.POST.get("attended") == "1",
            completed=request.POST.get("completed") == "1",
        )
    except ApplicationError as error:
        return _session_page(request, session, error=str(error.message), status=error.status)
    messages.success(request, _("Attendance saved for %(name)s.") % {"name": person})
    return redirect("teams:session_detail", session_id=session.pk)


urlpatterns = [
    path("training/", training_overview, name="training"),
    path("training/mine/", my_training, name="my_training"),
    path("training/teams/<int:team_id>/", team_training, name="team_training"),
    path("training/courses/new/", course_edit, name="course_create"),
    path("training/courses/<int:course_id>/", course_edit, name="course_edit"),
    path("training/sessions/new/", session_create, name="session_create"),
    path("training/sessions/<int:session_id>/", session_detail, name="session_detail"),
    path(
        "training/sessions/<int:session_id>/attendance/<int:user_id>/",
        attendance_record,
        name="attendance_record",
    ),
]
