"""The rows of the supervisor's board as HTML, built in Python.

The board refreshes every 5 seconds for every supervisor and must answer in about 10 ms. With
Django's template engine its up to 60 ticket rows (about 40 nodes each: variables, filters,
``blocktranslate``, an include per row) and the agents' rows cost 20-30 ms per request; one
``str.format`` per row costs a few microseconds. The panels, headings and table headers stay in
``templates/metrics/partials/``; only the repeated rows are here. Every value is escaped with
``conditional_escape``; translated labels and URLs are computed once per page (``RowContext``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from metrics.selectors.board import BoardAgent, BoardTicket
from metrics.templatetags.sla import sla_duration
from teams.models import AgentProfile, Language, TeamMembership
from tickets.models import Ticket


def truncate_chars(text: str, length: int) -> str:
    """Django's ``truncatechars`` filter, without its per-character loop for short texts."""
    if len(text) <= length:
        return unicodedata.normalize("NFC", text)
    return Truncator(text).chars(length)


@dataclass(frozen=True)
class RowContext:
    """What every row of one page shares: the CSRF input, URLs split around the ticket id, the
    translated labels (escaped) and each team's ``<option>`` list of members."""

    now: datetime
    csrf_input: str
    bulk_url: str
    detail_url: tuple[str, str]
    escalate_url: tuple[str, str]
    coaching_url: tuple[str, str]
    target_options: str
    assignee_options: dict[int, str]
    priority_labels: dict[int, str]
    labels: dict[str, str]


def row_labels() -> dict[str, str]:
    """The translated labels of the rows, escaped (as ``{% translate %}`` would)."""
    texts = {
        "select": _("Select"),
        "unassigned": _("Unassigned"),
        "assign_to": _("Assign to"),
        "reassign": _("Reassign…"),
        "assign": _("Assign"),
        "take_over": _("Take over"),
        "escalate": _("Escalate"),
        "coaching_note": _("Coaching note"),
        "to": _("To"),
        "reason": _("Reason"),
        "breached": _("Breached"),
        "off_shift": _("off shift"),
    }
    return {key: str(conditional_escape(text)) for key, text in texts.items()}


def priority_labels() -> dict[int, str]:
    """``get_priority_display`` rebuilds and translates the choices on every call: once here."""
    return {value: str(conditional_escape(label)) for value, label in Ticket.Priority.choices}


_TICKET_ROW = (
    '  <tr data-ticket-id="{id}">\n'
    '    <td class="select-col"><input type="checkbox" name="ticket_ids" value="{id}"'
    ' form="board-bulk" aria-label="{select} {reference}"></td>\n'
    '    <td class="col-ticket"><a href="{detail}">{reference}</a>'
    ' <span class="badge priority-{priority}">{priority_label}</span><br>'
    '<span class="subject">{subject}</span></td>\n'
    '    <td class="col-team">{team}</td>\n'
    '    <td class="col-assignee">{assignee}</td>\n'
    '    <td class="col-info">{info}</td>\n'
    '    <td class="col-actions"><div class="board-actions">\n'
    '      <form method="post" action="{bulk_url}" class="board-row-form">{csrf}\n'
    '        <input type="hidden" name="ticket_ids" value="{id}">'
    '<input type="hidden" name="action" value="assign">\n'
    '        <select name="assignee" aria-label="{assign_to}"><option value="">{reassign}</option>'
    "{assignee_options}</select>\n"
    '        <button type="submit" class="button small">{assign}</button>\n'
    "      </form>\n"
    '      <form method="post" action="{bulk_url}" class="board-row-form">{csrf}\n'
    '        <input type="hidden" name="ticket_ids" value="{id}">'
    '<input type="hidden" name="action" value="take_over">\n'
    '        <button type="submit" class="button small">{take_over}</button>\n'
    "      </form>\n"
    '      <details class="action-menu">\n'
    '        <summary class="button small">{escalate}</summary>\n'
    '        <form method="post" action="{escalate_url}" class="popover">{csrf}\n'
    '          <select name="target" aria-label="{to}">{target_options}</select>\n'
    '          <textarea name="reason" rows="2" maxlength="2000" required aria-label="{reason}"'
    ' placeholder="{reason}"></textarea>\n'
    '          <button type="submit" class="primary">{escalate}</button>\n'
    "        </form>\n"
    "      </details>\n"
    '      <a class="button small" href="{coaching_url}">{coaching_note}</a>\n'
    "    </div></td>\n"
    "  </tr>"
)


