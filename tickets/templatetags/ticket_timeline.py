"""The timeline of the ticket page (its messages and audit events), written out in Python.

A ticket with 20 messages and their events is several hundred template nodes through the
engine (the kind badge, the attachments, the email's origin, the move and split forms of each
client message, the wording of each event), about half the page's time. Here each entry is a
few ``str.format`` calls of escaped values; the translated phrases, the CSRF input and the link
parts are worked out once per page.

Every value that comes from a person or an email (names, attachment names, the origin's sender,
reasons and refused files, event values, the text typed into a refused form) is escaped with
``html.escape``, as the template's autoescaping did; the translated labels are escaped too. The
message body is the sanitised HTML stored with the message (``tickets.rendering``), shown as is.
"""

from __future__ import annotations

from html import escape
from typing import Any

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _

register = template.Library()

_MESSAGE = (
    '<li class="entry entry-message">\n'
    '  <article class="msg msg-{kind}" id="message-{pk}">\n'
    "    <header>\n"
    "      <strong>{author}</strong>\n"
    "      {kind_badge}\n"
    '      · <time datetime="{created_iso}">{created_display}</time>\n'
    "      {channel}\n"
    "    </header>\n"
    '    <div class="body" lang="{lang}">{body}</div>\n'
    "    {attachments}\n"
    "    {origin}\n"
    "    {move}\n"
    "    {split}\n"
    "  </article>\n"
    "</li>\n"
)
_ATTACHMENT = (
    '  <li class="attachment">\n'
    "    {thumb}\n"
    '    <a href="{url}" class="attachment-name" download>{name}</a>\n'
    '    <span class="muted">{size}</span>\n'
    "  </li>\n"
)
_THUMB = (
    '<a href="{url}" target="_blank" rel="noopener" class="thumb-link">'
    '<img class="thumb" src="{url}" alt="{name}" loading="lazy"></a>'
)
_ORIGIN = (
    '<details class="mail-origin" id="origin-{pk}">\n'
    "      <summary>{summary}</summary>\n"
    "      <ul>{reasons}</ul>\n"
    '      <p class="muted">{sender_line}</p>\n'
    "      {refused}\n"
    "    </details>"
)
_MOVE = (
    '<details class="move-message"{open}>\n'
    "      <summary>{summary}</summary>\n"
    '      <form method="post" action="{url}" class="split-form">{csrf}\n'
    '        <label for="move-reference-{pk}">{label}</label>\n'
    '        <input type="text" id="move-reference-{pk}" name="reference" maxlength="30"'
    ' required placeholder="SD-000123" value="{value}">\n'
    '        <button type="submit" class="button">{button}</button>\n'
    "      </form>\n"
    "    </details>"
)
_SPLIT = (
    '<details class="split"{open}>\n'
    "      <summary>{summary}</summary>\n"
    '      <form method="post" action="{url}" class="split-form">{csrf}\n'
    '        <label for="split-subject-{pk}">{label}</label>\n'
    '        <input type="text" id="split-subject-{pk}" name="subject" maxlength="250"'
    ' required value="{value}">\n'
    '        <button type="submit" class="button">{button}</button>\n'
    "      </form>\n"
    "    </details>"
)
_EVENT = (
    '<li class="entry entry-event event-{action}" id="event-{pk}">\n'
    '  <time datetime="{created_iso}">{created_display}</time>\n'
    '  <span class="event-text"><strong>{actor}</strong>\n'
    "  {text}</span>\n"
    '  <span class="event-source">{source}</span>\n'
    "</li>\n"
)


class _Words:
    """The timeline's translated phrases, looked up (and escaped) once per page."""

    def __init__(self) -> None:
        self.kind_badges = {
            "note": f'<span class="kind kind-note">{escape(_("Internal note"))}</span>',
            "reply": f'<span class="kind kind-reply">{escape(_("Public reply"))}</span>',
        }
        self.client_badge = f'<span class="kind kind-client">{escape(_("Client message"))}</span>'
        self.attachments = escape(_("Attachments"))
        self.why = escape(_("Why is this email here?"))
        self.sender_line = _("From %(sender)s, Message-ID %(message_id)s")
        self.refused = escape(_("Attachments refused:"))
        self.move_summary = escape(_("Move to another ticket"))
        self.move_label = escape(_("Reference of the ticket it belongs to"))
        self.move_button = escape(_("Move"))
        self.split_summary = escape(_("Split into new ticket"))
        self.split_label = escape(_("Subject of the new ticket"))
        self.split_button = escape(_("Split"))
        self.system = escape(_("System"))


