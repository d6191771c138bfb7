"""The one search box: full text in English and Chinese, exact lookups, visibility, bad input."""

from datetime import timedelta

import factory
import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import timezone

from tests.factories import ClientFactory, MessageFactory, TicketFactory
from tickets.models import Article, KnowledgeCategory, Message
from tickets.selectors import search as search_selectors

URL = reverse("tickets:search")


class KnowledgeCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KnowledgeCategory
        django_get_or_create = ("slug",)

    slug = "platform"
    name_en = "Trading platform"
    name_zh_hant = "交易平台"


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    category = factory.SubFactory(KnowledgeCategoryFactory)
    title_en = factory.Sequence(lambda n: f"Article {n}")


def search(client, user, query: str):
    client.force_login(user)
    return client.get(URL, {"q": query})


def page_text(response) -> str:
    return response.content.decode()


# --- Words, in English and Chinese ------------------------------------------------------------


def test_a_plural_finds_the_singular_in_a_subject(client, agent, team_a):
    ticket = TicketFactory(team=team_a, subject="Limit order stuck since the open")
    other = TicketFactory(team=team_a, subject="Statement missing for March")

    response = search(client, agent, "orders")

    assert response.status_code == 200
    assert ticket.reference in page_text(response)
    assert other.reference not in page_text(response)
    assert "<mark>order</mark>" in page_text(response)


def test_an_inflected_word_finds_another_form_in_a_message(client, agent, team_a):
    ticket = TicketFactory(team=team_a, subject="Platform question")
    MessageFactory(ticket=ticket, body="I logged in twice and the platform froze.")

    response = search(client, agent, "logging")

    assert ticket.reference in page_text(response)


def test_chinese_word_finds_a_message_containing_it_and_not_a_lookalike(client, agent, team_a):
    wanted = TicketFactory(team=team_a, subject="Cannot trade", description="See message.")
    MessageFactory(ticket=wanted, body="你好，我無法登入交易平台，請幫忙。")
    lookalike = TicketFactory(team=team_a, subject="Registration", description="See message.")
    MessageFactory(ticket=lookalike, body="請問登記電郵可以更改嗎？")

    response = search(client, agent, "登入")

    assert wanted.reference in page_text(response)
    assert lookalike.reference not in page_text(response)
    assert "<mark>登入</mark>" in page_text(response)


def test_one_chinese_character_finds_every_word_that_contains_it(client, agent, team_a):
    log_in = TicketFactory(team=team_a, subject="無法登入交易平台")
    register = TicketFactory(team=team_a, subject="登記電郵無法更改")
    at_the_end = TicketFactory(team=team_a, subject="Question", description="請幫我登")
    unrelated = TicketFactory(team=team_a, subject="提款未到帳")

    page = page_text(search(client, agent, "登"))

    assert log_in.reference in page
    assert register.reference in page
    assert at_the_end.reference in page
    assert unrelated.reference not in page


def test_english_and_chinese_words_together_must_all_match(client, agent, team_a):
    both = TicketFactory(team=team_a, subject="MT5無法登入", description="Since today.")
    english_only = TicketFactory(team=team_a, subject="MT5 crashes", description="Since today.")
    chinese_only = TicketFactory(team=team_a, subject="網頁無法登入", description="Since today.")

    page = page_text(search(client, agent, "mt5 登入"))

    assert both.reference in page
    assert english_only.reference not in page
    assert chinese_only.reference not in page


@pytest.mark.parametrize(
    ("text", "query"),
    [
        pytest.param("Cannot “login” since Monday", "login", id="curly_quotes_case"),
        pytest.param("ＭＴ５無法開啟", "mt5", id="full_width_letters_case"),
        pytest.param("MT5無法登入，請幫忙", "「登入」", id="chinese_punctuation_case"),
        pytest.param("Login fails—again…", "fails again", id="dashes_case"),
    ],
)
def test_punctuation_and_full_width_forms_do_not_glue_words(client, agent, team_a, text, query):
    ticket = TicketFactory(team=team_a, subject=text)

    page = page_text(search(client, agent, query))

    assert ticket.reference in page


