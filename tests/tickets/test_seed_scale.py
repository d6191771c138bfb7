"""``manage.py seed_scale``: volume data through COPY that the database accepts, and the
benchmark harness's statistics. The load benchmark itself (``make bench``) is not run here."""

import io
import math
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count, F, Q
from django.utils import timezone

from bench.stats import percentile, summarize
from teams.models import Team, User
from tests.factories import MessageFactory, TicketEventFactory, TicketFactory
from tickets.management.commands import seed_scale
from tickets.models import Client, Message, Ticket, TicketEvent

TICKETS = 300
SCALE_CLIENTS = Q(email__endswith=seed_scale.SCALE_EMAIL_SUFFIX)


def _seed(*arguments: str) -> str:
    out = io.StringIO()
    call_command("seed_scale", *arguments, stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded(db) -> str:
    """300 tickets on an empty database, with PostgreSQL's own per-row foreign-key checks,
    fired now rather than at the (never reached) commit of the test transaction."""
    output = _seed("--tickets", str(TICKETS), "--row-checks", "--batch", "120")
    connection.check_constraints()
    return output


def test_it_adds_the_tickets_with_their_conversations_events_and_clients(seeded):
    assert Ticket.objects.count() == TICKETS
    assert Client.objects.filter(SCALE_CLIENTS).count() == math.ceil(TICKETS / 8)
    assert 3 * TICKETS <= Message.objects.count() <= 5 * TICKETS
    assert TicketEvent.objects.filter(action="created").count() == TICKETS
    assert "Added 300 tickets" in seeded


def test_it_writes_english_and_traditional_chinese_tickets(seeded):
    languages = dict(Ticket.objects.values_list("language").annotate(n=Count("id")))
    assert set(languages) == {"en", "zh-hant"}
    assert languages["zh-hant"] >= TICKETS // 10
    assert Ticket.objects.filter(language="zh-hant", subject__regex=r"[\u4e00-\u9fff]").exists()


def test_about_five_percent_of_the_tickets_are_open(seeded):
    open_tickets = Ticket.objects.filter(status__in=Ticket.OPEN_STATUSES).count()
    assert 0.02 * TICKETS <= open_tickets <= 0.1 * TICKETS


def test_every_resolved_or_closed_ticket_has_a_resolution_and_its_timestamps(seeded):
    done = Ticket.objects.filter(status__in=[Ticket.Status.RESOLVED, Ticket.Status.CLOSED])
    assert done.count() >= 0.9 * TICKETS
    assert not done.filter(Q(resolution_code=None) | Q(resolution_summary="")).exists()
    assert not done.filter(Q(resolved_at=None) | Q(first_public_reply_at=None)).exists()
    assert not done.filter(resolved_at__lt=F("first_public_reply_at")).exists()
    assert not Ticket.objects.filter(status="closed", closed_at__lt=F("resolved_at")).exists()
    assert not Ticket.objects.filter(first_public_reply_at__lt=F("created_at")).exists()


def test_times_lie_in_the_last_two_years_and_updated_is_the_latest(seeded):
    now = timezone.now()
    assert not Ticket.objects.filter(
        Q(created_at__lt=now - timedelta(days=731)) | Q(updated_at__gt=now)
    ).exists()
    assert not Message.objects.filter(
        Q(created_at__lt=F("ticket__created_at")) | Q(created_at__gt=F("ticket__updated_at"))
    ).exists()


def test_messages_of_every_kind_have_rendered_bodies(seeded):
    kinds = set(Message.objects.values_list("kind", flat=True))
    assert kinds == {"client", "reply", "note"}
    assert not Message.objects.exclude(body_html__startswith="<").exists()
    assert not Message.objects.filter(kind="client", client=None).exists()
    assert not Message.objects.filter(~Q(kind="client"), author=None).exists()


def test_an_empty_database_gets_a_minimal_base_of_teams_and_agents(seeded):
    assert Team.objects.count() == 3
    agents = User.objects.filter(memberships__isnull=False).distinct()
    assert agents.count() == 9
    assert set(Ticket.objects.values_list("team", flat=True)) <= set(
        Team.objects.values_list("pk", flat=True)
    )


def test_the_demo_teams_and_agents_are_reused(agent, team_a):
    _seed("--tickets", "50")
    assert Team.objects.count() == 1
    assert set(Ticket.objects.values_list("team", flat=True)) == {team_a.pk}
    assert set(Ticket.objects.exclude(assignee=None).values_list("assignee", flat=True)) == {
        agent.pk
    }


def test_the_ids_are_reserved_so_ordinary_inserts_still_work(seeded):
    ticket = TicketFactory()
    message = MessageFactory(ticket=ticket)
    event = TicketEventFactory(ticket=ticket)
    assert ticket.pk > Ticket.objects.exclude(pk=ticket.pk).order_by("-pk").first().pk
    assert message.pk > 0
    assert event.pk > 0


def test_running_again_adds_more(seeded):
    _seed("--tickets", "40")
    assert Ticket.objects.count() == TICKETS + 40


def test_reset_deletes_only_what_seed_scale_added(seeded):
    kept = TicketFactory()
    MessageFactory(ticket=kept)
    output = _seed("--reset", "--tickets", "0")
    assert list(Ticket.objects.all()) == [kept]
    assert not Client.objects.filter(SCALE_CLIENTS).exists()
    assert Message.objects.count() == 1
    assert TicketEvent.objects.count() == 0
    assert f"deleted {TICKETS} scale tickets" in output


def test_a_batch_whose_clients_vanished_is_refused_and_not_saved(db, monkeypatch):
    """Foreign keys are checked once per batch (PostgreSQL's per-row triggers are off)."""
    copy_clients = seed_scale._copy_clients

    def clients_deleted_meanwhile(*args, **kwargs):
        clients = copy_clients(*args, **kwargs)
        Client.objects.filter(pk__in=[client[0] for client in clients]).delete()
        return clients

    monkeypatch.setattr(seed_scale, "_copy_clients", clients_deleted_meanwhile)
    with pytest.raises(CommandError, match="do not exist"):
        _seed("--tickets", "20")
    assert not Ticket.objects.exists()
    assert not Message.objects.exists()


def test_bad_arguments_are_refused(db):
    with pytest.raises(CommandError):
        _seed("--tickets", "-1")


# --- bench.stats --------------------------------------------------------------------------------


def test_percentiles_use_the_nearest_rank():
    values = list(range(100, 0, -1))  # 1..100, unsorted
    assert [percentile(values, p) for p in (1, 50, 95, 99, 100)] == [1, 50, 95, 99, 100]
    assert percentile([15, 20, 35, 40, 50], 40) == 20
    assert percentile([7.5], 99) == 7.5


def test_a_percentile_of_nothing_is_an_error():
    with pytest.raises(ValueError, match="no values"):
        percentile([], 50)


def test_the_summary_gives_percentiles_and_requests_per_second():
    summary = summarize([float(ms) for ms in range(1, 201)], errors=3, seconds=4.0)
    assert (summary.requests, summary.errors) == (200, 3)
    assert (summary.p50, summary.p95, summary.p99) == (100.0, 190.0, 198.0)
    assert summary.requests_per_second == 50.0
