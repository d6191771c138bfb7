"""Writes of the client portal and of the satisfaction survey.

The portal acts for a client (``actor=None`` in the ticket services: the caller has already
checked, through ``tickets.selectors.portal``, that the ticket is the client's). Every write a
client makes counts against ``PORTAL_WRITES_PER_HOUR`` (HTTP 429 beyond it, per client, in
Django's cache, shared by every web process).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from supportdesk.errors import ApplicationError, Conflict
from teams.access import Role
from teams.models import Team, User
from tickets.mail.outbound import notifications_suppressed
from tickets.models import Category, Client, Message, ResolutionCode, SatisfactionRating, Ticket
from tickets.services.tickets import (
    message_add_from_client,
    ticket_create,
    ticket_transition,
)

CLOSED_BY_CLIENT = "closed-by-client"
SUBJECT_FROM_DESCRIPTION = 80
COMMENT_MAX_LENGTH = 2000
RATE_WINDOW_SECONDS = 3600


def portal_rate_limit(*, client: Client) -> None:
    """Count one portal write of ``client``; refuse (429) past the hourly allowance."""
    window = int(timezone.now().timestamp()) // RATE_WINDOW_SECONDS
    key = f"portal-writes:{client.pk}:{window}"
    cache.add(key, 0, RATE_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, RATE_WINDOW_SECONDS)
        count = 1
    if count > settings.PORTAL_WRITES_PER_HOUR:
        raise ApplicationError(
            _("You have sent many messages in a short time. Please try again later."),
            code="rate_limited",
            status=429,
        )


def _portal_team() -> Team:
    """New portal requests go to ``PORTAL_TEAM`` (a team's short name), else the first team;
    routing rules (when configured) move them on."""
    team = None
    if settings.PORTAL_TEAM:
        team = Team.objects.filter(slug=settings.PORTAL_TEAM).first()
    team = team or Team.objects.order_by("pk").first()
    if team is None:
        raise ApplicationError(_("The desk is not set up to receive requests yet."), status=409)
    return team


def _language_of(client: Client, text: str) -> str:
    if client.language:
        return client.language
    return "zh-hant" if any("\u3400" <= char <= "\u9fff" for char in text) else "en"


@transaction.atomic
def portal_ticket_submit(
    *,
    client: Client,
    category: Category | int,
    subject: str,
    description: str,
    uploads: Sequence[Any] = (),
) -> Ticket:
    """Open a ticket for ``client`` from the portal (channel web). The description is also its
    first client message, which carries the attachments. The client is mailed its reference."""
    portal_rate_limit(client=client)
    description = (description or "").strip()
    subject = (subject or "").strip() or " ".join(description.split())[:SUBJECT_FROM_DESCRIPTION]
    ticket = ticket_create(
        actor=None,
        client=client,
        subject=subject,
        description=description,
        category=category,
        team=_portal_team(),
        channel=Ticket.Channel.WEB,
        language=_language_of(client, description),
        source="web",
    )
    message_add_from_client(
        ticket=ticket,
        client=client,
        body=description,
        uploads=uploads,
        channel=Ticket.Channel.WEB,
        source="web",
    )
    return ticket


@transaction.atomic
def portal_reply(
    *, client: Client, ticket: Ticket, body: str, uploads: Sequence[Any] = ()
) -> Message:
    """The client's reply from the portal (reopens a recently resolved ticket; a closed one
    gets a linked follow-up, as for email)."""
    portal_rate_limit(client=client)
    return message_add_from_client(
        ticket=ticket,
        client=ticket.client,
        body=body,
        uploads=uploads,
        channel=Ticket.Channel.WEB,
        source="web",
    )


@transaction.atomic
def portal_ticket_close(*, client: Client, ticket: Ticket) -> Ticket:
    """The client closes their ticket: an open one is resolved (code *closed by the client*)
    and closed; a resolved one is closed. A closed ticket cannot be closed again (409). The
    client gets no mail about what they just did."""
    portal_rate_limit(client=client)
    with notifications_suppressed():
        if ticket.status != Ticket.Status.RESOLVED and ticket.is_open:
            ticket = ticket_transition(
                actor=None,
                ticket=ticket,
                to_status=Ticket.Status.RESOLVED,
                resolution_code=ResolutionCode.objects.get(slug=CLOSED_BY_CLIENT),
                resolution_summary=gettext("Closed by the client in the client portal."),
                source="web",
            )
        return ticket_transition(
            actor=None, ticket=ticket, to_status=Ticket.Status.CLOSED, source="web"
        )


# --- Satisfaction survey ----------------------------------------------------------------------


def _clean_score(score: Any) -> int:
    try:
        value = int(score)
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= 5:
        raise ApplicationError(_("A rating is a whole number from 1 to 5."), code="invalid_score")
    return value


def _clean_comment(comment: Any) -> str:
    text = str(comment or "").strip()
    if len(text) > COMMENT_MAX_LENGTH:
        raise ApplicationError(
            _("The comment is too long (at most 2000 characters)."), code="invalid_comment"
        )
    return text


@transaction.atomic
def csat_rate(
    *, ticket_id: int, resolved_at: datetime, score: Any, comment: str = ""
) -> SatisfactionRating:
    """Record the client's rating of the resolution ``resolved_at`` of the ticket (from a
    signed survey link). Once per resolution: a second rating is refused (409), as is a rating
    of a resolution the ticket no longer has (reopened since: 409)."""
    score = _clean_score(score)
    comment = _clean_comment(comment)
    ticket = Ticket.objects.select_for_update(of=("self",)).filter(pk=ticket_id).first()
    if ticket is None:
        raise ApplicationError(_("This ticket no longer exists."), code="not_found", status=404)
    if ticket.resolved_at is None or ticket.resolved_at != resolved_at:
        raise Conflict(
            _("This survey is about an earlier resolution of your request."), code="outdated"
        )
    if SatisfactionRating.objects.filter(ticket=ticket, resolved_at=resolved_at).exists():
        raise Conflict(_("You have already rated this resolution. Thank you!"), code="rated")
    try:
        with transaction.atomic():
            return SatisfactionRating.objects.create(
                ticket=ticket,
                resolved_at=resolved_at,
                score=score,
                comment=comment,
                created_at=timezone.now(),
            )
    except IntegrityError as error:
        raise Conflict(
            _("You have already rated this resolution. Thank you!"), code="rated"
        ) from error


@transaction.atomic
def csat_comment(*, ticket_id: int, resolved_at: datetime, comment: str) -> SatisfactionRating:
    """Add the optional comment to the rating just given (once: an existing comment stays)."""
    comment = _clean_comment(comment)
    rating = (
        SatisfactionRating.objects.select_for_update()
        .filter(ticket_id=ticket_id, resolved_at=resolved_at)
        .first()
    )
    if rating is None:
        raise ApplicationError(_("Please choose a rating first."), code="not_rated", status=404)
    if rating.comment:
        raise Conflict(_("You have already commented on this resolution."), code="commented")
    rating.comment = comment
    rating.save(update_fields=["comment"])
    return rating


# --- Portal accounts --------------------------------------------------------------------------


@transaction.atomic
def portal_account_create(*, client: Client, password: str, password_again: str) -> User:
    """Give ``client`` a portal sign-in (role Client) with this password.

    Only offered to someone who opened a signed link mailed to the client's address, so the
    address counts as verified. Refused (409) when the client or the address already has an
    account, and (400) for passwords that differ or fail the password rules.
    """
    client = Client.objects.select_for_update().get(pk=client.pk)
    email = client.email.strip().lower()
    if client.user_id is not None or User.objects.filter(email__iexact=email).exists():
        raise Conflict(
            _("You already have a portal account. Sign in with your email address."),
            code="account_exists",
        )
    if password != password_again:
        raise ApplicationError(_("The two passwords are not the same."), code="password")
    user = User(
        email=email,
        full_name=client.name[:150],
        language=client.language or settings.LANGUAGE_CODE,
        time_zone=client.time_zone or settings.TIME_ZONE,
    )
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ApplicationError(" ".join(error.messages), code="password") from error
    user.set_password(password)
    user.save()
    user.groups.add(Group.objects.get(name=Role.CLIENT.value))
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    client.user = user
    client.save(update_fields=["user"])
    return user
