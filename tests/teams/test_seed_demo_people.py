"""``seed_demo_people`` and ``seed_demo_quality`` on top of ``seed_demo``: shifts across 24 hours
in several zones, profiles, a training calendar with agents overdue, scorecards and reviews with
a trend; both idempotent."""

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from teams.models import AgentProfile, Shift, TrainingCourse, User
from teams.selectors.training import training_of_agent
from teams.shifts import on_shift
from tickets.models import QualityReview, Scorecard


def _run(command: str) -> str:
    out = io.StringIO()
    call_command(command, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(django_db_setup: None, django_db_blocker) -> Iterator[tuple[str, ...]]:
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        outputs = (
            _run("seed_demo_people"),
            _run("seed_demo_quality"),
            _run("seed_demo_people"),
            _run("seed_demo_quality"),
        )
        connection.check_constraints()
        yield outputs
        transaction.set_rollback(True)


@pytest.fixture
def desk(seeded, db):
    return seeded


def test_someone_is_on_shift_at_every_hour_of_the_week(desk):
    monday = datetime(2026, 11, 23, tzinfo=UTC)
    uncovered = [
        hour
        for hour in range(7 * 24)
        if not User.objects.filter(on_shift(monday + timedelta(hours=hour))).exists()
    ]
    assert uncovered == []


def test_shifts_live_in_several_time_zones_and_some_run_overnight(desk):
    zones = set(Shift.objects.values_list("user__time_zone", flat=True))
    assert {"Asia/Hong_Kong", "Europe/London"} <= zones
    assert any(shift.ends_at <= shift.starts_at for shift in Shift.objects.all())


def test_every_agent_has_a_profile_and_statuses_vary(desk):
    assert AgentProfile.objects.count() > 20
    assert AgentProfile.objects.values("status").distinct().count() >= 2


def test_the_training_calendar_has_overdue_and_due_soon_agents(desk):
    today = timezone.localdate()
    agent = User.objects.get(email="agent@supportdesk.example")
    assert "overdue" in {row.state for row in training_of_agent(agent=agent, today=today)}
    assert TrainingCourse.objects.filter(validity_days=365).exists()
    assert TrainingCourse.objects.filter(validity_days__isnull=True, due_by__isnull=False).exists()


def test_scorecards_and_reviews_give_agents_a_trend(desk):
    card = Scorecard.objects.get(name="Standard QA", team=None)
    assert sum(card.criteria.values_list("weight", flat=True)) == 100
    per_agent = QualityReview.objects.filter(agent__email="agent@supportdesk.example")
    assert per_agent.count() >= 3
    assert per_agent.filter(acknowledged_at__isnull=True).exists()


def test_a_rerun_adds_nothing(desk):
    assert "0 shifts added, 0 profiles added, 0 courses added" in desk[2]
    assert "0 reviews, 0 coaching notes added" in desk[3]
