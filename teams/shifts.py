"""Who is on shift at a given moment, decided in SQL.

A ``Shift`` is a weekly interval in the agent's own time zone (``User.time_zone``), starting on
``weekday`` (0 = Monday). When ``ends_at`` is not after ``starts_at`` the shift runs overnight
and ends on the next day (22:00–07:00 on Friday covers Friday 22:00 to Saturday 07:00). The
comparison is made on the agent's local wall-clock time at ``at``, so shifts follow daylight
saving time changes the way the agent lives them.

Routing (auto-assignment) and the automatic *away* status share this one definition.
"""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.db.models import Exists, F, OuterRef, Q, Value
from django.db.models.functions import Mod

from teams.models import Shift, User


class _LocalTime(models.Func):
    """``timezone(zone, instant)::time`` — the wall-clock time in ``zone`` at ``instant``."""

    template = "(timezone(%(expressions)s))::time"
    output_field = models.TimeField()


class _LocalWeekday(models.Func):
    """The weekday (0 = Monday) in ``zone`` at ``instant``."""

    template = "(EXTRACT(ISODOW FROM timezone(%(expressions)s))::integer - 1)"
    output_field = models.IntegerField()


def _shifts_covering(at: datetime, user: OuterRef | int) -> models.QuerySet[Shift]:
    zone = OuterRef("time_zone") if isinstance(user, OuterRef) else F("user__time_zone")
    instant = Value(at, output_field=models.DateTimeField())
    day_shift = Q(starts_at__lt=F("ends_at"))
    overnight = Q(starts_at__gt=F("ends_at"))
    return (
        Shift.objects.filter(user=user)
        .annotate(
            local_time=_LocalTime(zone, instant),
            local_weekday=_LocalWeekday(zone, instant),
        )
        .filter(
            (
                day_shift
                & Q(weekday=F("local_weekday"))
                & Q(starts_at__lte=F("local_time"))
                & Q(ends_at__gt=F("local_time"))
            )
            | (overnight & Q(weekday=F("local_weekday")) & Q(starts_at__lte=F("local_time")))
            | (
                overnight
                & Q(weekday=Mod(F("local_weekday") + 6, 7))
                & Q(ends_at__gt=F("local_time"))
            )
        )
    )


def on_shift(at: datetime) -> Exists:
    """A condition for ``User`` querysets: the user has a shift covering ``at``.

    ``User.objects.filter(on_shift(now))`` or ``.annotate(on_shift=on_shift(now))``.
    """
    return Exists(_shifts_covering(at, OuterRef("pk")))


def is_on_shift(user: User | int, at: datetime) -> bool:
    """Whether one user has a shift covering ``at`` (one query)."""
    pk = user.pk if isinstance(user, User) else user
    return _shifts_covering(at, pk).exists()


def on_shift_sql(*, user_id: str, time_zone: str, at: str = "%(at)s") -> str:
    """The same condition as ``on_shift`` as a raw SQL fragment, for hand-written statements
    (routing's pick-and-lock): ``user_id`` and ``time_zone`` are column expressions of the outer
    query, ``at`` the placeholder of the instant (a ``timestamptz`` parameter).

    Kept beside ``_shifts_covering`` so that both say the same thing; a test compares them.
    """
    local = f"timezone({time_zone}, {at}::timestamptz)"
    weekday = f"(EXTRACT(ISODOW FROM {local})::integer - 1)"
    return f"""EXISTS (SELECT 1 FROM teams_shift s WHERE s.user_id = {user_id} AND (
        (s.starts_at < s.ends_at AND s.weekday = {weekday}
         AND s.starts_at <= ({local})::time AND s.ends_at > ({local})::time)
        OR (s.starts_at > s.ends_at AND s.weekday = {weekday} AND s.starts_at <= ({local})::time)
        OR (s.starts_at > s.ends_at AND s.weekday = MOD({weekday} + 6, 7)
            AND s.ends_at > ({local})::time)))"""  # noqa: S608 (expressions from code only)
