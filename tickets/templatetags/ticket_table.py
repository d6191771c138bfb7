"""The rows of a ticket table, written out in Python.

A ticket list shows 50 rows of 13 cells on every request; through the template engine that is
some 1,500 nodes (variable look-ups, ``firstof``, ``if``, the SLA badge's inclusion template),
the largest part of the page's time. Here each row is one ``str.format`` of escaped values, and
the per-page work (choice labels, the detail URL, the clock) is done once.

Every value taken from a ticket, its client or its people is escaped with ``html.escape``
(what ``django.utils.html.escape`` calls, without its lazy-string wrapper, which costs more than
the escaping on 700 cells); the labels come from the translation catalogue and are escaped too.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from html import escape
from typing import Any

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from teams.models import Language
from tickets.models import Ticket

register = template.Library()

WARNING_WINDOW = timedelta(hours=1)

_ROW = (
    "<tr{row_attrs}>{select}"
    '<td><a href="{url}" data-ticket-link>{reference}</a></td>'
    '<td class="subject">{subject}</td>'
    "<td>{client}</td>"
    '<td><span class="badge priority-{priority}">{priority_label}</span></td>'
    '<td><span class="badge status-{status}">{status_label}</span></td>'
    "<td>{sla}</td>"
    '<td class="col-category">{category}</td>'
    "<td>{team}</td>"
    "<td>{assignee}</td>"
    '<td class="col-language">{language}</td>'
    '<td class="col-created"><time datetime="{created_iso}">{created_text}</time></td>'
    '<td><time datetime="{updated_iso}">{updated_text}</time></td>'
    "</tr>\n"
)
_SELECT = (
    '<td class="select-col"><input type="checkbox" name="ticket_ids" value="{pk}" '
    'form="bulk-form"{checked} aria-label="{label} {reference}"></td>'
)


def duration_text(value: timedelta | None) -> str:
    """``timedelta`` → "45 h 00 min", "12 min", and past 99 hours "5 d 3 h" (sign dropped).
    Business-time targets read best in hours (45 business hours is not "1 d 21 h")."""
    if value is None:
        return ""
    seconds = abs(int(value.total_seconds()))
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes = rest // 60
    if seconds < 100 * 3_600:
        hours += days * 24
        days = 0
    if days:
        return _("%(days)s d %(hours)s h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)s h %(minutes)02d min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)s min") % {"minutes": minutes}


class _BadgeWords:
    """The badge's translated phrases, looked up once per table rather than once per row."""

    def __init__(self) -> None:
        self.overdue = _("%(time)s overdue")
        self.left = _("%(time)s left")
        self.due = _("SLA due %(due)s")
        self.breached = f'<span class="sla sla-late">{escape(_("SLA breached"))}</span>'


def sla_badge_html(
    due_at: datetime | None, breached: bool, now: datetime, words: _BadgeWords | None = None
) -> str:
    """The time-to-breach badge of a row (``Ticket.sla_due_at``/``sla_breached``): red when
    overdue or breached, amber within the hour, green otherwise; times in the active zone."""
    words = words or _BadgeWords()
    if due_at is None:
        return words.breached if breached else ""
    left = due_at - now
    overdue = left <= timedelta(0)
    tone = "late" if breached or overdue else "warn" if left <= WARNING_WINDOW else "ok"
    local = timezone.localtime(due_at)
    text = (words.overdue if overdue else words.left) % {"time": duration_text(left)}
    title = words.due % {"due": local.strftime("%Y-%m-%d %H:%M")}
    return (
        f'<time class="sla sla-{tone}" datetime="{local.isoformat()}" title="{escape(title)}">'
        f"{escape(text)}</time>"
    )


@register.simple_tag
def ticket_table_rows(
    tickets: Iterable[Any], selectable: bool = False, selected_ids: Any = None
) -> SafeString:
    """The ``<tr>`` rows of ``tickets`` (with ``client``, ``category``, ``team`` and
    ``assignee`` selected); a checkbox per row for the bulk form when ``selectable``."""
    language_code = get_language() or "en"
    statuses = {value: escape(str(label)) for value, label in Ticket.Status.choices}
    priorities = {value: escape(str(label)) for value, label in Ticket.Priority.choices}
    languages = {value: escape(str(label)) for value, label in Language.choices}
    words = _BadgeWords()
    categories: dict[int, str] = {}
    unassigned = f'<span class="muted">{escape(str(_("Unassigned")))}</span>'
    select_label = escape(str(_("Select")))
    selected = set(selected_ids or ())
    sample = reverse("tickets:detail", args=[0])
    url_prefix = sample[:-2] if sample.endswith("/0/") else None
    now = timezone.now()
    zone = timezone.get_current_timezone()
    rows = []
    for ticket in tickets:
        pk = ticket.pk
        reference = ticket.reference
        category = categories.get(ticket.category_id)
        if category is None:
            category = categories[ticket.category_id] = escape(
                ticket.category.localized_name(language_code)
            )
        created = ticket.created_at.astimezone(zone)
        updated = ticket.updated_at.astimezone(zone)
        rows.append(
            _ROW.format(
                row_attrs=" data-ticket-row" if selectable else "",
                select=(
                    _SELECT.format(
                        pk=pk,
                        checked=" checked" if str(pk) in selected else "",
                        label=select_label,
                        reference=reference,
                    )
                    if selectable
                    else ""
                ),
                url=f"{url_prefix}{pk}/" if url_prefix else reverse("tickets:detail", args=[pk]),
                reference=reference,
                subject=escape(ticket.subject),
                client=escape(ticket.client.name),
                priority=int(ticket.priority),
                priority_label=priorities.get(ticket.priority, escape(str(ticket.priority))),
                status=escape(str(ticket.status)),
                status_label=statuses.get(ticket.status, escape(str(ticket.status))),
                sla=sla_badge_html(ticket.sla_due_at, ticket.sla_breached, now, words),
                category=category,
                team=escape(ticket.team.name),
                assignee=escape(ticket.assignee.full_name) if ticket.assignee_id else unassigned,
                language=languages.get(ticket.language, escape(str(ticket.language))),
                created_iso=created.isoformat(),
                created_text=created.strftime("%Y-%m-%d %H:%M"),
                updated_iso=updated.isoformat(),
                updated_text=updated.strftime("%Y-%m-%d %H:%M"),
            )
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped
