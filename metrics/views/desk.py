from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from metrics.selectors import desk as selectors
from teams import access
from teams.access import Role


@login_required
def desk(request: HttpRequest) -> HttpResponse:
    """The manager's home: each team's workload at a glance."""
    access.require_role(request.user, (Role.MANAGER, Role.ADMINISTRATOR))
    return render(
        request, "metrics/desk.html", {"teams": selectors.desk_overview(user=request.user)}
    )


urlpatterns = [path("desk/", desk, name="desk")]