def _text(value: Any) -> str:
    """A value as the template showed it: ``None`` as "None", anything else as its text."""
    return escape(str(value))


def _csrf_input(context: template.Context) -> str:
    """What ``{% csrf_token %}`` renders, worked out once for all the forms of the timeline."""
    token = context.get("csrf_token")
    if not token or token == "NOTPROVIDED":  # noqa: S105 - the marker of no token, as Django's
        return ""
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(str(token))}">'


@register.simple_tag(takes_context=True)
def ticket_timeline(context: template.Context) -> SafeString:
    """The ``<li>`` entries of the page's ``timeline`` (``tickets.selectors.ticket_timeline``),
    with each email's origin (``mail_origins``) and, when the agent may work the ticket, the move
    and split forms of each client message (open, with the text kept, after a refusal)."""
    words = _Words()
    origins = context.get("mail_origins") or {}
    can_work = context.get("can_work")
    error_form = context.get("error_form")
    values = context.get("values") or {}
    split_message = context.get("split_message")
    csrf = _csrf_input(context) if can_work else ""
    attachment_a = escape(context.get("attachment_url_a", ""))
    attachment_b = escape(context.get("attachment_url_b", ""))
    preview_a = escape(context.get("preview_url_a", ""))
    preview_b = escape(context.get("preview_url_b", ""))
    move_a = escape(context.get("move_url_a", ""))
    move_b = escape(context.get("move_url_b", ""))
    split_a = escape(context.get("split_url_a", ""))
    split_b = escape(context.get("split_url_b", ""))
    parts = []
    for entry in context.get("timeline") or ():
        message = entry.message
        if message is not None:
            parts.append(
                _message_html(
                    message,
                    words,
                    origin=origins.get(message.pk),
                    forms=bool(can_work) and message.kind == "client",
                    error_form=error_form,
                    values=values,
                    split_message=split_message,
                    csrf=csrf,
                    urls=(attachment_a, attachment_b, preview_a, preview_b),
                    move_url=(move_a, move_b),
                    split_url=(split_a, split_b),
                )
            )
        else:
            parts.append(_event_html(entry.event, words))
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


def _message_html(
    message: Any,
    words: _Words,
    *,
    origin: Any,
    forms: bool,
    error_form: Any,
    values: dict[str, Any],
    split_message: Any,
    csrf: str,
    urls: tuple[str, str, str, str],
    move_url: tuple[str, str],
    split_url: tuple[str, str],
) -> str:
    pk = message.pk
    kind = message.kind
    attachments = ""
    if message.attachments:
        attachment_a, attachment_b, preview_a, preview_b = urls
        items = []
        for attachment in message.attachments:
            name = escape(attachment.original_name)
            items.append(
                _ATTACHMENT.format(
                    thumb=(
                        _THUMB.format(url=f"{preview_a}{attachment.pk}{preview_b}", name=name)
                        if attachment.is_image
                        else ""
                    ),
                    url=f"{attachment_a}{attachment.pk}{attachment_b}",
                    name=name,
                    size=escape(str(attachment.size_display)),
                )
            )
        attachments = (
            f'<ul class="attachments" aria-label="{words.attachments}">\n{"".join(items)}</ul>'
        )
    move = split = ""
    if forms:
        moving = values.get("move_message") == pk
        move = _MOVE.format(
            open=" open" if error_form == "move" and moving else "",
            summary=words.move_summary,
            url=f"{move_url[0]}{pk}{move_url[1]}",
            csrf=csrf,
            pk=pk,
            label=words.move_label,
            value=_text(values.get("move_reference", "")) if moving else "",
            button=words.move_button,
        )
        splitting = split_message == pk
        split = _SPLIT.format(
            open=" open" if error_form == "split" and splitting else "",
            summary=words.split_summary,
            url=f"{split_url[0]}{pk}{split_url[1]}",
            csrf=csrf,
            pk=pk,
            label=words.split_label,
            value=_text(values.get("split_subject", "")) if splitting else "",
            button=words.split_button,
        )
    return _MESSAGE.format(
        kind=escape(kind),
        pk=pk,
        author=_text(message.author_name),
        kind_badge=words.kind_badges.get(kind, words.client_badge),
        created_iso=message.created_iso,
        created_display=message.created_display,
        channel="" if kind == "note" else f"· {_text(message.channel_label)}",
        lang="zh-Hant" if message.language == "zh-hant" else "en",
        body=message.body_html,
        attachments=attachments,
        origin=_origin_html(pk, origin, words) if origin else "",
        move=move,
        split=split,
    )


