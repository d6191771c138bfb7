"""@mentions of colleagues in internal notes, turned into in-app notifications.

Two spellings are recognised in a note's Markdown:

* ``@alice@desk.example`` — a colleague's sign-in email address;
* ``@[Alice Agent]`` — a colleague's full name in brackets (case and spacing do not matter).

A mention notifies only active staff who may read the ticket's team (``teams.access``): never
the author, never a client, never an agent of another team (who must not learn the ticket
exists). Each person is notified once per note, however often they are named. At most
``MAX_MENTIONS`` distinct mentions per note are looked up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Q

from teams import access
from teams.models import User
from tickets.models import Message, Notification, Ticket

MAX_MENTIONS = 20
NOTIFICATION_TEXT_LENGTH = 300

# "@" not preceded by a word character, "@" or ".", so that plain addresses ("bob@x.example")
# and the second "@" of "@bob@x.example" are not read as mentions themselves.
EMAIL_MENTION = re.compile(
    r"(?<![\w@.])@([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)", re.UNICODE
)
NAME_MENTION = re.compile(r"(?<![\w@])@\[([^\[\]\r\n]{1,150})\]")


@dataclass(frozen=True)
class Mentions:
    """What a text mentions: email addresses (lower-cased) and full names (whitespace folded)."""

    emails: frozenset[str]
    names: frozenset[str]

    def __bool__(self) -> bool:
        return bool(self.emails or self.names)


def _fold_name(name: str) -> str:
    return " ".join(name.split()).casefold()


def mentions_parse(text: str) -> Mentions:
    """The mentions in ``text``, at most ``MAX_MENTIONS`` of them."""
    emails: list[str] = []
    for match in EMAIL_MENTION.finditer(text or ""):
        email = match.group(1).lower()
        if email not in emails:
            emails.append(email)
    names: list[str] = []
    for match in NAME_MENTION.finditer(text or ""):
        name = _fold_name(match.group(1))
        if name and name not in names:
            names.append(name)
    emails = emails[:MAX_MENTIONS]
    names = names[: max(0, MAX_MENTIONS - len(emails))]
    return Mentions(emails=frozenset(emails), names=frozenset(names))


def mentioned_users(*, ticket: Ticket, text: str, author: User | None) -> list[User]:
    """Active staff mentioned in ``text`` who may read ``ticket``'s team, without the author,
    ordered by full name."""
    mentions = mentions_parse(text)
    if not mentions:
        return []
    query = Q(email__in=mentions.emails)
    for name in mentions.names:
        query |= Q(full_name__iexact=name)
    candidates = User.objects.filter(query, is_active=True).order_by("full_name", "pk")
    if author is not None:
        candidates = candidates.exclude(pk=author.pk)
    found: list[User] = []
    for user in candidates:
        if mentions.names and user.email not in mentions.emails:
            # ``iexact`` does not fold inner whitespace; confirm the name really matches.
            if _fold_name(user.full_name) not in mentions.names:
                continue
        if access.is_staff_member(user) and access.can_view_team(user, ticket.team_id):
            found.append(user)
    return found


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) <= NOTIFICATION_TEXT_LENGTH:
        return flat
    return flat[: NOTIFICATION_TEXT_LENGTH - 1] + "…"


def mentions_notify(*, message: Message, author: User | None) -> list[Notification]:
    """Create one ``Notification(kind=mention)`` per colleague mentioned in the note ``message``.

    Runs inside the caller's transaction (the notes service); the rows are the in-app inbox, so
    nothing is sent outside the database. Returns the notifications created.
    """
    ticket = message.ticket
    recipients = mentioned_users(ticket=ticket, text=message.body, author=author)
    if not recipients:
        return []
    text = _excerpt(message.body)
    return Notification.objects.bulk_create(
        [
            Notification(
                recipient=recipient,
                kind=Notification.Kind.MENTION,
                ticket=ticket,
                actor=author,
                text=text,
            )
            for recipient in recipients
        ]
    )