def test_a_subject_match_ranks_above_a_description_match_above_a_message_match(
    client, agent, team_a
):
    in_message = TicketFactory(team=team_a, subject="Question", description="Hello.")
    MessageFactory(ticket=in_message, body="The withdrawal has not arrived.")
    in_description = TicketFactory(
        team=team_a, subject="Funds", description="My withdrawal has not arrived."
    )
    in_subject = TicketFactory(team=team_a, subject="Withdrawal not received", description="Hi.")

    page = page_text(search(client, agent, "withdrawal"))

    positions = [page.index(t.reference) for t in (in_subject, in_description, in_message)]
    assert positions == sorted(positions)


def test_internal_notes_are_searchable_by_staff_and_labelled(client, agent, team_a):
    ticket = TicketFactory(team=team_a, subject="Gateway timeouts", description="Slow.")
    MessageFactory(
        ticket=ticket,
        kind=Message.Kind.NOTE,
        author=agent,
        body="Escalated to the FIX vendor, case 7781.",
    )

    page = page_text(search(client, agent, "vendor"))

    assert ticket.reference in page
    assert "Internal note" in page


def test_knowledge_base_articles_are_found_in_both_languages(client, agent):
    article = ArticleFactory(
        title_en="Reset your trading password",
        title_zh_hant="重設交易密碼",
        body_en="Open Settings, then Security.",
        body_zh_hant="打開設定，然後選擇保安。",
    )
    draft = ArticleFactory(title_en="Password policy draft", is_published=False)

    english = page_text(search(client, agent, "passwords"))
    chinese = page_text(search(client, agent, "密碼"))

    assert article.reference in english
    assert article.reference in chinese
    assert draft.reference not in english


def test_markup_in_a_subject_is_shown_as_text(client, agent, team_a):
    ticket = TicketFactory(team=team_a, subject='<script>alert("x")</script> login broken')

    page = page_text(search(client, agent, "login"))

    assert ticket.reference in page
    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;" in page


# --- Exact lookups ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query_format",
    [
        pytest.param("SD-{pk:06d}", id="reference_case"),
        pytest.param("sd-{pk}", id="short_lowercase_case"),
        pytest.param("#{pk}", id="hash_number_case"),
        pytest.param(" SD {pk} ", id="spaces_case"),
    ],
)
def test_a_ticket_reference_opens_the_ticket(client, agent, team_a, query_format):
    ticket = TicketFactory(team=team_a)

    response = search(client, agent, query_format.format(pk=ticket.pk))

    assert response.status_code == 302
    assert response.url == reverse("tickets:detail", args=[ticket.pk])


@pytest.mark.parametrize(
    "identifier",
    [
        pytest.param(lambda c: c.account_number, id="account_number_case"),
        pytest.param(lambda c: c.account_number.lower(), id="account_number_lowercase_case"),
        pytest.param(lambda c: c.email, id="email_case"),
        pytest.param(lambda c: c.email.upper(), id="email_uppercase_case"),
    ],
)
def test_a_client_identifier_opens_the_clients_only_ticket(client, agent, team_a, identifier):
    requester = ClientFactory(email="chan.tai.man@mail.example", account_number="HK0000004217")
    ticket = TicketFactory(team=team_a, client=requester)

    response = search(client, agent, identifier(requester))

    assert response.status_code == 302
    assert response.url == reverse("tickets:detail", args=[ticket.pk])


def test_a_client_with_several_tickets_lists_them_as_exact_matches(client, agent, team_a):
    requester = ClientFactory(account_number="HK0000001234")
    first = TicketFactory(team=team_a, client=requester)
    second = TicketFactory(team=team_a, client=requester)

    response = search(client, agent, "HK0000001234")

    assert response.status_code == 200
    assert "Exact matches" in page_text(response)
    assert first.reference in page_text(response)
    assert second.reference in page_text(response)


# --- Who sees what ----------------------------------------------------------------------------


def test_an_agent_of_another_team_never_sees_the_ticket(client, outsider, team_a):
    ticket = TicketFactory(team=team_a, subject="Withdrawal not received", description="Hi.")
    MessageFactory(ticket=ticket, body="Withdrawal reference W-55.")
    link = reverse("tickets:detail", args=[ticket.pk])

    by_words = search(client, outsider, "withdrawal")
    by_reference = search(client, outsider, ticket.reference)
    by_email = search(client, outsider, ticket.client.email)

    assert by_words.status_code == 200
    assert ticket.reference not in page_text(by_words)
    assert by_reference.status_code == 200
    assert link not in page_text(by_reference)
    assert "not received" not in page_text(by_reference)
    assert by_email.status_code == 200
    assert ticket.reference not in page_text(by_email)


