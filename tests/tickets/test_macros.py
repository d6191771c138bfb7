"""Macros: rendering in the ticket's language, who may write and use them, the management pages
and the reply form's picker fragments."""

import factory
import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from supportdesk.errors import ApplicationError, NotAllowed
from tests.factories import ClientFactory, TicketFactory, UserFactory
from tickets.models import Macro, Ticket
from tickets.selectors.macros import macros_available_to
from tickets.services.macros import macro_create, macro_delete, macro_render, macro_update

pytestmark = pytest.mark.django_db


class MacroFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Macro

    name = factory.Sequence(lambda n: f"Macro {n}")
    body_en = "Hi {client_name}, about {ticket_reference}: we are on it. {agent_name}"
    body_zh_hant = "{client_name}您好，關於 {ticket_reference}：我們正在處理。{agent_name}"


@pytest.fixture
def ticket(team_a):
    return TicketFactory(
        team=team_a,
        subject="Cannot log in to the web portal",
        client=ClientFactory(name="Chan Tai Man"),
        language="en",
        status=Ticket.Status.OPEN,
    )


def _apply_url(ticket, macro):
    return reverse("tickets:macro_apply", args=[ticket.pk, macro.pk])


# --- Rendering --------------------------------------------------------------------------------


def test_it_fills_every_placeholder_in_the_tickets_language(agent, team_a, ticket):
    macro = MacroFactory(
        owner=agent,
        body_en=(
            "Dear {client_name}, {ticket_reference} ({ticket_subject}) — {agent_name}, {team_name}"
        ),
    )
    rendered = macro_render(macro=macro, ticket=ticket, agent=agent)
    assert rendered.language == "en"
    assert rendered.body == (
        f"Dear Chan Tai Man, {ticket.reference} (Cannot log in to the web portal) — "
        "Alice Agent, Technical Assistance HK"
    )


def test_a_chinese_ticket_gets_the_chinese_body(agent, ticket):
    ticket.language = "zh-hant"
    macro = MacroFactory(owner=agent)
    rendered = macro_render(macro=macro, ticket=ticket, agent=agent)
    assert rendered.language == "zh-hant"
    assert rendered.body == f"Chan Tai Man您好，關於 {ticket.reference}：我們正在處理。Alice Agent"


@pytest.mark.parametrize(
    ("ticket_language", "body_en", "body_zh_hant", "used"),
    [
        pytest.param(
            "zh-hant", "Hello {client_name}", "", "en", id="chinese_ticket_english_only_case"
        ),
        pytest.param(
            "en", "", "{client_name}您好", "zh-hant", id="english_ticket_chinese_only_case"
        ),
    ],
)
def test_it_falls_back_to_the_other_language(
    agent, ticket, ticket_language, body_en, body_zh_hant, used
):
    ticket.language = ticket_language
    macro = MacroFactory(owner=agent, body_en=body_en, body_zh_hant=body_zh_hant)
    rendered = macro_render(macro=macro, ticket=ticket, agent=agent)
    assert rendered.language == used
    assert "Chan Tai Man" in rendered.body


def test_unknown_placeholders_and_format_tricks_stay_as_typed(agent, ticket):
    macro = MacroFactory(
        owner=agent,
        body_en="{balance} {0} {client_name.__class__} {{agent_name}} %(team_name)s {client_name}",
    )
    rendered = macro_render(macro=macro, ticket=ticket, agent=agent)
    assert rendered.body == (
        "{balance} {0} {client_name.__class__} {Alice Agent} %(team_name)s Chan Tai Man"
    )


def test_a_value_that_looks_like_a_placeholder_is_inserted_as_typed(agent, ticket):
    ticket.client.name = "{agent_name} <script>alert(1)</script>"
    ticket.subject = "{team_name}"
    macro = MacroFactory(owner=agent, body_en="Hi {client_name} re {ticket_subject}")
    rendered = macro_render(macro=macro, ticket=ticket, agent=agent)
    assert rendered.body == "Hi {agent_name} <script>alert(1)</script> re {team_name}"


