"""Macros: bilingual reply templates that may also set fields (writes and rendering).

Who may do what (checked here through ``teams.access``):

* a **personal** macro (``owner`` set) is created, edited, deleted and used only by its owner;
  anyone who works tickets (agents, supervisors, administrators) may have personal macros;
* a **team** macro (``team`` set) is created, edited and deleted by the supervisors of that team
  and by administrators; every member of the team may use it on the team's tickets.

A macro may only set the statuses an agent's reply may move a ticket to (``SETTABLE_STATUSES``):
resolving needs a resolution code and summary, and closing is automatic, so neither is a macro's
business.
"""

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from supportdesk.errors import ApplicationError, NotAllowed
from teams import access
from teams.access import Role
from teams.models import Team
from tickets import lifecycle
from tickets.models import Macro, Ticket

logger = logging.getLogger(__name__)

SETTABLE_STATUSES: tuple[str, ...] = (
    Ticket.Status.OPEN,
    Ticket.Status.PENDING_CLIENT,
    Ticket.Status.PENDING_INTERNAL,
    Ticket.Status.ON_HOLD,
)
MACRO_ROLES = (Role.AGENT, Role.SUPERVISOR, Role.ADMINISTRATOR)
NAME_MAX_CHARS = 100
BODY_MAX_CHARS = 10_000
TAG_MAX_CHARS = 50
TAGS_MAX = 10
TAG_PATTERN = re.compile(r"^[\w-]+$")
# ``{word}``: only lower-case names are placeholders; anything else in braces stays as typed.
PLACEHOLDER_PATTERN = re.compile(r"\{([a-z_]+)\}")
PLACEHOLDERS: tuple[str, ...] = (
    "client_name",
    "ticket_reference",
    "ticket_subject",
    "agent_name",
    "team_name",
)


@dataclass(frozen=True)
class RenderedMacro:
    """A macro filled in for one ticket: the reply text and the field changes it asks for."""

    body: str
    language: str
    set_status: str = ""
    set_priority: int | None = None
    add_tags: list[str] = field(default_factory=list)


# --- Permissions ------------------------------------------------------------------------------


def macro_can_edit(*, user: Any, macro: Macro) -> bool:
    """Whether ``user`` may edit or delete ``macro`` (its owner; a team's supervisors)."""
    if macro.team_id is not None:
        return access.can_supervise_team(user, macro.team_id)
    return macro.owner_id == getattr(user, "pk", None) and access.has_role(user, *MACRO_ROLES)


def macro_can_use(*, user: Any, macro: Macro, ticket: Ticket) -> bool:
    """Whether ``user`` may apply ``macro`` to ``ticket``."""
    if not macro.is_active or not access.can_work_on_team(user, ticket.team_id):
        return False
    if macro.team_id is not None:
        return macro.team_id == ticket.team_id
    return macro.owner_id == user.pk


# --- Validation -------------------------------------------------------------------------------


def _clean_fields(
    *,
    name: str,
    body_en: str,
    body_zh_hant: str,
    set_status: str,
    set_priority: int | None,
    add_tags: Iterable[str],
) -> dict[str, Any]:
    """Normalise a macro's fields or raise ``ApplicationError`` naming the faulty field."""
    name = (name or "").strip()
    body_en = (body_en or "").strip()
    body_zh_hant = (body_zh_hant or "").strip()
    if not name:
        raise ApplicationError(
            _("Give the macro a name."), code="name_required", details={"field": "name"}
        )
    if len(name) > NAME_MAX_CHARS:
        raise ApplicationError(
            _("The name is too long (at most %(limit)d characters).") % {"limit": NAME_MAX_CHARS},
            code="name_too_long",
            details={"field": "name"},
        )
    if not body_en and not body_zh_hant:
        raise ApplicationError(
            _("Write the reply in English, in Traditional Chinese, or in both."),
            code="body_required",
            details={"field": "body_en"},
        )
    for field_name, body in (("body_en", body_en), ("body_zh_hant", body_zh_hant)):
        if len(body) > BODY_MAX_CHARS:
            raise ApplicationError(
                _("The reply is too long (at most %(limit)d characters).")
                % {"limit": BODY_MAX_CHARS},
                code="body_too_long",
                details={"field": field_name},
            )
    set_status = set_status or ""
    if set_status and set_status not in SETTABLE_STATUSES:
        raise ApplicationError(
            _(
                "A macro can set the status only to Open, Pending client, Pending internal "
                "or On hold."
            ),
            code="status_not_settable",
            details={"field": "set_status"},
        )
    if set_priority is not None and set_priority not in Ticket.Priority.values:
        raise ApplicationError(
            _("Choose a priority from P1 to P4."),
            code="invalid_priority",
            details={"field": "set_priority"},
        )
    tags: list[str] = []
    for raw in add_tags:
        tag = (raw or "").strip().lower()
        if not tag or tag in tags:
            continue
        if len(tag) > TAG_MAX_CHARS or not TAG_PATTERN.match(tag):
            raise ApplicationError(
                _(
                    "“%(tag)s” is not a valid tag: use letters, digits and hyphens, at most "
                    "%(limit)d characters."
                )
                % {"tag": tag[:60], "limit": TAG_MAX_CHARS},
                code="invalid_tag",
                details={"field": "add_tags"},
            )
        tags.append(tag)
    if len(tags) > TAGS_MAX:
        raise ApplicationError(
            _("A macro can add at most %(limit)d tags.") % {"limit": TAGS_MAX},
            code="too_many_tags",
            details={"field": "add_tags"},
        )
    return {
        "name": name,
        "body_en": body_en,
        "body_zh_hant": body_zh_hant,
        "set_status": set_status,
        "set_priority": set_priority,
        "add_tags": tags,
    }