def _info(row: BoardTicket, kind: str, page: RowContext) -> str:
    """The panel's own column: waiting time (escalations), internal team, or SLA / age."""
    now = page.now
    if kind == "escalation":
        info = _("waiting %(since)s") % {"since": timesince(row.escalated_at, now)}
        if row.escalated_by_name is not None:
            info += f" · {conditional_escape(row.escalated_by_name)}"
        reason = conditional_escape(truncate_chars(row.reason, 120))
        return f'{info}<br><span class="reason">{reason}</span>'
    if kind == "internal":
        waiting = _("waiting %(since)s") % {"since": timesince(row.handed_off_at, now)}
        return f"<strong>{conditional_escape(row.internal_team_name)}</strong> · {waiting}"
    if row.sla_due_at is None:
        return _("open %(age)s") % {"age": timesince(row.created_at, now)}
    if row.sla_breached or row.sla_due_at < now:
        since = _("%(since)s ago") % {"since": timesince(row.sla_due_at, now)}
        return f'<span class="badge priority-1">{page.labels["breached"]}</span> {since}'
    return _("due in %(left)s") % {"left": timeuntil(row.sla_due_at, now)}


def ticket_rows_html(rows: Iterable[BoardTicket], *, kind: str, page: RowContext) -> SafeString:
    """The ``<tr>`` of each ticket of a panel (``kind``: escalation, internal, at_risk or
    unassigned), with its actions: assign, take over, escalate, coaching note."""
    labels = page.labels
    detail_a, detail_b = page.detail_url
    escalate_a, escalate_b = page.escalate_url
    coaching_a, coaching_b = page.coaching_url
    html = []
    for row in rows:
        ticket_id = row.id
        assignee = (
            f'<span class="muted">{labels["unassigned"]}</span>'
            if row.assignee_id is None
            else conditional_escape(row.assignee_name or "")
        )
        html.append(
            _TICKET_ROW.format(
                id=ticket_id,
                reference=row.reference,
                detail=f"{detail_a}{ticket_id}{detail_b}",
                priority=row.priority,
                priority_label=page.priority_labels.get(row.priority, row.priority),
                subject=conditional_escape(truncate_chars(row.subject, 80)),
                team=conditional_escape(row.team_name),
                assignee=assignee,
                info=_info(row, kind, page),
                bulk_url=page.bulk_url,
                csrf=page.csrf_input,
                assignee_options=page.assignee_options.get(row.team_id, ""),
                escalate_url=f"{escalate_a}{ticket_id}{escalate_b}",
                coaching_url=f"{coaching_a}{ticket_id}{coaching_b}",
                target_options=page.target_options,
                **labels,
            )
        )
    return mark_safe("".join(html))  # noqa: S308 - every value above is escaped


_AGENT_ROW = (
    '\n    <tr data-agent-id="{user_id}">\n'
    "      <td>{team}</td>\n"
    "      <td>{name}{role}</td>\n"
    "      <td>{status}{shift}</td>\n"
    '      <td class="num{over}">{load}</td>\n'
    "      <td>{current}</td>\n"
    "    </tr>\n    "
)


def agent_rows_html(agents: Iterable[BoardAgent], *, page: RowContext) -> SafeString:
    """The agents table's rows: status, on shift, load against capacity, current tickets."""
    statuses = {value: conditional_escape(label) for value, label in AgentProfile.Status.choices}
    supervisor_label = conditional_escape(TeamMembership.Role.SUPERVISOR.label)
    off_shift = f' <span class="muted">{page.labels["off_shift"]}</span>'
    none = '<span class="muted">—</span>'
    detail_a, detail_b = page.detail_url
    html = []
    for agent in agents:
        has_profile = agent.status is not None
        if has_profile:
            status = (
                f'<span class="badge agent-status-{conditional_escape(agent.status)}">'
                f"{statuses.get(agent.status, conditional_escape(agent.status))}</span>"
            )
            load = f"{agent.open_count} / {agent.capacity}"
        else:
            status, load = none, str(agent.open_count)
        current = ", ".join(
            f'<a href="{detail_a}{ticket_id}{detail_b}">SD-{ticket_id:06d}</a>'
            for ticket_id in agent.current_ticket_ids or ()
        )
        html.append(
            _AGENT_ROW.format(
                user_id=agent.user_id,
                team=conditional_escape(agent.team_name),
                name=conditional_escape(agent.full_name),
                role=(
                    f' <span class="muted">({supervisor_label})</span>'
                    if agent.role == TeamMembership.Role.SUPERVISOR
                    else ""
                ),
                status=status,
                shift="" if agent.is_on_shift else off_shift,
                over=(
                    " over-capacity"
                    if has_profile and agent.open_count >= (agent.capacity or 0)
                    else ""
                ),
                load=load,
                current=current or none,
            )
        )
    return mark_safe("".join(html))  # noqa: S308 - every value above is escaped


