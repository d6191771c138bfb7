"""Coaching and quality: scorecards whose weights must sum to 100, QA reviews by the ticket
team's supervisors, coaching notes, acknowledgement by the agent, the score trend; team B's
supervisor can neither review nor read team A's."""

from datetime import timedelta
from decimal import Decimal

import factory
import pytest
from django.urls import reverse
from django.utils import timezone

from supportdesk.errors import ApplicationError, NotAllowed
from teams.access import Role
from teams.models import TeamMembership
from tests.conftest import give_totp
from tests.factories import (
    MembershipFactory,
    ResolvedTicketFactory,
    TicketFactory,
    UserFactory,
)
from tickets.models import (
    CoachingNote,
    Notification,
    QualityReview,
    Scorecard,
    ScorecardCriterion,
)
from tickets.selectors.quality import score_trend
from tickets.services.quality import (
    coaching_note_create,
    quality_review_acknowledge,
    quality_review_create,
    scorecard_save,
)

pytestmark = pytest.mark.django_db

CRITERIA = [("Accuracy", 40), ("Tone", 30), ("Documentation", 30)]


class ScorecardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Scorecard

    name = factory.Sequence(lambda n: f"Scorecard {n}")


@pytest.fixture
def scorecard(db):
    card = ScorecardFactory(name="Standard QA")
    for position, (name, weight) in enumerate(CRITERIA):
        ScorecardCriterion.objects.create(
            scorecard=card, name=name, weight=weight, position=position
        )
    return card


@pytest.fixture
def ticket(team_a, agent):
    return ResolvedTicketFactory(team=team_a, assignee=agent)


@pytest.fixture
def supervisor_b(team_b):
    user = UserFactory(full_name="Bea B-Supervisor", roles=[Role.SUPERVISOR])
    MembershipFactory(team=team_b, user=user, role=TeamMembership.Role.SUPERVISOR)
    give_totp(user)
    return user


def _scores(card, values):
    return dict(zip(card.criteria.values_list("pk", flat=True), values, strict=True))


# --- Scorecards -------------------------------------------------------------------------------


def test_an_administrator_creates_a_desk_wide_scorecard(administrator):
    card = scorecard_save(actor=administrator, name="Desk QA", team=None, criteria=CRITERIA)
    assert list(card.criteria.values_list("name", "weight")) == CRITERIA


@pytest.mark.parametrize(
    "criteria",
    [
        pytest.param([("Accuracy", 50), ("Tone", 30)], id="sums_to_80_case"),
        pytest.param([("Accuracy", 70), ("Tone", 40)], id="sums_to_110_case"),
    ],
)
def test_a_scorecard_whose_weights_do_not_sum_to_100_is_refused(administrator, criteria):
    with pytest.raises(ApplicationError) as error:
        scorecard_save(actor=administrator, name="Bad", team=None, criteria=criteria)
    assert (error.value.code, error.value.status) == ("weights_must_sum_to_100", 400)
    assert not Scorecard.objects.exists()


def test_the_scorecard_page_refuses_bad_weights_with_400(client, administrator):
    client.force_login(administrator)
    response = client.post(
        reverse("tickets:scorecard_create"),
        {
            "name": "Bad",
            "is_active": "on",
            "criterion_0": "Accuracy",
            "weight_0": "60",
            "criterion_1": "Tone",
            "weight_1": "30",
        },
    )
    assert response.status_code == 400
    assert "add up to 90%" in response.content.decode()
    assert not Scorecard.objects.exists()


def test_a_supervisor_edits_their_teams_scorecard_but_not_the_desks(supervisor, team_a):
    card = scorecard_save(actor=supervisor, name="Team QA", team=team_a, criteria=CRITERIA)
    assert card.team == team_a
    with pytest.raises(NotAllowed):
        scorecard_save(actor=supervisor, name="Desk QA", team=None, criteria=CRITERIA)


def test_team_b_supervisor_cannot_edit_team_a_scorecard(client, supervisor, supervisor_b, team_a):
    card = scorecard_save(actor=supervisor, name="Team QA", team=team_a, criteria=CRITERIA)
    client.force_login(supervisor_b)
    response = client.post(
        reverse("tickets:scorecard_edit", args=[card.pk]),
        {"name": "Hijacked", "criterion_0": "X", "weight_0": "100"},
    )
    assert response.status_code == 404
    card.refresh_from_db()
    assert card.name == "Team QA"


# --- Reviews ----------------------------------------------------------------------------------


def test_a_supervisor_reviews_a_ticket_and_the_agent_is_notified(
    supervisor, agent, ticket, scorecard
):
    review = quality_review_create(
        actor=supervisor,
        ticket=ticket,
        agent=agent,
        scorecard=scorecard,
        scores=_scores(scorecard, [5, 4, 2]),
        comments="Good fix; document the steps.",
    )
    # 40 × 5/5 + 30 × 4/5 + 30 × 2/5 = 40 + 24 + 12
    assert review.total == Decimal("76.00")
    assert list(review.scores.values_list("criterion_name", "score")) == [
        ("Accuracy", 5),
        ("Tone", 4),
        ("Documentation", 2),
    ]
    assert Notification.objects.get(recipient=agent).kind == "coaching"