def test_it_carries_the_macros_field_changes(agent, ticket):
    macro = MacroFactory(
        owner=agent, set_status="pending_client", set_priority=2, add_tags=["login", "password"]
    )
    rendered = macro_render(macro=macro, ticket=ticket, agent=agent)
    assert (rendered.set_status, rendered.set_priority, rendered.add_tags) == (
        "pending_client",
        2,
        ["login", "password"],
    )


@pytest.mark.parametrize(
    ("current", "wanted"),
    [
        pytest.param(Ticket.Status.OPEN, "open", id="already_there_case"),
        pytest.param(Ticket.Status.RESOLVED, "pending_client", id="not_reachable_case"),
    ],
)
def test_a_status_the_ticket_cannot_move_to_is_not_asked_for(agent, ticket, current, wanted):
    ticket.status = current
    macro = MacroFactory(owner=agent, set_status=wanted)
    assert macro_render(macro=macro, ticket=ticket, agent=agent).set_status == ""


def test_rendering_someone_elses_macro_is_refused(agent, outsider, ticket):
    macro = MacroFactory(owner=outsider)
    with pytest.raises(NotAllowed):
        macro_render(macro=macro, ticket=ticket, agent=agent)


# --- Writing macros: permissions and validation -----------------------------------------------


def test_an_agent_keeps_personal_macros(agent):
    macro = macro_create(
        actor=agent,
        name="Unlock",
        body_en="Unlocked, {client_name}.",
        add_tags=[" Login ", "login"],
    )
    assert (macro.owner, macro.team, macro.add_tags) == (agent, None, ["login"])


def test_an_agent_cannot_create_a_team_macro(agent, team_a):
    with pytest.raises(NotAllowed):
        macro_create(actor=agent, name="Shared", team=team_a, body_en="Hello")
    assert Macro.objects.count() == 0


def test_a_supervisor_shares_macros_with_their_team_only(supervisor, team_a, team_b):
    shared = macro_create(actor=supervisor, name="Shared", team=team_a, body_en="Hello")
    assert (shared.team, shared.owner) == (team_a, None)
    with pytest.raises(NotAllowed):
        macro_create(actor=supervisor, name="Other", team=team_b, body_en="Hello")


def test_an_administrator_shares_macros_with_any_team(administrator, team_b):
    assert macro_create(actor=administrator, name="X", team=team_b, body_en="Hi").team == team_b


def test_an_agent_cannot_edit_or_delete_a_team_macro(agent, team_a):
    macro = MacroFactory(team=team_a, name="Team one")
    with pytest.raises(NotAllowed):
        macro_update(actor=agent, macro=macro, name="Mine now", body_en="Hi")
    with pytest.raises(NotAllowed):
        macro_delete(actor=agent, macro=macro)
    macro.refresh_from_db()
    assert macro.name == "Team one"


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        pytest.param({"name": " "}, "name_required", id="blank_name_case"),
        pytest.param({"body_en": "", "body_zh_hant": " "}, "body_required", id="no_body_case"),
        pytest.param({"set_status": "resolved"}, "status_not_settable", id="resolve_case"),
        pytest.param({"set_priority": 9}, "invalid_priority", id="priority_case"),
        pytest.param({"add_tags": ["two words"]}, "invalid_tag", id="tag_case"),
        pytest.param({"body_en": "x" * 10_001}, "body_too_long", id="long_body_case"),
    ],
)
def test_invalid_macros_are_refused(agent, fields, code):
    with pytest.raises(ApplicationError) as refusal:
        macro_create(actor=agent, **{"name": "Name", "body_en": "Hello", **fields})
    assert (refusal.value.code, refusal.value.status) == (code, 400)
    assert Macro.objects.count() == 0


# --- Which macros an agent may use ------------------------------------------------------------


def test_an_agent_is_offered_their_own_and_their_teams_active_macros(
    agent, outsider, team_a, team_b, ticket
):
    mine = MacroFactory(owner=agent, name="B mine")
    team = MacroFactory(team=team_a, name="A team")
    MacroFactory(team=team_a, name="Retired", is_active=False)
    MacroFactory(team=team_b, name="Other team")
    MacroFactory(owner=outsider, name="Someone else's")
    assert list(macros_available_to(user=agent, ticket=ticket)) == [mine, team]


