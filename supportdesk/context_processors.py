from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from teams import access
from teams.access import Role


def navigation(request: HttpRequest) -> dict[str, object]:
    """The navigation links the signed-in user's roles give them, in display order."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {
            "nav_links": [],
            "user_roles": frozenset(),
            "shows_search": False,
            "shows_status": False,
        }
    roles = access.roles_of(user)
    links: list[tuple[str, str]] = []
    if roles & {Role.AGENT, Role.SUPERVISOR}:
        links.append((reverse("tickets:mine"), _("My tickets")))
        links.append((reverse("tickets:team_queue"), _("Team queue")))
        links.append((reverse("tickets:unassigned"), _("Unassigned")))
        links.append((reverse("tickets:macro_list"), _("Macros")))
    if Role.SUPERVISOR in roles:
        links.append((reverse("metrics:board"), _("Supervisor board")))
    if access.can_manage_sla(user):
        links.append((reverse("metrics:sla_settings"), _("SLA")))
    if roles & {Role.MANAGER, Role.ADMINISTRATOR}:
        links.append((reverse("metrics:desk"), _("Desk overview")))
        links.append((reverse("tickets:all"), _("All tickets")))
    if roles & {Role.AGENT, Role.SUPERVISOR}:
        links.append((reverse("metrics:dashboards"), _("Dashboards")))
    if access.can_read_reports(user):
        links.append((reverse("metrics:reports"), _("Reports")))
    if access.is_staff_member(user):
        links.append((reverse("tickets:kb_index"), _("Knowledge base")))
        links.append((reverse("teams:team_list"), _("Teams")))
        links.append((reverse("teams:training"), _("Training")))
    if Role.ADMINISTRATOR in roles:
        links.append((reverse("administration"), _("Administration")))
    if Role.CLIENT in roles:
        links.append((reverse("tickets:client_home"), _("My requests")))
    path = request.path
    # The longest matching link is the current one (/teams/training/ is Training, not Teams).
    current = max((url for url, _label in links if path.startswith(url)), key=len, default=None)
    return {
        "nav_links": [
            {"url": url, "label": label, "current": url == current} for url, label in links
        ],
        "user_roles": frozenset(role.value for role in roles),
        "shows_search": access.is_staff_member(user),
        "shows_status": access.can_set_own_status(user),
    }
