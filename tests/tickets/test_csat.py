"""Satisfaction survey: one click from the resolution mail records the rating, once per
resolution, through a signed link that expires and cannot be altered."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.factories import CategoryFactory, ClientFactory, ResolutionCodeFactory
from tickets.mail.outbound_links import csat_token
from tickets.models import OutboundEmail, SatisfactionRating
from tickets.services import tickets as services

pytestmark = pytest.mark.django_db


def _resolve(ticket, agent, summary="Reset your password."):
    return services.ticket_transition(
        actor=agent,
        ticket=ticket,
        to_status="resolved",
        resolution_code=ResolutionCodeFactory(),
        resolution_summary=summary,
    )


@pytest.fixture
def resolved(agent, team_a):
    ticket = services.ticket_create(
        actor=agent,
        client=ClientFactory(),
        subject="Login fails",
        description="It fails.",
        category=CategoryFactory(),
        team=team_a,
    )
    return _resolve(ticket, agent)


def _links(ticket) -> list[str]:
    body = OutboundEmail.objects.filter(ticket=ticket, kind="resolved").latest("id").body_text
    return re.findall(r"http://\S+/tickets/satisfaction/\S+/[1-5]/", body)


def test_one_click_records_the_rating_once(client, resolved):
    links = _links(resolved)
    assert len(links) == 5
    path = links[3].split("localhost:8000", 1)[1]

    response = client.post(path)
    assert response.status_code == 200
    rating = SatisfactionRating.objects.get(ticket=resolved)
    assert rating.score == 4
    assert rating.resolved_at == resolved.resolved_at
    again = client.post(links[0].split("localhost:8000", 1)[1])
    assert again.status_code == 409
    assert SatisfactionRating.objects.get(ticket=resolved).score == 4


def test_opening_the_link_does_not_rate_until_the_browser_submits(client, resolved):
    """Mail gateways fetch every link of a mail: a GET must not record anything."""
    paths = [link.split("localhost:8000", 1)[1] for link in _links(resolved)]
    pages = [client.get(path) for path in paths]

    assert [page.status_code for page in pages] == [200] * 5
    assert "data-auto-submit" in pages[0].content.decode()
    assert "js/csat.js" in pages[0].content.decode()
    assert SatisfactionRating.objects.count() == 0


def test_optional_comment_once(client, resolved):
    token = csat_token(ticket_id=resolved.pk, resolved_at=resolved.resolved_at)
    assert (
        client.post(f"/tickets/satisfaction/{token}/comment/", {"comment": "x"}).status_code == 404
    )
    client.post(f"/tickets/satisfaction/{token}/5/")
    assert (
        client.post(
            f"/tickets/satisfaction/{token}/comment/", {"comment": "Quick and kind"}
        ).status_code
        == 200
    )
    assert (
        client.post(f"/tickets/satisfaction/{token}/comment/", {"comment": "changed"}).status_code
        == 409
    )
    assert SatisfactionRating.objects.get(ticket=resolved).comment == "Quick and kind"


@pytest.mark.parametrize(("score_case", "status"), [(0, 400), (6, 400)])
def test_out_of_range_scores_are_refused(client, resolved, score_case, status):
    token = csat_token(ticket_id=resolved.pk, resolved_at=resolved.resolved_at)
    assert client.post(f"/tickets/satisfaction/{token}/{score_case}/").status_code == status
    assert SatisfactionRating.objects.count() == 0


def test_tampered_link_is_refused(client, resolved, agent, team_a):
    token = csat_token(ticket_id=resolved.pk, resolved_at=resolved.resolved_at)
    payload, rest = token.split(":", 1)
    assert client.post(f"/tickets/satisfaction/{payload}x:{rest}/5/").status_code == 404
    assert client.post(f"/tickets/satisfaction/{token[:-3]}abc/5/").status_code == 404
    assert SatisfactionRating.objects.count() == 0


def test_expired_link_is_refused(client, resolved, settings):
    token = csat_token(ticket_id=resolved.pk, resolved_at=resolved.resolved_at)
    with time_machine.travel(timezone.now() + timedelta(days=settings.CSAT_LINK_DAYS, hours=1)):
        response = client.post(f"/tickets/satisfaction/{token}/5/")
    assert response.status_code == 403
    assert "expired" in response.content.decode()
    assert SatisfactionRating.objects.count() == 0


def test_each_resolution_gets_its_own_rating(client, resolved, agent):
    first = _links(resolved)[4].split("localhost:8000", 1)[1]
    assert client.post(first).status_code == 200
    services.message_add_from_client(ticket=resolved, client=resolved.client, body="Broken again")
    resolved.refresh_from_db()
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        again = _resolve(resolved, agent, summary="Fixed for good.")
    second = _links(again)[1].split("localhost:8000", 1)[1]

    assert client.post(second).status_code == 200
    assert client.post(first).status_code == 409
    assert list(
        SatisfactionRating.objects.order_by("resolved_at").values_list("score", flat=True)
    ) == [5, 2]


def test_csat_summary_is_scoped_to_the_readers_teams(agent, outsider, team_a, team_b):
    from tests.factories import ResolvedTicketFactory
    from tests.tickets.portal_factories import SatisfactionRatingFactory
    from tickets.selectors.csat import csat_summary

    now = timezone.now()
    for team, score in ((team_a, 5), (team_a, 2), (team_b, 4)):
        SatisfactionRatingFactory(
            ticket=ResolvedTicketFactory(team=team), score=score, created_at=now
        )
    window = {"since": now - timedelta(days=1), "until": now + timedelta(days=1)}

    mine = csat_summary(user=agent, **window)
    theirs = csat_summary(user=outsider, **window)
    assert (mine.ratings, mine.average, mine.satisfied, mine.satisfied_share) == (2, 3.5, 1, 0.5)
    assert (theirs.ratings, theirs.average, theirs.satisfied) == (1, 4.0, 1)
