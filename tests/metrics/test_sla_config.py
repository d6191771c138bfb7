"""SLA configuration services refuse bad input with a clear message and save nothing."""

from datetime import UTC, datetime, timedelta

import pytest

from metrics.models import SlaCalendar, SlaClosure, SlaPolicy
from metrics.services.sla_config import (
    TargetInput,
    sla_calendar_save,
    sla_closure_add,
    sla_policy_preview,
    sla_policy_save,
)
from supportdesk.errors import ApplicationError
from tests.metrics.factories import SlaCalendarFactory, office_calendar, policy_with_targets


def _refused(call) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        call()
    return caught.value


def test_a_negative_or_zero_target_is_refused(supervisor):
    calendar = SlaCalendarFactory()
    for minutes in (0, -5):
        error = _refused(
            lambda minutes=minutes: sla_policy_save(
                actor=supervisor,
                family=None,
                name="Bad",
                position=1,
                targets=[TargetInput("first_response", minutes, calendar)],
            )
        )
        assert (str(error.message), error.status) == ("A target must be at least one minute.", 400)
    assert not SlaPolicy.objects.exists()


def test_a_target_without_calendar_and_an_unknown_pause_status_are_refused(supervisor):
    calendar = SlaCalendarFactory()
    without = _refused(
        lambda: sla_policy_save(
            actor=supervisor,
            family=None,
            name="Bad",
            position=1,
            targets=[TargetInput("resolution", 60, None)],
        )
    )
    unknown = _refused(
        lambda: sla_policy_save(
            actor=supervisor,
            family=None,
            name="Bad",
            position=1,
            targets=[TargetInput("resolution", 60, calendar, ["sleeping"])],
        )
    )
    assert str(without.message) == "Choose the calendar each target counts in."
    assert str(unknown.message) == "Pause rules can only name ticket statuses."
    assert not SlaPolicy.objects.exists()


def test_a_naive_closure_is_refused(supervisor):
    calendar = office_calendar()
    error = _refused(
        lambda: sla_closure_add(
            actor=supervisor,
            calendar=calendar,
            starts_at=datetime(2026, 7, 15, 10),  # noqa: DTZ001 - the naive input under test
            ends_at=datetime(2026, 7, 15, 14),  # noqa: DTZ001
            reason="Black rainstorm",
        )
    )
    assert error.status == 400
    assert not SlaClosure.objects.exists()


def test_a_naive_preview_start_is_refused(db):
    policy = policy_with_targets()
    error = _refused(
        lambda: sla_policy_preview(policy=policy, start=datetime(2026, 7, 10, 9))  # noqa: DTZ001
    )
    assert str(error.message) == "Give the start time with a time zone."


def test_agents_may_not_change_sla_settings(agent):
    error = _refused(
        lambda: sla_calendar_save(
            actor=agent,
            calendar=None,
            name="Mine",
            time_zone="UTC",
            always_open=True,
            weekly_hours={},
            holiday_source="none",
        )
    )
    assert error.status == 403
    assert not SlaCalendar.objects.exists()


def test_an_unknown_time_zone_or_market_is_refused(supervisor):
    for kwargs in (
        {"time_zone": "Mars/Olympus_Mons"},
        {"holiday_source": "market", "holiday_market": "XXXX"},
    ):
        values = {"time_zone": "Asia/Hong_Kong", "holiday_source": "none", **kwargs}
        error = _refused(
            lambda values=values: sla_calendar_save(
                actor=supervisor,
                calendar=None,
                name="Bad",
                always_open=False,
                weekly_hours={"0": [["09:00", "18:00"]]},
                **values,
            )
        )
        assert error.status == 400
        assert str(error.message).startswith("The calendar is not valid:")
    assert not SlaCalendar.objects.exists()


def test_editing_a_policy_keeps_old_versions_for_their_clocks(supervisor):
    calendar = SlaCalendarFactory()
    first = sla_policy_save(
        actor=supervisor,
        family=None,
        name="Std",
        position=1,
        targets=[TargetInput("resolution", 60, calendar)],
    )
    second = sla_policy_save(
        actor=supervisor,
        family=first.family,
        name="Std",
        position=1,
        targets=[TargetInput("resolution", 120, calendar)],
    )
    first.refresh_from_db()
    assert (first.is_current, second.is_current, second.version) == (False, True, 2)
    start = datetime(2026, 7, 10, 1, tzinfo=UTC)
    assert [row.due_at for row in sla_policy_preview(policy=second, start=start)] == [
        start + timedelta(hours=2)
    ]