def test_every_criterion_must_be_scored(supervisor, agent, ticket, scorecard):
    first = scorecard.criteria.first()
    with pytest.raises(ApplicationError, match="Score every criterion"):
        quality_review_create(
            actor=supervisor, ticket=ticket, agent=agent, scorecard=scorecard, scores={first.pk: 3}
        )
    assert not QualityReview.objects.exists()


def test_the_reviewed_agent_must_be_in_the_tickets_team(supervisor, outsider, ticket, scorecard):
    with pytest.raises(ApplicationError, match="not a member"):
        quality_review_create(
            actor=supervisor,
            ticket=ticket,
            agent=outsider,
            scorecard=scorecard,
            scores=_scores(scorecard, [1, 1, 1]),
        )


def test_editing_a_scorecard_keeps_past_reviews(administrator, supervisor, agent, ticket):
    card = scorecard_save(actor=administrator, name="Desk QA", team=None, criteria=CRITERIA)
    review = quality_review_create(
        actor=supervisor,
        ticket=ticket,
        agent=agent,
        scorecard=card,
        scores=_scores(card, [5, 5, 5]),
    )
    scorecard_save(
        actor=administrator, scorecard=card, name="Desk QA", team=None, criteria=[("All", 100)]
    )
    assert list(review.scores.values_list("criterion_name", "weight")) == CRITERIA


def test_only_the_agent_acknowledges(supervisor, agent, ticket, scorecard):
    review = quality_review_create(
        actor=supervisor,
        ticket=ticket,
        agent=agent,
        scorecard=scorecard,
        scores=_scores(scorecard, [3, 3, 3]),
    )
    with pytest.raises(NotAllowed):
        quality_review_acknowledge(actor=supervisor, review=review)
    first = quality_review_acknowledge(actor=agent, review=review).acknowledged_at
    assert first is not None
    assert quality_review_acknowledge(actor=agent, review=review).acknowledged_at == first


def test_the_trend_averages_per_week_in_sql(supervisor, agent, team_a, scorecard):
    now = timezone.now()
    for weeks_ago, values in [(3, [1, 1, 1]), (3, [3, 3, 3]), (1, [5, 5, 5])]:
        review = quality_review_create(
            actor=supervisor,
            ticket=TicketFactory(team=team_a, assignee=agent),
            agent=agent,
            scorecard=scorecard,
            scores=_scores(scorecard, values),
        )
        QualityReview.objects.filter(pk=review.pk).update(
            created_at=now - timedelta(weeks=weeks_ago)
        )
    trend = score_trend(agent=agent, now=now)
    assert [(float(row["average"]), row["reviews"]) for row in trend] == [(40.0, 2), (100.0, 1)]


# --- Pages ------------------------------------------------------------------------------------


def test_a_supervisor_reviews_through_the_page(client, supervisor, agent, ticket, scorecard):
    client.force_login(supervisor)
    url = reverse("tickets:quality_review_create", args=[ticket.pk])
    form = client.get(url)
    assert form.status_code == 200
    ids = list(scorecard.criteria.values_list("pk", flat=True))
    response = client.post(
        url,
        {
            "scorecard": scorecard.pk,
            "agent": agent.pk,
            **{f"score_{pk}": "4" for pk in ids},
            "comments": "Well done",
        },
    )
    assert response.status_code == 302
    assert QualityReview.objects.get().total == Decimal("80.00")


def test_a_supervisor_adds_a_coaching_note_through_the_page(client, supervisor, agent, ticket):
    client.force_login(supervisor)
    response = client.post(
        reverse("tickets:coaching_note_create", args=[ticket.pk]),
        {"agent": agent.pk, "body": "Offer the client a call next time."},
    )
    assert response.status_code == 302
    assert CoachingNote.objects.get().agent == agent


@pytest.mark.parametrize(
    ("who", "status"),
    [
        pytest.param("agent", 403, id="agent_case"),
        pytest.param("manager", 403, id="manager_case"),
        pytest.param("supervisor_b", 404, id="other_team_supervisor_case"),
        pytest.param("outsider", 404, id="other_team_agent_case"),
    ],
)
def test_who_may_not_review_or_coach(client, request, agent, ticket, scorecard, who, status):
    client.force_login(request.getfixturevalue(who))
    ids = list(scorecard.criteria.values_list("pk", flat=True))
    review = client.post(
        reverse("tickets:quality_review_create", args=[ticket.pk]),
        {"scorecard": scorecard.pk, "agent": agent.pk, **{f"score_{pk}": "1" for pk in ids}},
    )
    note = client.post(
        reverse("tickets:coaching_note_create", args=[ticket.pk]),
        {"agent": agent.pk, "body": "x"},
    )
    assert (review.status_code, note.status_code) == (status, status)
    assert not QualityReview.objects.exists()
    assert not CoachingNote.objects.exists()