def _sla_badge(due_at: datetime | None, breached: bool, now: datetime) -> str:
    """``{% sla_due_badge %}`` (metrics/sla/partials/due_badge.html) without a template."""
    if due_at is None:
        return f'<span class="sla sla-late">{_("SLA breached")}</span>' if breached else ""
    left = due_at - now
    if breached or left <= timedelta(0):
        tone = "late"
    elif left <= timedelta(hours=1):
        tone = "warn"
    else:
        tone = "ok"
    local = timezone.localtime(due_at)
    title = _("SLA due %(due)s") % {"due": local.strftime("%Y-%m-%d %H:%M")}
    text = (_("%(time)s overdue") if left <= timedelta(0) else _("%(time)s left")) % {
        "time": sla_duration(left)
    }
    return (
        f'<time class="sla sla-{tone}" datetime="{local.isoformat()}" title="{title}">{text}</time>'
    )


_FLAG_ROW = (
    "\n  <tr>\n    \n"
    '    <td><a href="{detail}" data-ticket-link>{reference}</a></td>\n'
    '    <td class="subject">{subject}</td>\n'
    "    <td>{client}</td>\n"
    '    <td><span class="badge priority-{priority}">{priority_label}</span></td>\n'
    '    <td><span class="badge status-{status}">{status_label}</span></td>\n'
    "    <td>{sla}</td>\n"
    '    <td class="col-category">{category}</td>\n'
    "    <td>{team}</td>\n"
    "    <td>{assignee}</td>\n"
    '    <td class="col-language">{language}</td>\n'
    "    \n"
    '    <td class="col-created"><time datetime="{created_iso}">{created_text}</time></td>\n'
    '    <td><time datetime="{updated_iso}">{updated_text}</time></td>\n'
    "    \n  </tr>\n  "
)


def flag_rows_html(tickets: Iterable[Ticket], *, page: RowContext) -> SafeString:
    """The rows of the SLA flags' ticket table: the markup of ``tickets/partials/
    ticket_table.html`` without selection (tests/metrics/test_board.py keeps them equal)."""
    language_code = get_language() or "en"
    statuses = {value: conditional_escape(label) for value, label in Ticket.Status.choices}
    languages = {value: conditional_escape(label) for value, label in Language.choices}
    detail_a, detail_b = page.detail_url
    html = []
    for ticket in tickets:
        created = timezone.localtime(ticket.created_at)
        updated = timezone.localtime(ticket.updated_at)
        html.append(
            _FLAG_ROW.format(
                detail=f"{detail_a}{ticket.pk}{detail_b}",
                reference=ticket.reference,
                subject=conditional_escape(ticket.subject),
                client=conditional_escape(ticket.client.name),
                priority=ticket.priority,
                priority_label=page.priority_labels.get(ticket.priority, ticket.priority),
                status=conditional_escape(ticket.status),
                status_label=statuses.get(ticket.status, conditional_escape(ticket.status)),
                sla=_sla_badge(ticket.sla_due_at, ticket.sla_breached, page.now),
                category=conditional_escape(ticket.category.localized_name(language_code)),
                team=conditional_escape(ticket.team.name),
                assignee=(
                    f'<span class="muted">{page.labels["unassigned"]}</span>'
                    if ticket.assignee_id is None
                    else conditional_escape(ticket.assignee.full_name)
                ),
                language=languages.get(ticket.language, conditional_escape(ticket.language)),
                created_iso=created.isoformat(),
                created_text=created.strftime("%Y-%m-%d %H:%M"),
                updated_iso=updated.isoformat(),
                updated_text=updated.strftime("%Y-%m-%d %H:%M"),
            )
        )
    return mark_safe("".join(html))  # noqa: S308 - every value above is escaped


def pause_rows_html(tickets: Iterable[Ticket], *, page: RowContext) -> SafeString:
    """The ``<li>`` of each ticket of the SLA flag "unusually long paused time"."""
    detail_a, detail_b = page.detail_url
    html = []
    for ticket in tickets:
        text = _("paused %(paused)s (90th percentile for %(category)s: %(usual)s)") % {
            "paused": conditional_escape(sla_duration(ticket.paused_for)),
            "usual": conditional_escape(sla_duration(ticket.category_threshold)),
            "category": conditional_escape(ticket.category.name_en),
        }
        html.append(
            f'<li><a href="{detail_a}{ticket.pk}{detail_b}">{ticket.reference}</a>'
            f" {conditional_escape(ticket.subject)} — {text}</li>"
        )
    return mark_safe("".join(html))  # noqa: S308 - every value above is escaped