def _origin_html(pk: int, origin: Any, words: _Words) -> str:
    refused = ""
    if origin.refused_attachments:
        items = "".join(
            f"<li>{_text(item.get('name', ''))}: {_text(item.get('reason', ''))}</li>"
            for item in origin.refused_attachments
        )
        refused = (
            f'<p class="mail-refused">{words.refused}</p><ul class="mail-refused">{items}</ul>'
        )
    return _ORIGIN.format(
        pk=pk,
        summary=words.why,
        reasons="".join(f"<li>{_text(reason)}</li>" for reason in origin.reasons),
        sender_line=words.sender_line
        % {"sender": _text(origin.from_email), "message_id": _text(origin.email_message_id)},
        refused=refused,
    )


def _event_html(line: Any, words: _Words) -> str:
    event = line.event
    created = timezone.localtime(event.created_at)
    actor = event.actor
    if line.sentence:
        text = _text(line.sentence)
    else:
        text = _text(line.action_label)
        if event.field:
            old = (
                f' <span class="event-old">{_text(Truncator(line.old_display).chars(120))}</span>'
                if line.old_display
                else ""
            )
            new = _text(Truncator(line.new_display).chars(160)) if line.new_display else "—"
            text += (
                f': <span class="event-field">{_text(line.field_label)}</span>{old}'
                f' → <span class="event-new">{new}</span>'
            )
    return _EVENT.format(
        action=escape(event.action),
        pk=event.pk,
        created_iso=created.isoformat(),
        created_display=created.strftime("%Y-%m-%d %H:%M"),
        actor=_text(actor.full_name or actor.email) if actor else words.system,
        text=text,
        source=_text(event.get_source_display()),
    )


_FIELD = (
    '<div class="field-edit" id="field-{name}">\n'
    '  <form method="post" action="{url}"\n'
    '        hx-post="{url}" hx-target="#field-{name}" hx-swap="outerHTML"\n'
    '        hx-include="#ticket-version" hx-trigger="{trigger}" hx-sync="this:drop">{csrf}\n'
    '    <label for="field-{name}-value">{label}</label>\n'
    '    <div class="field-row">\n'
    "      {editor}\n"
    "    </div>\n"
    "    {help}\n"
    "  </form>\n"
    "</div>\n"
)


@register.simple_tag(takes_context=True)
def ticket_field_editor(context: template.Context, spec: Any) -> SafeString:
    """One in-place editor of the page (``tickets.views.ticket.FieldSpec``), as
    ``tickets/partials/ticket_field.html`` renders it when there is no refusal or saved notice
    to show (the page then includes that template instead)."""
    name = escape(spec.name)
    element = f"field-{name}-value"
    if spec.is_select:
        editor = (
            f'<select id="{element}" name="value">\n        {spec.options_html}\n      </select>'
        )
    else:
        max_length = f' maxlength="{spec.max_length}"' if spec.max_length else ""
        described = f' aria-describedby="field-{name}-help"' if spec.help_text else ""
        editor = (
            f'<input type="text" id="{element}" name="value" value="{_text(spec.value)}"'
            f"{max_length}{described}>\n"
            f'      <button type="submit" class="button small">{escape(_("Save"))}</button>'
        )
    return mark_safe(  # noqa: S308 - every value is escaped, the options by FieldSpec
        _FIELD.format(
            name=name,
            url=escape(spec.url),
            trigger="change" if spec.is_select else "submit",
            csrf=_csrf_input(context),
            label=_text(spec.label),
            editor=editor,
            help=(
                f'<p class="help" id="field-{name}-help">{_text(spec.help_text)}</p>'
                if spec.help_text
                else ""
            ),
        )
    )