def test_a_manager_finds_tickets_of_every_team(client, manager, team_a, team_b):
    ours = TicketFactory(team=team_a, subject="Dividend missing")
    theirs = TicketFactory(team=team_b, subject="Dividend paid twice")

    page = page_text(search(client, manager, "dividend"))

    assert ours.reference in page
    assert theirs.reference in page


def test_a_client_may_not_search(client, client_user):
    response = search(client, client_user, "login")

    assert response.status_code == 403


def test_signing_in_is_required(client):
    response = client.get(URL, {"q": "login"})

    assert response.status_code == 302
    assert response.url.startswith(resolve_url(settings.LOGIN_URL))


# --- Bad input --------------------------------------------------------------------------------


def test_an_empty_query_shows_the_page_with_a_hint(client, agent):
    response = search(client, agent, "   ")

    assert response.status_code == 200
    assert "Type what you are looking for" in page_text(response)


def test_a_query_over_the_limit_is_refused_with_a_reason(client, agent):
    response = search(client, agent, "x" * 201)

    assert response.status_code == 400
    assert "Search for at most 200 characters." in page_text(response)


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("the", id="stop_word_case"),
        pytest.param("-crash", id="only_excluded_case"),
        pytest.param("?!", id="punctuation_case"),
    ],
)
def test_a_query_with_nothing_to_look_for_says_so(client, agent, team_a, query):
    TicketFactory(team=team_a, subject="The platform crashes")

    response = search(client, agent, query)

    assert response.status_code == 200
    assert "Nothing to search for in this text" in page_text(response)


# --- Bounded work -----------------------------------------------------------------------------


def test_the_number_of_queries_does_not_grow_with_the_results(
    client, agent, team_a, django_assert_max_num_queries
):
    few = TicketFactory(team=team_a, subject="Margin call on options")
    MessageFactory(ticket=few, body="The margin call email was unclear.")
    ArticleFactory(title_en="Margin rules")
    client.force_login(agent)
    with django_assert_max_num_queries(14) as one_result:
        client.get(URL, {"q": "margin"})
    for number in range(30):
        ticket = TicketFactory(team=team_a, subject=f"Margin call number {number}")
        MessageFactory(ticket=ticket, body="The margin call email was unclear.")
        ArticleFactory(title_en=f"Margin rules {number}")
        MessageFactory(ticket=ticket, kind=Message.Kind.NOTE, author=agent, body="Margin desk.")

    with django_assert_max_num_queries(len(one_result.captured_queries)):
        response = client.get(URL, {"q": "margin"})

    assert page_text(response).count("call number") == 30


def test_a_very_common_term_ranks_only_the_most_recent_matches(client, agent, team_a, monkeypatch):
    monkeypatch.setattr(search_selectors, "WINDOW_TICKETS", 4)
    monkeypatch.setattr(search_selectors, "WINDOW_HITS", 3)
    monkeypatch.setattr(search_selectors, "RARE_BELOW", 2)
    now = timezone.now()
    oldest = TicketFactory(team=team_a, subject="Quote delay", created_at=now - timedelta(days=9))
    newer = [TicketFactory(team=team_a, subject="Quote delay again") for _ in range(4)]

    page = page_text(search(client, agent, "quote"))

    assert oldest.reference not in page
    assert [t.reference in page for t in newer] == [False, True, True, True]
    assert "only the most recent tickets and messages were ranked" in page


def test_a_rare_term_is_found_beyond_the_recent_window(client, agent, team_a, monkeypatch):
    monkeypatch.setattr(search_selectors, "WINDOW_TICKETS", 2)
    monkeypatch.setattr(search_selectors, "WINDOW_MESSAGES", 2)
    old = TicketFactory(team=team_a, subject="Error E40213 on connect")
    TicketFactory.create_batch(3, team=team_a, subject="Something else")
    MessageFactory.create_batch(3, ticket=old, body="Still failing.")

    page = page_text(search(client, agent, "e40213"))

    assert old.reference in page
    assert "only the most recent" not in page
