"""The notification inbox (@mentions, assignments, escalations) and the top-bar badge.

The badge is an htmx fragment loaded after the page, so that pages keep their fixed query count.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from teams import access
from tickets.selectors import notifications as selectors
from tickets.services.notifications import notifications_mark_read


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    access.require(access.is_staff_member(request.user))
    return render(
        request,
        "tickets/notifications.html",
        {
            "notifications": selectors.notification_list_for(user=request.user),
        },
    )


@login_required
def notification_badge(request: HttpRequest) -> HttpResponse:
    access.require(access.is_staff_member(request.user))
    unread = selectors.notification_unread_count(user=request.user)
    return render(
        request,
        "tickets/partials/notification_badge.html",
        {
            "unread": unread,
            "capped": unread > selectors.BADGE_CAP,
        },
    )


@login_required
@require_POST
def notification_mark_read(request: HttpRequest) -> HttpResponse:
    access.require(access.is_staff_member(request.user))
    ids = [int(value) for value in request.POST.getlist("id") if value.isdigit()]
    notifications_mark_read(user=request.user, notification_ids=ids or None)
    return redirect("tickets:notifications")


urlpatterns = [
    path("notifications/", notification_list, name="notifications"),
    path("notifications/badge/", notification_badge, name="notification_badge"),
    path("notifications/read/", notification_mark_read, name="notification_mark_read"),
]
