"""Private 1:1 notes between an agent and their supervisors."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from supportdesk.errors import ApplicationError, NotAllowed
from teams import access
from teams.models import OneOnOneNote, User

NOTE_MAX_CHARS = 5000


@transaction.atomic
def one_on_one_note_add(*, actor: Any, agent: User, body: str) -> OneOnOneNote:
    """Write a 1:1 note on ``agent``'s private log: the agent or one of their supervisors."""
    if not access.can_read_one_on_one_notes(actor, agent):
        raise NotAllowed(_("Only the agent and their supervisors can write 1:1 notes."))
    body = body.strip()
    if not body:
        raise ApplicationError(_("Write the note first."), details={"field": "body"})
    if len(body) > NOTE_MAX_CHARS:
        raise ApplicationError(
            _("A note can be at most %(max)d characters.") % {"max": NOTE_MAX_CHARS},
            details={"field": "body"},
        )
    return OneOnOneNote.objects.create(agent=agent, author=actor, body=body)
