"""manage.py ingest_email (files, directories, mbox, Maildir, stdin; --json), the demo seed and
the ingestion benchmark's generator."""

import io
import json
import mailbox as mailbox_module
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.factories import CategoryFactory, TicketFactory
from tests.tickets.mail.factories import MailboxFactory, make_email
from tickets.management.commands.bench_ingest import write_messages
from tickets.models import InboundEmail, Mailbox, Ticket

FIXTURES = Path(__file__).parent / "fixtures"
FIELDS = [
    "source",
    "outcome",
    "ticket",
    "subject",
    "from_email",
    "from_name",
    "attachments",
    "reason",
]
pytestmark = pytest.mark.django_db


@pytest.fixture
def mailbox(team_a):
    return MailboxFactory(team=team_a, name="support")


def _json_lines(*args: str) -> list[dict]:
    out = io.StringIO()
    call_command("ingest_email", "--json", *args, stdout=out, stderr=io.StringIO())
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_json_prints_exactly_the_documented_fields(mailbox) -> None:
    rows = _json_lines("--mailbox", "support", str(FIXTURES / "junk_before_headers.eml"))

    assert rows == [
        {
            "source": str(FIXTURES / "junk_before_headers.eml"),
            "outcome": "created",
            "ticket": Ticket.objects.get().reference,
            "subject": "Café account – statement",
            "from_email": "renee@example.fr",
            "from_name": "Renée",
            "attachments": ["relevé novembre.pdf"],
            "reason": "",
        }
    ]
    assert list(rows[0]) == FIELDS


def test_a_directory_gives_one_line_per_file_and_every_outcome(mailbox) -> None:
    rows = _json_lines("--mailbox", "support", str(FIXTURES))

    outcomes = {Path(row["source"]).name: row["outcome"] for row in rows}
    assert len(rows) == len(list(FIXTURES.glob("*.eml")))
    assert outcomes["bounce.eml"] == "ignored"
    assert outcomes["auto_reply.eml"] == "ignored"
    assert outcomes["big5.eml"] == "created"
    assert _json_lines("--mailbox", "support", str(FIXTURES / "big5.eml"))[0]["outcome"] == (
        "duplicate"
    )


def test_an_mbox_and_a_maildir_are_read_message_by_message(mailbox, tmp_path) -> None:
    box = mailbox_module.mbox(tmp_path / "archive.mbox")
    box.add(make_email(subject="From mbox 1"))
    box.add(make_email(subject="From mbox 2"))
    box.flush()
    maildir = mailbox_module.Maildir(tmp_path / "Maildir")
    maildir.add(make_email(subject="From Maildir"))

    rows = _json_lines(str(tmp_path / "archive.mbox"), str(tmp_path / "Maildir"))

    assert [row["subject"] for row in rows] == ["From mbox 1", "From mbox 2", "From Maildir"]
    assert {row["outcome"] for row in rows} == {"created"}


def test_standard_input_is_read_when_the_path_is_a_dash(mailbox, monkeypatch) -> None:
    ticket = TicketFactory(team=mailbox.team, status="open")
    raw = make_email(sender=ticket.client.email, subject=f"Re: [{ticket.reference}] x")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))

    rows = _json_lines("-")

    assert rows[0]["source"] == "stdin"
    assert (rows[0]["outcome"], rows[0]["ticket"]) == ("threaded", ticket.reference)


def test_an_unknown_path_or_mailbox_is_an_error(mailbox) -> None:
    with pytest.raises(CommandError, match="no such file"):
        call_command("ingest_email", "/nonexistent/mail.eml", stdout=io.StringIO())
    with pytest.raises(CommandError, match="No mailbox"):
        call_command("ingest_email", "--mailbox", "nope", "-", stdout=io.StringIO())


def test_the_demo_seed_is_idempotent(team_a) -> None:
    CategoryFactory()
    TicketFactory(team=team_a, status="open")
    call_command("seed_inbound_demo", stdout=io.StringIO())
    counts = (InboundEmail.objects.count(), Ticket.objects.count(), Mailbox.objects.count())

    call_command("seed_inbound_demo", stdout=io.StringIO())

    assert (InboundEmail.objects.count(), Ticket.objects.count(), Mailbox.objects.count()) == (
        counts
    )
    outcomes = set(InboundEmail.objects.values_list("outcome", flat=True))
    assert outcomes == {"created", "threaded", "ignored", "quarantined"}


def test_the_benchmark_generates_mixed_messages(tmp_path) -> None:
    write_messages(tmp_path, 200, senders=20)

    files = list(tmp_path.rglob("*.eml"))
    assert len(files) == 200
    contents = b"".join(path.read_bytes() for path in files)
    assert b"Auto-Submitted" in contents
    assert b"In-Reply-To" in contents
    assert b'charset="big5"' in contents or b"charset=big5" in contents
