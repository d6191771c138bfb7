"""``manage.py import_tickets``: Zendesk-style CSV through a mapping and JSON; idempotent on the
external id; bad rows reported with line numbers while good rows import."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.factories import CategoryFactory, ResolutionCodeFactory
from tickets.models import Client, ImportedTicket, Ticket, TicketEvent

pytestmark = pytest.mark.django_db

ZENDESK_CSV = """Id,Subject,Description,Requester,Requester email,Priority,Status,Group,Via,Tags,Created at
1001,Cannot log in,"Two-factor code rejected
since this morning",Chan Tai Man,chan@mail.example,urgent,open,tech-hk,Web form,login 2fa,2026-01-05T09:30:00+08:00
1002,Statement missing,The March statement is not there,Lee Siu Ming,lee@mail.example,low,solved,tech-hk,email,,2026-02-01T10:00:00+08:00
1003,Order stuck,Order pending for an hour,Wong,wong@mail.example,high,closed,tech-hk,voice,orders,
"""  # noqa: E501

BAD_CSV = """Id,Subject,Description,Requester,Requester email,Priority,Status,Group,Via,Tags,Created at
2001,Good one,Fine,A,a@mail.example,normal,new,tech-hk,email,,
2002,No email,Body,B,,normal,new,tech-hk,email,,
2003,Unknown team,Body,C,c@mail.example,normal,new,nowhere,email,,
2004,,Body,D,d@mail.example,normal,new,tech-hk,email,,
2005,Bad status,Body,E,e@mail.example,normal,exploded,tech-hk,email,,
2006,Another good one,Fine,F,f@mail.example,high,pending,tech-hk,email,,
"""  # noqa: E501


@pytest.fixture
def desk(team_a):
    CategoryFactory(slug="general", name_en="General", name_zh_hant="一般")
    ResolutionCodeFactory(slug="imported", name_en="Imported", name_zh_hant="已匯入")
    return team_a


def _run(tmp_path, name: str, text: str, *args: str) -> tuple[str, str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    out, err = StringIO(), StringIO()
    call_command("import_tickets", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_zendesk_export_imports_once(desk, tmp_path):
    out, _ = _run(tmp_path, "zendesk.csv", ZENDESK_CSV, "--mapping", "zendesk")
    assert "Imported 3 tickets, skipped 0" in out
    by_subject = {ticket.subject: ticket for ticket in Ticket.objects.all()}
    login = by_subject["Cannot log in"]
    assert (login.priority, login.status, login.channel, login.tags) == (
        1, "open", "web", ["login", "2fa"],
    )  # fmt: skip
    assert login.created_at.isoformat() == "2026-01-05T01:30:00+00:00"
    assert login.client.email == "chan@mail.example"
    assert by_subject["Statement missing"].status == "resolved"
    assert by_subject["Order stuck"].status == "closed"
    assert TicketEvent.objects.filter(ticket=login, source="automation").exists()
    out, _ = _run(tmp_path, "zendesk.csv", ZENDESK_CSV, "--mapping", "zendesk")
    assert "Imported 0 tickets, skipped 3" in out
    assert Ticket.objects.count() == 3
    assert ImportedTicket.objects.filter(source="zendesk").count() == 3


def test_bad_rows_are_reported_with_line_numbers_and_good_rows_import(desk, tmp_path):
    with pytest.raises(CommandError, match="4 rows were not imported"):
        _run(tmp_path, "bad.csv", BAD_CSV, "--mapping", "zendesk")
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == [
        "Another good one",
        "Good one",
    ]
    assert not Client.objects.filter(email="c@mail.example").exists()


def test_bad_rows_name_their_lines(desk, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(BAD_CSV, encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_tickets", str(path), "--mapping", "zendesk", stderr=err,
                     stdout=StringIO())  # fmt: skip
    lines = err.getvalue().splitlines()
    assert [line.split(":")[1].strip() for line in lines] == [
        "line 3", "line 4", "line 5", "line 6",
    ]  # fmt: skip
    assert "email" in lines[0]
    assert "nowhere" in lines[1]


def test_json_uses_our_own_field_names(desk, tmp_path):
    items = [
        {"external_id": "j1", "subject": "From JSON", "description": "Body",
         "client_email": "json@mail.example", "team": "tech-hk", "category": "general"},
        "not an object",
    ]  # fmt: skip
    with pytest.raises(CommandError):
        _run(tmp_path, "tickets.json", json.dumps(items), "--format", "json")
    assert Ticket.objects.get().subject == "From JSON"
    assert ImportedTicket.objects.get().source == "import"


def test_a_freshdesk_mapping_is_shipped(desk, tmp_path):
    csv_text = (
        "Ticket ID,Subject,Description,Requester Name,Requester Email,Priority,Status,Group,"
        "Type,Source,Tags,Created time\n"
        "77,Chart frozen,The chart stopped,Ho,ho@mail.example,Medium,Waiting on Customer,"
        "tech-hk,general,Portal,,2026-03-01 08:00:00+08:00\n"
    )
    out, _ = _run(tmp_path, "freshdesk.csv", csv_text, "--mapping", "freshdesk")
    assert "Imported 1 tickets" in out
    ticket = Ticket.objects.get()
    assert (ticket.priority, ticket.status, ticket.channel) == (3, "pending_client", "web")
