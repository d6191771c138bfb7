from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _

from teams import access
from teams.access import Role
from tickets.selectors import queues as selectors
from tickets.selectors import ticket as ticket_selectors

PAGE_SIZE = 50
WORKING_ROLES = (Role.AGENT, Role.SUPERVISOR)


@login_required
def my_tickets(request: HttpRequest) -> HttpResponse:
    access.require_role(request.user, WORKING_ROLES)
    tickets = selectors.ticket_list_assigned_to(user=request.user)
    page = Paginator(tickets, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "tickets/ticket_list.html",
        {
            "page": page,
            "title": _("My tickets"),
            "empty_text": _("No open tickets are assigned to you."),
        },
    )


@login_required
def team_queue(request: HttpRequest) -> HttpResponse:
    access.require_role(request.user, WORKING_ROLES)
    tickets = selectors.ticket_list_team_queue(user=request.user)
    page = Paginator(tickets, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "tickets/ticket_list.html",
        {
            "page": page,
            "title": _("My teams' queue"),
            "empty_text": _("Your teams have no open tickets."),
        },
    )


@login_required
def ticket_detail(request: HttpRequest, ticket_id: int) -> HttpResponse:
    access.require(access.is_staff_member(request.user))
    ticket = ticket_selectors.ticket_detail_for(user=request.user, ticket_id=ticket_id)
    return render(request, "tickets/ticket_detail.html", {"ticket": ticket})


@login_required
def client_home(request: HttpRequest) -> HttpResponse:
    access.require_role(request.user, (Role.CLIENT,))
    tickets = selectors.ticket_list_for_client(user=request.user)
    page = Paginator(tickets, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "tickets/client_home.html", {"page": page})


urlpatterns = [
    path("mine/", my_tickets, name="mine"),
    path("queue/", team_queue, name="team_queue"),
    path("<int:ticket_id>/", ticket_detail, name="detail"),
    path("my-requests/", client_home, name="client_home"),
]
