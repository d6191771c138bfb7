from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from metrics.selectors import board as selectors
from metrics.selectors.sla import sla_board_flags
from teams import access
from teams.access import Role


@login_required
def board(request: HttpRequest) -> HttpResponse:
    """The supervisor's home: what needs their attention in the teams they supervise."""
    access.require_role(request.user, (Role.SUPERVISOR, Role.ADMINISTRATOR))
    context = {
        "teams": access.teams_supervised_by(request.user),
        "escalated": selectors.board_escalated_tickets(user=request.user),
        "unassigned": selectors.board_unassigned_tickets(user=request.user),
        "loads": selectors.board_agent_loads(user=request.user),
        "sla_flags": sla_board_flags(user=request.user, now=timezone.now()),
    }
    template = "metrics/partials/board_panels.html" if request.htmx else "metrics/board.html"
    return render(request, template, context)


urlpatterns = [path("board/", board, name="board")]