def test_an_outsider_is_offered_nothing_on_another_teams_ticket(outsider, team_a, ticket):
    MacroFactory(team=team_a)
    MacroFactory(owner=outsider)
    assert list(macros_available_to(user=outsider, ticket=ticket)) == []


# --- The picker and apply fragments -----------------------------------------------------------


def test_the_picker_lists_the_macros_for_the_ticket(client, agent, team_a, ticket):
    macro = MacroFactory(team=team_a, name="Password reset steps")
    client.force_login(agent)
    response = client.get(reverse("tickets:macro_picker", args=[ticket.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="macro-picker"' in page
    assert "Password reset steps" in page
    assert f'hx-post="{_apply_url(ticket, macro)}"' in page


@pytest.mark.parametrize("persona", ["outsider", "manager", "client_user"])
def test_the_picker_of_another_teams_ticket_is_not_found(client, request, persona, team_a, ticket):
    MacroFactory(team=team_a, name="Secret team macro")
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("tickets:macro_picker", args=[ticket.pk]))
    assert response.status_code == 404
    assert "Secret team macro" not in response.content.decode()


def test_an_outsider_cannot_apply_a_team_macro(client, outsider, team_a, team_b):
    macro = MacroFactory(team=team_a)
    own_ticket = TicketFactory(team=team_b)
    foreign_ticket = TicketFactory(team=team_a)
    client.force_login(outsider)
    assert client.post(_apply_url(foreign_ticket, macro)).status_code == 404
    assert client.post(_apply_url(own_ticket, macro)).status_code == 404


def test_applying_someone_elses_personal_macro_is_not_found(client, agent, team_a, ticket):
    colleague = UserFactory(roles=[])
    macro = MacroFactory(owner=colleague)
    client.force_login(agent)
    assert client.post(_apply_url(ticket, macro)).status_code == 404


def test_applying_a_macro_fills_the_reply_and_the_hidden_effects(client, agent, ticket):
    macro = MacroFactory(
        owner=agent,
        body_en="Hi {client_name}, please try again.",
        set_status="pending_client",
        set_priority=2,
        add_tags=["login", "password"],
    )
    client.force_login(agent)
    response = client.post(_apply_url(ticket, macro), {"body": "Thanks for waiting."})
    page = response.content.decode()
    assert response.status_code == 200
    assert (
        '<textarea id="reply-body" name="body"' in page
        and ">Thanks for waiting.\n\nHi Chan Tai Man, please try again.</textarea>" in page
    )
    assert '<input type="hidden" name="set_status" value="pending_client">' in page
    assert '<input type="hidden" name="set_priority" value="2">' in page
    assert '<input type="hidden" name="add_tags" value="login">' in page
    assert '<input type="hidden" name="add_tags" value="password">' in page
    assert 'id="macro-effects"' in page


def test_hostile_values_stay_inert_in_the_fragment(client, agent, ticket):
    ticket.client.name = '</textarea><script>alert("x")</script>{agent_name}'
    ticket.client.save()
    macro = MacroFactory(owner=agent, body_en="Hi {client_name}")
    client.force_login(agent)
    page = client.post(_apply_url(ticket, macro)).content.decode()
    assert "<script>" not in page
    assert (
        "Hi &lt;/textarea&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;{agent_name}" in page
    )


def test_the_picker_uses_a_fixed_number_of_queries(
    client, agent, team_a, ticket, django_assert_max_num_queries
):
    MacroFactory(owner=agent)
    client.force_login(agent)
    url = reverse("tickets:macro_picker", args=[ticket.pk])
    client.get(url)
    with django_assert_max_num_queries(8) as few:
        client.get(url)
    MacroFactory.create_batch(15, team=team_a)
    MacroFactory.create_batch(5, owner=agent)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count('class="macro-option"') == 21


# --- The macros page --------------------------------------------------------------------------


def test_the_macros_page_shows_mine_and_my_teams(client, agent, outsider, team_a, team_b):
    MacroFactory(owner=agent, name="My greeting")
    MacroFactory(team=team_a, name="Team greeting")
    MacroFactory(team=team_b, name="Other team greeting")
    MacroFactory(owner=outsider, name="Outsider greeting")
    client.force_login(agent)
    page = client.get(reverse("tickets:macro_list")).content.decode()
    assert "My greeting" in page and "Team greeting" in page
    assert "Other team greeting" not in page and "Outsider greeting" not in page


def test_an_agent_creates_a_personal_macro_with_the_form(client, agent):
    client.force_login(agent)
    response = client.post(
        reverse("tickets:macro_create"),
        {
            "name": "Ask for a screenshot",
            "team": "",
            "body_en": "Hi {client_name}, could you send a screenshot?",
            "body_zh_hant": "{client_name}您好，請提供截圖。",
            "set_status": "pending_client",
            "set_priority": "",
            "add_tags": "screenshot, login",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    macro = Macro.objects.get()
    assert (macro.owner, macro.set_status, macro.set_priority, macro.add_tags) == (
        agent,
        "pending_client",
        None,
        ["screenshot", "login"],
    )


def test_an_agent_posting_a_team_macro_is_refused(client, agent, team_a):
    client.force_login(agent)
    response = client.post(
        reverse("tickets:macro_create"), {"name": "Shared", "team": team_a.pk, "body_en": "Hi"}
    )
    assert response.status_code == 403
    assert Macro.objects.count() == 0


def test_a_supervisor_creates_a_team_macro_with_the_form(client, supervisor, team_a):
    client.force_login(supervisor)
    response = client.post(
        reverse("tickets:macro_create"),
        {"name": "Shared", "team": team_a.pk, "body_en": "Hi", "is_active": "on"},
    )
    assert response.status_code == 302
    assert Macro.objects.get().team == team_a


def test_an_invalid_macro_is_answered_with_400_in_the_users_language(client, agent):
    agent.language = "zh-hant"
    agent.save()
    client.force_login(agent)
    response = client.post(reverse("tickets:macro_create"), {"name": "Empty", "body_en": ""})
    with translation.override("zh-hant"):
        expected = gettext("Write the reply in English, in Traditional Chinese, or in both.")
    assert response.status_code == 400
    assert expected in response.content.decode()
    assert Macro.objects.count() == 0


def test_an_agent_cannot_open_the_edit_page_of_a_team_macro(client, agent, team_a):
    macro = MacroFactory(team=team_a)
    client.force_login(agent)
    assert client.get(reverse("tickets:macro_edit", args=[macro.pk])).status_code == 403
    assert client.post(reverse("tickets:macro_delete", args=[macro.pk])).status_code == 403
    assert Macro.objects.filter(pk=macro.pk).exists()


def test_someone_elses_personal_macro_is_not_found(client, agent, outsider):
    macro = MacroFactory(owner=outsider)
    client.force_login(agent)
    assert client.get(reverse("tickets:macro_edit", args=[macro.pk])).status_code == 404


def test_a_supervisor_edits_and_deletes_a_team_macro(client, supervisor, team_a):
    macro = MacroFactory(team=team_a, name="Old name")
    client.force_login(supervisor)
    response = client.post(
        reverse("tickets:macro_edit", args=[macro.pk]),
        {"name": "New name", "body_en": "Hi", "set_priority": "1", "add_tags": ""},
    )
    assert response.status_code == 302
    macro.refresh_from_db()
    assert (macro.name, macro.set_priority, macro.is_active) == ("New name", 1, False)
    assert client.post(reverse("tickets:macro_delete", args=[macro.pk])).status_code == 302
    assert not Macro.objects.filter(pk=macro.pk).exists()


def test_a_manager_has_no_macros_page(client, manager):
    client.force_login(manager)
    assert client.get(reverse("tickets:macro_list")).status_code == 403


def test_the_macros_page_uses_a_fixed_number_of_queries(
    client, supervisor, team_a, django_assert_max_num_queries
):
    MacroFactory(owner=supervisor)
    client.force_login(supervisor)
    url = reverse("tickets:macro_list")
    client.get(url)
    with django_assert_max_num_queries(10) as few:
        client.get(url)
    MacroFactory.create_batch(10, team=team_a)
    MacroFactory.create_batch(5, owner=supervisor)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count("/edit/") == 16