# --- Writes -----------------------------------------------------------------------------------


@transaction.atomic
def macro_create(
    *,
    actor: Any,
    name: str,
    team: Team | None = None,
    body_en: str = "",
    body_zh_hant: str = "",
    set_status: str = "",
    set_priority: int | None = None,
    add_tags: Iterable[str] = (),
    is_active: bool = True,
) -> Macro:
    """Create a personal macro (``team`` is ``None``: owned by ``actor``) or a team macro.

    Team macros may be created only by the team's supervisors and administrators; personal
    macros by anyone who works tickets. Raises ``NotAllowed`` (403) or ``ApplicationError``
    (400, naming the field in ``details["field"]``).
    """
    if team is None:
        if not access.has_role(actor, *MACRO_ROLES):
            raise NotAllowed(_("Only people who work tickets can keep macros."))
    elif not access.can_supervise_team(actor, team):
        raise NotAllowed(
            _("Only supervisors of %(team)s and administrators can create its shared macros.")
            % {"team": team.name}
        )
    fields = _clean_fields(
        name=name,
        body_en=body_en,
        body_zh_hant=body_zh_hant,
        set_status=set_status,
        set_priority=set_priority,
        add_tags=add_tags,
    )
    macro = Macro(
        **fields,
        owner=actor if team is None else None,
        team=team,
        is_active=is_active,
        created_by=actor,
    )
    macro.save()
    logger.info(
        "macro.created", extra={"macro_id": macro.pk, "team_id": macro.team_id, "actor": actor.pk}
    )
    return macro


@transaction.atomic
def macro_update(
    *,
    actor: Any,
    macro: Macro,
    name: str,
    body_en: str = "",
    body_zh_hant: str = "",
    set_status: str = "",
    set_priority: int | None = None,
    add_tags: Iterable[str] = (),
    is_active: bool = True,
) -> Macro:
    """Replace a macro's name, bodies, effects and active flag. Who owns it does not change."""
    macro = Macro.objects.select_for_update().get(pk=macro.pk)
    if not macro_can_edit(user=actor, macro=macro):
        raise NotAllowed(_("You may not change this macro."))
    fields = _clean_fields(
        name=name,
        body_en=body_en,
        body_zh_hant=body_zh_hant,
        set_status=set_status,
        set_priority=set_priority,
        add_tags=add_tags,
    )
    for name_, value in fields.items():
        setattr(macro, name_, value)
    macro.is_active = is_active
    macro.save()
    logger.info("macro.updated", extra={"macro_id": macro.pk, "actor": actor.pk})
    return macro


@transaction.atomic
def macro_delete(*, actor: Any, macro: Macro) -> None:
    """Delete a macro (its owner, or a supervisor of its team). Replies already sent with it
    keep their text: a macro is only a template."""
    macro = Macro.objects.select_for_update().get(pk=macro.pk)
    if not macro_can_edit(user=actor, macro=macro):
        raise NotAllowed(_("You may not delete this macro."))
    macro_id = macro.pk
    macro.delete()
    logger.info("macro.deleted", extra={"macro_id": macro_id, "actor": actor.pk})


# --- Rendering --------------------------------------------------------------------------------


def macro_render(*, macro: Macro, ticket: Ticket, agent: Any) -> RenderedMacro:
    """Fill ``macro`` in for ``ticket`` as written by ``agent``.

    The body is the one in the ticket's language, else the other one (``language`` says which
    was used). Placeholders are replaced in a single regular-expression pass, so a value that
    itself looks like a placeholder (a client called ``{agent_name}``) is inserted as typed and
    never expanded; unknown placeholders stay visible for the agent to notice. Values go in as
    plain text: the reply is rendered from Markdown and sanitised when it is stored.

    The status is asked for only when the ticket can move to it from where it is
    (``tickets.lifecycle``): not when it already has it, nor, say, Pending client for a Resolved
    ticket. Raises ``NotAllowed`` when the agent may not use this macro on this ticket.
    """
    if not macro_can_use(user=agent, macro=macro, ticket=ticket):
        raise NotAllowed(_("You may not use this macro on this ticket."))
    if ticket.language.startswith("zh"):
        preferred, other = ("zh-hant", macro.body_zh_hant), ("en", macro.body_en)
    else:
        preferred, other = ("en", macro.body_en), ("zh-hant", macro.body_zh_hant)
    language, template = preferred if preferred[1] else other
    values = {
        "client_name": ticket.client.name,
        "ticket_reference": ticket.reference,
        "ticket_subject": ticket.subject,
        "agent_name": agent.full_name or agent.email,
        "team_name": ticket.team.name,
    }

    def fill(match: re.Match[str]) -> str:
        return values.get(match.group(1), match.group(0))

    return RenderedMacro(
        body=PLACEHOLDER_PATTERN.sub(fill, template),
        language=language,
        set_status=macro.set_status
        if macro.set_status and lifecycle.can_transition(ticket.status, macro.set_status)
        else "",
        set_priority=macro.set_priority,
        add_tags=list(macro.add_tags or []),
    )