def test_the_agent_sees_and_acknowledges_their_review(
    client, supervisor, agent, ticket, scorecard, django_assert_max_num_queries
):
    review = quality_review_create(
        actor=supervisor,
        ticket=ticket,
        agent=agent,
        scorecard=scorecard,
        scores=_scores(scorecard, [4, 4, 4]),
        comments="Nice work",
    )
    client.force_login(agent)
    with django_assert_max_num_queries(14):
        page = client.get(reverse("tickets:quality_agent", args=[agent.pk]))
    content = page.content.decode()
    assert "Nice work" in content
    assert "<polyline" in content
    response = client.post(reverse("tickets:quality_review_acknowledge", args=[review.pk]))
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.acknowledged_at is not None


@pytest.mark.parametrize(
    ("who", "status"),
    [
        pytest.param("supervisor", 200, id="their_supervisor_case"),
        pytest.param("manager", 200, id="manager_case"),
        pytest.param("outsider", 404, id="another_agent_case"),
        pytest.param("supervisor_b", 404, id="other_team_supervisor_case"),
    ],
)
def test_who_may_read_an_agents_reviews(client, request, agent, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("tickets:quality_agent", args=[agent.pk])).status_code == status


def test_nobody_else_acknowledges_a_review(client, supervisor, outsider, agent, ticket, scorecard):
    review = quality_review_create(
        actor=supervisor,
        ticket=ticket,
        agent=agent,
        scorecard=scorecard,
        scores=_scores(scorecard, [4, 4, 4]),
    )
    client.force_login(outsider)
    assert (
        client.post(reverse("tickets:quality_review_acknowledge", args=[review.pk])).status_code
        == 404
    )
    client.force_login(supervisor)
    assert (
        client.post(reverse("tickets:quality_review_acknowledge", args=[review.pk])).status_code
        == 403
    )
    review.refresh_from_db()
    assert review.acknowledged_at is None


def test_the_ticket_page_offers_review_links_to_supervisors_only(client, supervisor, agent, ticket):
    url = reverse("tickets:quality_ticket_actions", args=[ticket.pk])
    client.force_login(supervisor)
    assert "Review this ticket" in client.get(url).content.decode()
    detail = client.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    assert url in detail
    client.force_login(agent)
    assert "Review this ticket" not in client.get(url).content.decode()
    assert url not in client.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()


def test_a_coaching_note_service_refuses_an_empty_note(supervisor, agent, ticket):
    with pytest.raises(ApplicationError):
        coaching_note_create(actor=supervisor, ticket=ticket, agent=agent, body=" ")


def test_the_scorecard_list_shows_edit_links_only_where_allowed(
    client, supervisor, administrator, team_a, team_b
):
    ours = scorecard_save(actor=supervisor, name="Team QA", team=team_a, criteria=CRITERIA)
    desk = scorecard_save(actor=administrator, name="Desk QA", team=None, criteria=CRITERIA)
    theirs = scorecard_save(actor=administrator, name="B QA", team=team_b, criteria=CRITERIA)
    client.force_login(supervisor)
    content = client.get(reverse("tickets:scorecard_list")).content.decode()
    assert reverse("tickets:scorecard_edit", args=[ours.pk]) in content
    assert reverse("tickets:scorecard_edit", args=[desk.pk]) not in content
    assert "B QA" not in content
    assert client.get(reverse("tickets:scorecard_edit", args=[desk.pk])).status_code == 403
    assert client.get(reverse("tickets:scorecard_edit", args=[theirs.pk])).status_code == 404


def test_an_administrator_creates_a_scorecard_through_the_page(client, administrator):
    client.force_login(administrator)
    response = client.post(
        reverse("tickets:scorecard_create"),
        {
            "name": "Desk QA",
            "is_active": "on",
            "criterion_0": "Accuracy",
            "weight_0": "50",
            "criterion_1": "Tone",
            "weight_1": "50",
        },
    )
    assert response.status_code == 302
    card = Scorecard.objects.get()
    assert list(card.criteria.values_list("name", "weight")) == [("Accuracy", 50), ("Tone", 50)]


def test_the_agent_is_notified_in_their_own_language(client, supervisor, agent, ticket, scorecard):
    agent.language = "zh-hant"
    agent.save()
    quality_review_create(
        actor=supervisor,
        ticket=ticket,
        agent=agent,
        scorecard=scorecard,
        scores=_scores(scorecard, [5, 5, 5]),
    )
    notification = Notification.objects.get(recipient=agent)
    assert notification.text == f"{ticket.reference} 的質素評核：100.00%"
    client.force_login(agent)
    assert notification.text in client.get(reverse("tickets:notifications")).content.decode()
