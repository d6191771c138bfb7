"""Shapes of SLA clocks and their events in the API (read only). Durations are whole seconds
of business time; instants are ISO 8601."""

from __future__ import annotations

from datetime import timedelta

from rest_framework import serializers

from metrics.models import Metric, SlaClock, SlaClockEvent


def _seconds(value: timedelta | None) -> int | None:
    return None if value is None else int(value.total_seconds())


class SlaClockEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=SlaClockEvent.Kind.choices)
    at = serializers.DateTimeField()
    recorded_at = serializers.DateTimeField()
    reason = serializers.CharField()
    elapsed_seconds = serializers.SerializerMethodField()
    due_at = serializers.DateTimeField(allow_null=True)
    actor_id = serializers.IntegerField(allow_null=True)

    def get_elapsed_seconds(self, event: SlaClockEvent) -> int | None:
        return _seconds(event.elapsed)


class SlaClockSerializer(serializers.Serializer):
    """One clock (a ``ClockView`` of ``metrics.selectors.sla``) at the time of the request.

    ``tone``: ok, warn (past the warning threshold), late (breached), paused, done."""

    id = serializers.IntegerField(source="clock.id")
    metric = serializers.ChoiceField(choices=Metric.choices, source="clock.metric")
    state = serializers.ChoiceField(choices=SlaClock.State.choices, source="clock.state")
    tone = serializers.ChoiceField(choices=["ok", "warn", "late", "paused", "done"])
    policy = serializers.CharField(source="clock.policy.name")
    calendar = serializers.CharField(source="clock.calendar.name")
    target_seconds = serializers.SerializerMethodField()
    elapsed_seconds = serializers.SerializerMethodField()
    remaining_seconds = serializers.SerializerMethodField()
    started_at = serializers.DateTimeField(source="clock.started_at")
    due_at = serializers.DateTimeField(source="clock.due_at", allow_null=True)
    warn_at = serializers.DateTimeField(source="clock.warn_at", allow_null=True)
    warned_at = serializers.DateTimeField(source="clock.warned_at", allow_null=True)
    breached_at = serializers.DateTimeField(source="clock.breached_at", allow_null=True)
    stopped_at = serializers.DateTimeField(source="clock.stopped_at", allow_null=True)
    pause_reason = serializers.CharField(source="clock.pause_reason")
    events = SlaClockEventSerializer(many=True)

    def get_target_seconds(self, view) -> int:  # type: ignore[no-untyped-def]
        return _seconds(view.clock.target) or 0

    def get_elapsed_seconds(self, view) -> int:  # type: ignore[no-untyped-def]
        return _seconds(view.elapsed) or 0

    def get_remaining_seconds(self, view) -> int:  # type: ignore[no-untyped-def]
        """Negative once overdue."""
        return _seconds(view.remaining) or 0


class SlaClockListSerializer(serializers.Serializer):
    """Every clock of the ticket, oldest first (a ticket has a handful: no paging)."""

    results = SlaClockSerializer(many=True)
