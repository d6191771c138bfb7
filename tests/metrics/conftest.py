"""A small, hand-checked week of tickets (Hong Kong, Monday 2026-11-16 to Sunday 2026-11-22).

Every expected figure in the metrics tests is worked out by hand in the comments of
``week_tickets`` (HK is UTC+8 all year, no holiday in November 2026; office hours Mon–Fri
09:00–18:00).
"""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from metrics.kpis import Period, Scope
from tests.factories import (
    CategoryFactory,
    MessageFactory,
    ResolvedTicketFactory,
    TicketEventFactory,
    TicketFactory,
)
from tests.metrics.factories import ShiftFactory

HK = ZoneInfo("Asia/Hong_Kong")
WEEK = Period(date(2026, 11, 16), date(2026, 11, 22), "Asia/Hong_Kong")


def hk(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant on ``day`` November 2026, Hong Kong wall-clock time."""
    return datetime(2026, 11, day, hour, minute, tzinfo=HK)


def _replies(ticket, count, at, author):
    for _ in range(count):
        MessageFactory(ticket=ticket, kind="reply", author=author, created_at=at)


@pytest.fixture
def funding(db):
    return CategoryFactory(slug="funding", name_en="Funding", name_zh_hant="資金存取")


@pytest.fixture
def week_tickets(team_a, team_b, agent, supervisor, funding):
    """Team A's week; ``T7`` belongs to team B (desk scope only)."""
    desktop = CategoryFactory()
    # T1: Mon 10:00 → reply 10:30 → resolved 12:00; 1 reply: FRT 30 min, resolution 2 h
    # (both clocks); first-contact resolution.
    t1 = ResolvedTicketFactory(
        team=team_a,
        category=desktop,
        assignee=agent,
        created_at=hk(16, 10),
        first_public_reply_at=hk(16, 10, 30),
        resolved_at=hk(16, 12),
        updated_at=hk(16, 12),
        subject="Cannot log in to the desktop platform",
        tags=["login"],
    )
    _replies(t1, 1, hk(16, 10, 30), agent)
    # T2: Fri 17:00 → reply Sat 10:00 (17 h calendar, 1 h business); resolved next Monday
    # 10:00 (after the week): open at the week's end → backlog.
    ResolvedTicketFactory(
        team=team_a,
        category=desktop,
        assignee=agent,
        created_at=hk(20, 17),
        first_public_reply_at=hk(21, 10),
        resolved_at=hk(23, 10),
        updated_at=hk(23, 10),
        subject='=HYPERLINK("http://evil.example")',
        tags=["login"],
    )
    # T3: Sunday 23:30 Hong Kong (15:30 UTC Sunday): this week; open → backlog.
    TicketFactory(
        team=team_a, category=desktop, created_at=hk(22, 23, 30), updated_at=hk(22, 23, 30)
    )
    # T4: Monday 00:30 Hong Kong is Sunday 16:30 UTC, but next week: counted nowhere here.
    TicketFactory(team=team_a, category=desktop, created_at=hk(23, 0, 30), updated_at=hk(23, 1))
    # T5: created last week Wed 11 09:00, first reply Wed 11 10:00 (last week), resolved Tue 17
    # 09:00: 6 days calendar; business Wed–Fri 27 h + Mon 9 h = 36 h. 4 h in Pending internal
    # (Thu 10:00–14:00). Reopened once, 2 replies: not first-contact.
    t5 = ResolvedTicketFactory(
        team=team_a,
        category=desktop,
        assignee=agent,
        created_at=hk(11, 9),
        first_public_reply_at=hk(11, 10),
        resolved_at=hk(17, 9),
        updated_at=hk(17, 9),
    )
    _replies(t5, 2, hk(11, 10), agent)
    TicketEventFactory(
        ticket=t5,
        action="status_changed",
        field="status",
        old_value="open",
        new_value="pending_internal",
        created_at=hk(12, 10),
    )
    TicketEventFactory(
        ticket=t5,
        action="status_changed",
        field="status",
        old_value="pending_internal",
        new_value="open",
        created_at=hk(12, 14),
    )
    TicketEventFactory(
        ticket=t5,
        action="reopened",
        field="status",
        old_value="resolved",
        new_value="open",
        created_at=hk(16, 9),
    )
    # T6 (Funding, the supervisor's): Tue 09:00 → reply 09:15 → escalated 10:00, Pending
    # internal 11:00–13:00 (2 h) → resolved Wed 09:00: 24 h calendar, 9 h business; 1 reply.
    t6 = ResolvedTicketFactory(
        team=team_a,
        category=funding,
        assignee=supervisor,
        created_at=hk(17, 9),
        first_public_reply_at=hk(17, 9, 15),
        resolved_at=hk(18, 9),
        updated_at=hk(18, 9),
        tags=["deposit"],
    )
    _replies(t6, 1, hk(17, 9, 15), supervisor)
    TicketEventFactory(
        ticket=t6,
        action="escalated",
        field="escalation_level",
        old_value="0",
        new_value="1",
        created_at=hk(17, 10),
    )
    TicketEventFactory(
        ticket=t6,
        action="status_changed",
        field="status",
        old_value="open",
        new_value="pending_internal",
        created_at=hk(17, 11),
    )
    TicketEventFactory(
        ticket=t6,
        action="status_changed",
        field="status",
        old_value="pending_internal",
        new_value="open",
        created_at=hk(17, 13),
    )
    # T7: team B, Tuesday.
    TicketFactory(team=team_b, category=desktop, created_at=hk(17, 12), updated_at=hk(17, 12))
    # Shifts: the agent Mon–Fri 09:00–18:00 (45 h); the supervisor Sunday 22:00–07:00
    # overnight: Mon 16 00:00–07:00 (7 h) and Sun 22 22:00–24:00 (2 h) fall in the week: 9 h.
    for weekday in range(5):
        ShiftFactory(user=agent, weekday=weekday, starts_at=time(9), ends_at=time(18))
    ShiftFactory(user=supervisor, weekday=6, starts_at=time(22), ends_at=time(7))
    return {"t1": t1, "t5": t5, "t6": t6}


@pytest.fixture
def team_a_scope(team_a):
    return Scope(team_ids=(team_a.pk,))
