"""The ticket page: what an agent sees on it and every action it posts, through the test client.

Personas come from ``tests/conftest.py``: ``agent`` and ``supervisor`` of team A, ``outsider``
(an agent of team B), ``manager`` (reads everything, works nothing).
"""

from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from teams.access import Role
from tests.factories import (
    CategoryFactory,
    ClientFactory,
    ClosedTicketFactory,
    MembershipFactory,
    MessageFactory,
    ResolutionCodeFactory,
    ResolvedTicketFactory,
    TicketEventFactory,
    TicketFactory,
    UserFactory,
)
from tickets.models import Attachment, Message, Ticket, TicketEvent, TicketLink
from tickets.rendering import render_message_html
from tickets.services.attachments import attachments_store
from tickets.services.tickets import message_add_reply, ticket_update

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
XSS = '<script>alert("pwned")</script><img src=x onerror=alert(1)>'
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _memory_storage(settings) -> None:
    """Attachments go to memory, never to the developer's var/media."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }


@pytest.fixture
def client_record(db):
    return ClientFactory(
        name="Chan Tai Man",
        email="chan@mail.example",
        account_number="HK00004217",
        tier="pro",
        language="zh-hant",
        region="HK",
        time_zone="Asia/Hong_Kong",
    )


@pytest.fixture
def ticket(team_a, client_record):
    return TicketFactory(
        team=team_a,
        client=client_record,
        subject="Cannot log in to the desktop platform",
        description="Since this morning the login fails.\nError 1043.",
        status=Ticket.Status.OPEN,
        priority=Ticket.Priority.NORMAL,
        created_at=timezone.now() - timedelta(hours=5),
    )


@pytest.fixture
def colleague(team_a):
    user = UserFactory(email="bob@desk.example", full_name="Bob Builder", roles=[Role.AGENT])
    MembershipFactory(team=team_a, user=user)
    return user


@pytest.fixture
def resolution_code(db):
    return ResolutionCodeFactory()


def _page(client, ticket):
    return client.get(reverse("tickets:detail", args=[ticket.pk]))


def _html(response) -> str:
    return response.content.decode()


def _ticket(ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


# --- Page content ---------------------------------------------------------------------------


def test_the_page_shows_the_header_client_card_and_details(client, agent, ticket):
    client.force_login(agent)
    response = _page(client, ticket)
    html = _html(response)
    assert response.status_code == 200
    assert ticket.reference in html
    assert "Cannot log in to the desktop platform" in html
    assert "P3 normal" in html
    assert ">Open<" in html
    # Client card.
    assert "Chan Tai Man" in html
    assert "chan@mail.example" in html
    assert "HK00004217" in html
    assert "Pro" in html
    assert "繁體中文" in html
    assert "Asia/Hong_Kong" in html
    assert "there now" in html
    # The description is plain text, with its line breaks.
    assert "Since this morning the login fails.<br>Error 1043." in html
    # Quick actions.
    for label in ("Reply", "Internal note", "Assign to me", "Escalate", "Resolve", "Set status"):
        assert label in html


def test_the_client_card_shows_the_local_time_in_the_clients_zone(client, agent, ticket):
    client.force_login(agent)
    with time_machine.travel("2026-03-02 01:30:00+00:00", tick=False):
        html = _html(_page(client, ticket))
    # 01:30 UTC is 09:30 in Hong Kong (UTC+8).
    assert "Mon 09:30 there now" in html


def test_the_client_card_lists_the_latest_five_other_visible_tickets(
    client, agent, ticket, client_record, team_b
):
    others = [
        TicketFactory(
            team=ticket.team,
            client=client_record,
            subject=f"Earlier problem {n}",
            created_at=timezone.now() - timedelta(days=n + 1),
        )
        for n in range(6)
    ]
    hidden = TicketFactory(team=team_b, client=client_record, subject="Other team's matter")
    client.force_login(agent)
    html = _html(_page(client, ticket))
    for other in others[:5]:
        assert reverse("tickets:detail", args=[other.pk]) in html
    assert others[5].reference not in html
    assert "Other team&#x27;s matter" not in html
    assert hidden.reference not in html


def test_messages_and_events_are_interleaved_by_time(client, agent, ticket):
    start = ticket.created_at
    MessageFactory(
        ticket=ticket, kind="client", body="FIRST client", created_at=start + timedelta(minutes=1)
    )
    TicketEventFactory(
        ticket=ticket,
        actor=agent,
        action="field_changed",
        field="priority",
        old_value="3",
        new_value="1",
        created_at=start + timedelta(minutes=2),
    )
    MessageFactory(
        ticket=ticket,
        kind="note",
        author=agent,
        body="SECOND note",
        created_at=start + timedelta(minutes=3),
    )
    TicketEventFactory(
        ticket=ticket,
        actor=agent,
        action="status_changed",
        field="status",
        old_value="open",
        new_value="pending_client",
        created_at=start + timedelta(minutes=4),
    )
    MessageFactory(
        ticket=ticket,
        kind="reply",
        author=agent,
        body="THIRD reply",
        created_at=start + timedelta(minutes=5),
    )
    client.force_login(agent)
    html = _html(_page(client, ticket))
    order = [
        html.index("Since this morning"),
        html.index("FIRST client"),
        html.index('P3 normal</span> → <span class="event-new">P1 urgent'),
        html.index("SECOND note"),
        html.index('Open</span> → <span class="event-new">Pending client'),
        html.index("THIRD reply"),
    ]
    assert order == sorted(order)


def test_internal_notes_are_labelled_and_styled_apart(client, agent, ticket):
    note = MessageFactory(ticket=ticket, kind="note", author=agent, body="Checked the logs")
    reply = MessageFactory(ticket=ticket, kind="reply", author=agent, body="We are on it")
    client.force_login(agent)
    html = _html(_page(client, ticket))
    note_html = html[html.index(f'id="message-{note.pk}"') :][:600]
    reply_html = html[html.index(f'id="message-{reply.pk}"') :][:600]
    assert "Internal note" in note_html
    assert "Internal note" not in reply_html
    assert "Public reply" in reply_html
    assert f'<article class="msg msg-note" id="message-{note.pk}">' in html


def test_audit_events_say_who_changed_what_and_through_which_channel(client, agent, ticket):
    TicketEventFactory(
        ticket=ticket,
        actor=None,
        action="assigned",
        field="assignee",
        old_value="",
        new_value="Alice Agent",
        source="automation",
    )
    client.force_login(agent)
    html = _html(_page(client, ticket))
    line = html[html.index("changed the assignee") - 200 :][:600]
    assert "System" in line
    assert "Assignee" in line
    assert "Alice Agent" in line
    assert "Automation" in line


def test_attachments_are_listed_under_their_message_with_a_thumbnail(client, agent, ticket):
    message = MessageFactory(ticket=ticket, kind="client", body="see screenshot")
    image, document = attachments_store(
        message=message,
        uploads=[
            SimpleUploadedFile("screen.png", PNG, content_type="image/png"),
            SimpleUploadedFile("log.txt", b"line 1\n" * 300, content_type="text/plain"),
        ],
    )
    client.force_login(agent)
    html = _html(_page(client, ticket))
    assert f'src="{reverse("tickets:attachment_preview", args=[image.pk])}"' in html
    assert f'href="{reverse("tickets:attachment", args=[document.pk])}"' in html
    assert "log.txt" in html
    assert "2.1\xa0KB" in html
    assert f'src="{reverse("tickets:attachment_preview", args=[document.pk])}"' not in html


# --- Fields edited in place -----------------------------------------------------------------


def _edit(client, ticket, field, value, version, **extra):
    return client.post(
        reverse("tickets:field_update", args=[ticket.pk, field]),
        {"value": value, "expected_version": version},
        **HTMX,
        **extra,
    )


def test_a_field_saves_in_place_and_the_version_follows(client, agent, ticket):
    client.force_login(agent)
    response = _edit(client, ticket, "priority", "1", ticket.version)
    html = _html(response)
    ticket.refresh_from_db()
    assert response.status_code == 200
    assert ticket.priority == 1
    assert "Saved" in html
    assert f'id="ticket-version" name="expected_version" value="{ticket.version}"' in html
    assert 'id="ticket-header" hx-swap-oob="true"' in html
    assert TicketEvent.objects.filter(ticket=ticket, field="priority", new_value="1").exists()


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("priority", "2", 2),
        ("language", "zh-hant", "zh-hant"),
        ("platform_os", "Windows 11", "Windows 11"),
        ("app_version", "5.2.1", "5.2.1"),
        ("tags", "login, 2fa ,login", ["login", "2fa"]),
    ],
    ids=["priority_case", "language_case", "os_case", "version_case", "tags_case"],
)
def test_each_simple_field_is_editable(client, agent, ticket, field, value, expected):
    client.force_login(agent)
    response = _edit(client, ticket, field, value, ticket.version)
    assert response.status_code == 200
    assert getattr(_ticket(ticket), field) == expected


def test_category_team_and_assignee_are_editable(client, agent, colleague, ticket, team_b):
    category = CategoryFactory(slug="mobile", name_en="Mobile app", name_zh_hant="手機應用程式")
    client.force_login(agent)
    assert _edit(client, ticket, "category", category.pk, ticket.version).status_code == 200
    assert (
        _edit(client, ticket, "assignee", colleague.pk, _ticket(ticket).version).status_code == 200
    )
    assert _edit(client, ticket, "team", team_b.pk, _ticket(ticket).version).status_code == 200
    saved = _ticket(ticket)
    assert (saved.category, saved.team, saved.assignee) == (category, team_b, None)


def test_the_assignee_must_be_a_member_of_the_team(client, agent, outsider, ticket):
    client.force_login(agent)
    response = _edit(client, ticket, "assignee", outsider.pk, ticket.version)
    assert response.status_code == 400
    assert "Oscar Outsider is not a member of the team Technical Assistance HK." in _html(response)
    assert _ticket(ticket).assignee is None


def test_an_invalid_value_is_refused_with_a_message(client, agent, ticket):
    client.force_login(agent)
    response = _edit(client, ticket, "priority", "9", ticket.version)
    assert response.status_code == 400
    assert 'role="alert"' in _html(response)
    assert "Choose a valid value for Priority." in _html(response)
    assert _ticket(ticket).version == ticket.version


def test_a_stale_edit_shows_what_changed_and_offers_to_reapply(client, agent, colleague, ticket):
    seen = ticket.version
    ticket_update(actor=colleague, ticket=ticket, changes={"priority": 1}, expected_version=seen)
    current = _ticket(ticket).version
    client.force_login(agent)

    response = _edit(client, ticket, "priority", "4", seen)
    html = _html(response)
    assert response.status_code == 409
    assert "Someone else changed this ticket" in html
    assert "<strong>Priority</strong>: now “P1 urgent”" in html
    assert f'name="expected_version" value="{current}"' in html
    assert "Apply my value “P4 low” anyway" in html
    assert 'id="ticket-header" hx-swap-oob="true"' in html
    assert 'id="ticket-version"' not in html
    assert _ticket(ticket).priority == 1

    reapplied = _edit(client, ticket, "priority", "4", current)
    assert reapplied.status_code == 200
    assert _ticket(ticket).priority == 4


def test_a_reader_who_may_not_work_the_ticket_is_refused_403(client, manager, ticket):
    client.force_login(manager)
    page = _html(_page(client, ticket))
    response = _edit(client, ticket, "priority", "1", ticket.version)
    assert 'name="body"' not in page
    assert response.status_code == 403
    assert "You are not allowed to change tickets of this team." in _html(response)
    assert _ticket(ticket).priority == 3


def test_an_unknown_field_is_not_found(client, agent, ticket):
    client.force_login(agent)
    response = _edit(client, ticket, "status", "closed", ticket.version)
    assert response.status_code == 404
    assert _ticket(ticket).status == Ticket.Status.OPEN


# --- Reply and note -------------------------------------------------------------------------


def _reply(client, ticket, body, **data):
    return client.post(reverse("tickets:reply", args=[ticket.pk]), {"body": body, **data})


def test_a_reply_is_stored_and_appears_on_the_page(client, agent, ticket):
    client.force_login(agent)
    response = _reply(client, ticket, "Please **restart** the app.", reply_status="pending_client")
    message = Message.objects.get(ticket=ticket, kind="reply")
    assert response.status_code == 302
    assert response["Location"] == f"/tickets/{ticket.pk}/#message-{message.pk}"
    assert _ticket(ticket).status == Ticket.Status.PENDING_CLIENT
    html = _html(client.get(response["Location"]))
    assert "Your reply was added." in html
    assert "Please <strong>restart</strong> the app." in html


def test_a_reply_applies_the_macro_effects(client, agent, ticket):
    client.force_login(agent)
    response = _reply(
        client,
        ticket,
        "Hello",
        set_status="pending_client",
        set_priority="2",
        add_tags=["login", "callback"],
    )
    saved = _ticket(ticket)
    assert response.status_code == 302
    assert (saved.status, saved.priority, saved.tags) == (
        "pending_client",
        2,
        ["login", "callback"],
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("   ", "Write a message first: it is empty."),
        ("x" * 100_001, "The message is too long: at most 100,000 characters"),
    ],
    ids=["empty_case", "oversized_case"],
)
def test_an_empty_or_oversized_reply_is_refused_and_kept(client, agent, ticket, body, message):
    client.force_login(agent)
    response = _reply(client, ticket, body)
    assert response.status_code == 400
    assert message in _html(response)
    assert not Message.objects.filter(ticket=ticket).exists()


def test_a_reply_whose_attachment_is_refused_is_not_stored(client, agent, ticket, settings):
    settings.ATTACHMENT_MAX_BYTES = 1_000
    client.force_login(agent)
    response = _reply(
        client,
        ticket,
        "Here is the log",
        attachments=[SimpleUploadedFile("huge.log", b"x" * 2_000)],
    )
    html = _html(response)
    assert response.status_code == 413
    assert "“huge.log” is too large: files may be at most 1000\xa0bytes." in html
    assert "Here is the log</textarea>" in html
    assert not Message.objects.filter(ticket=ticket).exists()
    assert not Attachment.objects.exists()
    assert _ticket(ticket).version == ticket.version


def test_a_reply_with_a_blocked_file_is_refused_415(client, agent, ticket):
    client.force_login(agent)
    response = _reply(
        client, ticket, "tool", attachments=[SimpleUploadedFile("fix.exe", b"MZ\x90\x00")]
    )
    assert response.status_code == 415
    assert "cannot be attached" in _html(response)
    assert not Message.objects.filter(ticket=ticket).exists()


def test_a_reply_with_attachments_stores_them(client, agent, ticket):
    client.force_login(agent)
    _reply(
        client,
        ticket,
        "Screens attached",
        attachments=[
            SimpleUploadedFile("a.png", PNG),
            SimpleUploadedFile("b.txt", b"hello"),
        ],
    )
    message = Message.objects.get(ticket=ticket, kind="reply")
    names = sorted(message.attachments.values_list("original_name", flat=True))
    assert names == ["a.png", "b.txt"]


def test_an_internal_note_is_stored_and_labelled(client, agent, ticket):
    client.force_login(agent)
    response = client.post(reverse("tickets:note", args=[ticket.pk]), {"body": "Checked logs"})
    note = Message.objects.get(ticket=ticket)
    html = _html(client.get(response["Location"]))
    assert response.status_code == 302
    assert note.kind == Message.Kind.NOTE
    assert "Your internal note was added." in html
    assert "Internal note" in html[html.index(f'id="message-{note.pk}"') :][:500]


def test_a_stale_reply_that_changes_the_status_is_refused(client, agent, colleague, ticket):
    seen = ticket.version
    ticket_update(actor=colleague, ticket=ticket, changes={"priority": 1}, expected_version=seen)
    client.force_login(agent)
    response = _reply(
        client, ticket, "Pending on you", reply_status="pending_client", expected_version=seen
    )
    assert response.status_code == 409
    assert "Someone else changed this ticket" in _html(response)
    assert not Message.objects.filter(ticket=ticket).exists()


# --- Quick actions --------------------------------------------------------------------------


def test_assign_to_me(client, agent, ticket):
    client.force_login(agent)
    response = client.post(reverse("tickets:assign_to_me", args=[ticket.pk]))
    assert response.status_code == 302
    assert _ticket(ticket).assignee == agent
    html = _html(client.get(response["Location"]))
    assert "The ticket is now assigned to you." in html
    assert "Assign to me</button>" not in html


def test_escalate_needs_a_reason(client, agent, supervisor, ticket):
    client.force_login(agent)
    url = reverse("tickets:escalate", args=[ticket.pk])
    refused = client.post(url, {"reason": "  "})
    assert refused.status_code == 400
    assert "Say why the ticket needs escalating." in _html(refused)
    assert _ticket(ticket).escalation_level == 0

    response = client.post(url, {"reason": "Client is institutional; trading blocked"})
    assert response.status_code == 302
    assert _ticket(ticket).escalation_level == 1
    html = _html(client.get(response["Location"]))
    assert "Escalated · level 1" in html
    assert "Client is institutional; trading blocked" in html


def _resolve(client, ticket, **data):
    return client.post(
        reverse("tickets:transition", args=[ticket.pk]), {"to_status": "resolved", **data}
    )


def test_resolving_requires_a_resolution_code(client, agent, ticket, resolution_code):
    client.force_login(agent)
    response = _resolve(client, ticket, resolution_summary="Reset the password")
    assert response.status_code == 400
    assert "Choose a resolution code." in _html(response)
    assert "Reset the password</textarea>" in _html(response)
    assert _ticket(ticket).status == Ticket.Status.OPEN


def test_resolving_requires_a_summary(client, agent, ticket, resolution_code):
    client.force_login(agent)
    response = _resolve(client, ticket, resolution_code=resolution_code.pk)
    assert response.status_code == 400
    assert "Write a resolution summary" in _html(response)
    assert _ticket(ticket).status == Ticket.Status.OPEN


def test_resolving_with_code_and_summary(client, agent, ticket, resolution_code):
    client.force_login(agent)
    response = client.post(
        reverse("tickets:transition", args=[ticket.pk]),
        {
            "to_status": "resolved",
            "resolution_code": resolution_code.pk,
            "resolution_summary": "Reset the password with the client on the phone.",
            "expected_version": ticket.version,
        },
    )
    saved = _ticket(ticket)
    assert response.status_code == 302
    assert (saved.status, saved.resolution_code) == ("resolved", resolution_code)
    html = _html(client.get(response["Location"]))
    assert "resolved the ticket" in html
    assert "Reset the password with the client on the phone." in html
    assert ">Reopen</button>" in html
    assert ">Close</button>" in html
    assert "Resolve ticket" not in html


def test_an_illegal_transition_is_refused_409(client, agent, ticket):
    client.force_login(agent)
    response = client.post(reverse("tickets:transition", args=[ticket.pk]), {"to_status": "new"})
    assert response.status_code == 409
    assert "A ticket that is Open cannot be moved to New." in _html(response)


def test_only_legal_statuses_are_offered(client, agent, ticket):
    client.force_login(agent)
    html = _html(_page(client, ticket))
    status_form = html[html.index('id="to-status"') :][:600]
    assert 'value="pending_client"' in status_form
    assert 'value="new"' not in status_form
    assert 'value="closed"' not in status_form
    assert ">Close</button>" not in html


def test_a_closed_ticket_is_read_only(client, agent, team_a):
    closed = ClosedTicketFactory(team=team_a)
    client.force_login(agent)
    html = _html(_page(client, closed))
    assert "closed and read-only" in html
    assert "<form" not in html[html.index('id="ticket-header"') : html.index("</aside>")]
    response = _reply(client, closed, "Hello again")
    assert response.status_code == 409
    assert "This ticket is closed and can no longer be changed." in _html(response)
    assert not Message.objects.filter(ticket=closed).exists()


def test_reopening_a_resolved_ticket(client, agent, team_a):
    resolved = ResolvedTicketFactory(team=team_a)
    client.force_login(agent)
    response = client.post(reverse("tickets:transition", args=[resolved.pk]), {"to_status": "open"})
    assert response.status_code == 302
    assert _ticket(resolved).status == Ticket.Status.OPEN


# --- Links, merge, split --------------------------------------------------------------------


def test_linking_a_ticket_by_reference_shows_on_both(client, agent, ticket, team_a):
    other = TicketFactory(team=team_a, status="open", subject="Related outage")
    client.force_login(agent)
    response = client.post(
        reverse("tickets:link", args=[ticket.pk]), {"reference": other.reference}
    )
    assert response.status_code == 302
    assert TicketLink.objects.filter(source=ticket, target=other, kind="related").exists()
    assert other.reference in _html(_page(client, ticket))
    assert ticket.reference in _html(_page(client, other))


@pytest.mark.parametrize(
    "reference", ["SD-999999", "nonsense", ""], ids=["missing", "junk", "empty"]
)
def test_linking_an_unknown_reference_is_refused(client, agent, ticket, reference):
    client.force_login(agent)
    response = client.post(reverse("tickets:link", args=[ticket.pk]), {"reference": reference})
    assert response.status_code == 400
    assert "that you can see" in _html(response)
    assert not TicketLink.objects.exists()


def test_linking_another_teams_ticket_does_not_reveal_it(client, agent, ticket, team_b):
    hidden = TicketFactory(team=team_b)
    client.force_login(agent)
    response = client.post(
        reverse("tickets:link", args=[ticket.pk]), {"reference": hidden.reference}
    )
    assert response.status_code == 400
    assert f"There is no ticket “{hidden.reference}” that you can see." in _html(response)
    assert hidden.subject not in _html(response)


def test_merge_asks_for_confirmation_then_merges(client, agent, ticket, team_a):
    target = TicketFactory(team=team_a, status="open", subject="The original report")
    MessageFactory(ticket=ticket, kind="client", body="Duplicate follow-up")
    client.force_login(agent)
    url = reverse("tickets:merge", args=[ticket.pk])

    confirm = client.post(url, {"reference": target.reference})
    assert confirm.status_code == 200
    assert f"Merge {ticket.reference} into {target.reference}?" in _html(confirm)
    assert _ticket(ticket).status == Ticket.Status.OPEN

    response = client.post(url, {"reference": target.reference, "confirm": "yes"})
    assert response.status_code == 302
    assert response["Location"] == f"/tickets/{target.pk}/"
    merged = _ticket(ticket)
    assert (merged.status, merged.merged_into) == ("closed", target)
    target_html = _html(client.get(response["Location"]))
    assert "Duplicate follow-up" in target_html
    assert f"merged {ticket.reference} into this ticket" in target_html
    assert "Merged from" in target_html
    assert "Merged into" in _html(_page(client, ticket))


def test_a_ticket_cannot_be_merged_into_itself(client, agent, ticket):
    client.force_login(agent)
    response = client.post(
        reverse("tickets:merge", args=[ticket.pk]),
        {"reference": ticket.reference, "confirm": "yes"},
    )
    assert response.status_code == 400
    assert "A ticket cannot be merged into itself." in _html(response)
    assert _ticket(ticket).status == Ticket.Status.OPEN


def test_a_client_message_splits_into_a_new_linked_ticket(client, agent, ticket):
    message = MessageFactory(ticket=ticket, kind="client", body="Also my statement is wrong")
    client.force_login(agent)
    page = _html(_page(client, ticket))
    assert reverse("tickets:split", args=[ticket.pk, message.pk]) in page
    response = client.post(
        reverse("tickets:split", args=[ticket.pk, message.pk]), {"subject": "Wrong statement"}
    )
    new_ticket = Ticket.objects.get(subject="Wrong statement")
    assert response.status_code == 302
    assert response["Location"] == f"/tickets/{new_ticket.pk}/"
    assert TicketLink.objects.filter(source=new_ticket, target=ticket, kind="split_from").exists()
    # The message starts the new ticket's conversation, once.
    assert _html(client.get(response["Location"])).count("Also my statement is wrong") == 1
    original = _html(_page(client, ticket))
    assert "Split into" in original
    assert new_ticket.reference in original


def test_a_split_needs_a_subject(client, agent, ticket):
    message = MessageFactory(ticket=ticket, kind="client", body="Another problem")
    client.force_login(agent)
    response = client.post(reverse("tickets:split", args=[ticket.pk, message.pk]), {"subject": ""})
    assert response.status_code == 400
    assert "Give the new ticket a subject." in _html(response)
    assert Ticket.objects.count() == 1


# --- Presence -------------------------------------------------------------------------------


def _presence(client, ticket, activity="viewing"):
    return client.post(
        reverse("tickets:presence", args=[ticket.pk]), {"activity": activity}, **HTMX
    )


def test_presence_shows_who_else_is_viewing_or_replying_and_expires(
    client, agent, colleague, ticket
):
    client.force_login(colleague)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        _page(client, ticket)
        client.force_login(agent)
        viewing = _html(_presence(client, ticket))
        assert "Bob Builder is viewing" in viewing
        assert "Alice Agent" not in viewing

        client.force_login(colleague)
        _presence(client, ticket, "replying")
        client.force_login(agent)
        assert "Bob Builder is replying" in _html(_presence(client, ticket))

        clock.shift(timedelta(seconds=16))
        assert "Bob Builder" not in _html(_presence(client, ticket))


def test_presence_tells_when_someone_else_changed_the_ticket(client, agent, colleague, ticket):
    seen = ticket.version
    ticket_update(actor=colleague, ticket=ticket, changes={"priority": 2}, expected_version=seen)
    client.force_login(agent)
    response = client.post(
        reverse("tickets:presence", args=[ticket.pk]),
        {"activity": "viewing", "expected_version": seen},
        **HTMX,
    )
    assert "Someone else changed this ticket since you opened it." in _html(response)


# --- Permissions ----------------------------------------------------------------------------

ACTIONS = [
    ("detail", "get", {}),
    ("reply", "post", {"body": "hi"}),
    ("note", "post", {"body": "hi"}),
    ("assign_to_me", "post", {}),
    ("escalate", "post", {"reason": "why"}),
    ("transition", "post", {"to_status": "pending_client"}),
    ("field_update", "post", {"value": "1"}),
    ("link", "post", {"reference": "OTHER"}),
    ("merge", "post", {"reference": "OTHER", "confirm": "yes"}),
    ("split", "post", {"subject": "new"}),
    ("presence", "post", {"activity": "viewing"}),
    ("macro_picker", "get", {}),
    ("article_suggestions", "get", {}),
]


def _action_url(name, ticket, message):
    if name == "field_update":
        return reverse("tickets:field_update", args=[ticket.pk, "priority"])
    if name == "split":
        return reverse("tickets:split", args=[ticket.pk, message.pk])
    return reverse(f"tickets:{name}", args=[ticket.pk])


@pytest.mark.parametrize(("name", "method", "data"), ACTIONS, ids=[row[0] for row in ACTIONS])
def test_an_outsider_gets_404_everywhere_and_nothing_changes(
    client, outsider, ticket, team_b, name, method, data
):
    message = MessageFactory(ticket=ticket, kind="client", body="secret")
    own = TicketFactory(team=team_b, status="open")
    data = {key: own.reference if value == "OTHER" else value for key, value in data.items()}
    before = (ticket.version, ticket.status, ticket.priority, ticket.assignee_id)
    client.force_login(outsider)
    response = getattr(client, method)(_action_url(name, ticket, message), data, **HTMX)
    assert response.status_code == 404
    ticket.refresh_from_db()
    assert (ticket.version, ticket.status, ticket.priority, ticket.assignee_id) == before
    assert Message.objects.filter(ticket=ticket).count() == 1
    assert not TicketLink.objects.exists()
    assert Ticket.objects.count() == 2


def test_a_client_may_not_open_the_agents_page(client, client_user, ticket):
    client.force_login(client_user)
    assert _page(client, ticket).status_code == 403


# --- Safety ---------------------------------------------------------------------------------


def test_xss_payloads_are_rendered_inert(client, agent, team_a):
    evil_client = ClientFactory(name=f"Eve {XSS}", account_number=None)
    ticket = TicketFactory(
        team=team_a,
        client=evil_client,
        subject=f"Help {XSS}",
        description=f"Body {XSS}",
        tags=[f"t{XSS}"[:50]],
        platform_os=XSS[:100],
        status="open",
    )
    message = message_add_reply(
        actor=agent, ticket=ticket, body=f"Reply {XSS} [x](javascript:alert(1))"
    )
    attachments_store(
        message=message, uploads=[SimpleUploadedFile(f"{XSS}.txt", b"hello", "text/plain")]
    )
    TicketEventFactory(ticket=ticket, actor=agent, field="subject", new_value=XSS)
    client.force_login(agent)
    html = _html(_page(client, ticket))
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert 'href="javascript:' not in html
    assert "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;" in html


def test_the_timeline_escapes_names_attachment_names_and_event_values(client, agent, team_a):
    """The timeline is written out in Python (``ticket_timeline``): every value from a person
    or an email is escaped there, in text and in attributes."""
    evil = '"><script>alert(1)</script>'
    ticket = TicketFactory(team=team_a, client=ClientFactory(name=f"Eve {evil}"), status="open")
    message = MessageFactory(ticket=ticket, kind="client", author=None, body="see the file")
    attachments_store(
        message=message,
        uploads=[SimpleUploadedFile('shot"><b onclick=x>.png', PNG, content_type="image/png")],
    )
    actor = UserFactory(full_name=f"Mallory {evil}", roles=[Role.AGENT])
    TicketEventFactory(
        ticket=ticket, actor=actor, field="platform_os", old_value=f"old{evil}", new_value=evil
    )
    client.force_login(agent)
    html = _html(_page(client, ticket))
    timeline = html.split('<ol class="ticket-timeline"', 1)[1].split("</ol>", 1)[0]
    assert "<script>" not in timeline
    assert "<strong>Eve &quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;</strong>" in timeline
    assert "<strong>Mallory &quot;&gt;&lt;script&gt;" in timeline
    assert '<span class="event-old">old&quot;&gt;&lt;script&gt;' in timeline
    assert '<span class="event-new">&quot;&gt;&lt;script&gt;' in timeline
    assert 'alt="shot&quot;&gt;&lt;b onclick=x&gt;.png"' in timeline
    assert "download>shot&quot;&gt;&lt;b onclick=x&gt;.png</a>" in timeline


def test_the_body_of_messages_is_the_sanitised_html(client, agent, ticket):
    MessageFactory(
        ticket=ticket,
        kind="client",
        body=XSS,
        body_html=render_message_html(XSS),
    )
    client.force_login(agent)
    html = _html(_page(client, ticket))
    assert "<script>" not in html.split("<main", 1)[1].split("<script src=", 1)[0]


# --- Performance ----------------------------------------------------------------------------


def _fill(ticket, agent, count):
    for n in range(count):
        kind = ("client", "reply", "note")[n % 3]
        message = MessageFactory(
            ticket=ticket,
            kind=kind,
            author=None if kind == "client" else agent,
            body=f"message {n}",
            created_at=ticket.created_at + timedelta(minutes=n + 1),
        )
        attachments_store(message=message, uploads=[SimpleUploadedFile(f"f{n}.png", PNG)])
        TicketEventFactory(
            ticket=ticket,
            actor=agent,
            action="field_changed",
            field="priority",
            old_value="3",
            new_value="2",
            created_at=ticket.created_at + timedelta(minutes=n + 1, seconds=30),
        )
    TicketLink.objects.bulk_create(
        [
            TicketLink(source=ticket, target=TicketFactory(team=ticket.team), kind="related")
            for _ in range(count // 5)
        ]
    )
    for _ in range(count // 5):
        TicketFactory(team=ticket.team, client=ticket.client)


def _count_queries(client, ticket) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = _page(client, ticket)
    assert response.status_code == 200
    return len(queries)


def test_the_page_runs_a_fixed_number_of_queries(
    client, agent, team_a, client_record, django_assert_max_num_queries
):
    small = TicketFactory(team=team_a, client=client_record, status="open")
    large = TicketFactory(team=team_a, client=ClientFactory(), status="open")
    _fill(small, agent, 5)
    _fill(large, agent, 20)
    client.force_login(agent)
    _page(client, small)  # warm the session
    small_count = _count_queries(client, small)
    large_count = _count_queries(client, large)
    assert small_count == large_count
    with django_assert_max_num_queries(10):
        _page(client, large)
