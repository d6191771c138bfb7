"""Demo examples of the agent's workspace features that the bulk seed does not produce:
attachments, linked, merged and split tickets, and saved filters. Everything goes through the
real services, so the audit trail shows them as an agent would have made them."""

import base64
import random

from django.core.files.uploadedfile import SimpleUploadedFile

from teams.models import Team, User
from tickets.filters import saved_filter_create
from tickets.models import Message, Ticket
from tickets.services.attachments import attachments_store
from tickets.services.tickets import ticket_link, ticket_merge, ticket_split

# A 2×2 PNG (a "screenshot" placeholder small enough to keep the seed fast).
SCREENSHOT_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGO4oKAARAwQCgAgjgRBUcmqiQAAAABJRU5ErkJggg=="
)
PLATFORM_LOG = (
    "2026-11-20 09:31:02 INFO  Connecting to quote server hk-q3.example:443\n"
    "2026-11-20 09:31:07 WARN  TLS handshake timed out, retrying (1/3)\n"
    "2026-11-20 09:31:19 ERROR Login failed: session token expired (code 4012)\n"
)


def seed_workspace_examples(*, rng: random.Random, agent: User, team: Team) -> None:
    """Give the demo agent's team examples of every workspace feature."""
    open_tickets = list(
        Ticket.objects.filter(team=team, status__in=Ticket.OPEN_STATUSES).order_by("pk")[:40]
    )
    client_messages = list(
        Message.objects.filter(ticket__in=open_tickets, kind=Message.Kind.CLIENT)
        .select_related("ticket")
        .order_by("pk")[:6]
    )
    for index, message in enumerate(client_messages[:3]):
        uploads = [SimpleUploadedFile(f"screenshot-{index + 1}.png", SCREENSHOT_PNG, "image/png")]
        if index == 0:
            uploads.append(SimpleUploadedFile("platform.log", PLATFORM_LOG.encode(), "text/plain"))
        attachments_store(message=message, uploads=uploads)

    first, second, third = rng.sample(open_tickets, 3)
    ticket_link(actor=agent, ticket=first, other=second)
    # The client wrote twice about the same problem: a duplicate in the same language.
    duplicate = next(
        ticket
        for ticket in open_tickets
        if ticket.language == third.language and ticket.pk not in {first.pk, second.pk, third.pk}
    )
    if duplicate.client_id != third.client_id:
        duplicate.client_id = third.client_id
        duplicate.save(update_fields=["client"])
    ticket_merge(actor=agent, duplicate=duplicate, target=third)
    splittable = [message for message in client_messages[3:] if message.ticket.is_open]
    if splittable:
        ticket_split(
            actor=agent, message=splittable[0], subject="Second question: statement download fails"
        )

    saved_filter_create(
        owner=agent,
        name="Urgent and high",
        team_id=None,
        view="mine",
        query={"priority": ["1", "2"]},
    )
    saved_filter_create(
        owner=agent,
        name="繁中：等待客戶回覆",
        team_id=None,
        view="team_queue",
        query={"language": ["zh-hant"], "status": ["pending_client"]},
    )
    saved_filter_create(
        owner=agent,
        name="Market data issues",
        team_id=team.pk,
        view="team_queue",
        query={"category": ["market-data"]},
    )
