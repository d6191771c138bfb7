"""Reads of macros, always scoped to what the user may use or manage (``teams.access``)."""

from typing import Any

from django.db.models import F, Q, QuerySet

from teams import access
from tickets.models import Macro, Ticket
from tickets.services.macros import MACRO_ROLES


def macros_available_to(*, user: Any, ticket: Ticket) -> QuerySet[Macro]:
    """The macros ``user`` may apply to ``ticket``: their own active personal macros and the
    active macros shared with the ticket's team, personal ones first, by name. Nothing for
    someone who may not work the ticket."""
    if not access.can_work_on_team(user, ticket.team_id):
        return Macro.objects.none()
    return (
        Macro.objects.filter(Q(owner=user) | Q(team_id=ticket.team_id), is_active=True)
        .select_related("team")
        .order_by(F("team_id").asc(nulls_first=True), "name", "pk")
    )


def macro_list_for(*, user: Any) -> QuerySet[Macro]:
    """The macros page: the user's personal macros and the shared macros of the teams whose
    tickets they work (every team for administrators), active or not."""
    if not access.has_role(user, *MACRO_ROLES):
        return Macro.objects.none()
    return (
        Macro.objects.filter(Q(owner=user) | Q(team__in=access.teams_workable_by(user)))
        .select_related("team")
        .order_by(F("team__name").asc(nulls_first=True), "name", "pk")
    )


def macro_team_ids_editable_by(*, user: Any) -> frozenset[int]:
    """Ids of the teams whose shared macros ``user`` may edit (one query)."""
    return frozenset(access.teams_supervised_by(user).values_list("pk", flat=True))


def macro_for_editing(*, user: Any, macro_id: int) -> Macro:
    """One macro from the user's list; 404 when it is someone else's or another team's."""
    return access.get_visible_or_404(macro_list_for(user=user), pk=macro_id)
