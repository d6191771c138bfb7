"""The knowledge base: versioned bilingual articles, who may write them, linking them to tickets
and suggesting them from a ticket's text in English and Chinese."""

import random

import factory
import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from supportdesk.errors import ApplicationError, NotAllowed
from tests.factories import ResolutionCodeFactory, TicketFactory
from tickets.demo_knowledge import seed_knowledge_and_macros
from tickets.models import (
    Article,
    KnowledgeCategory,
    Macro,
    Ticket,
    TicketArticle,
    TicketEvent,
)
from tickets.selectors.knowledge import article_suggestions_for
from tickets.services.knowledge import (
    StaleArticle,
    article_create,
    article_link_ticket,
    article_unlink_ticket,
    article_update,
)
from tickets.services.macros import PLACEHOLDER_PATTERN, PLACEHOLDERS, SETTABLE_STATUSES

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def _pg_trgm(django_db_setup, django_db_blocker):
    """Suggestions use pg_trgm, which tickets/migrations/0003_search.py installs."""
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")


class KnowledgeCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KnowledgeCategory
        django_get_or_create = ("slug",)

    slug = "access"
    name_en = "Access and login"
    name_zh_hant = "登入及帳戶存取"


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    category = factory.SubFactory(KnowledgeCategoryFactory)
    title_en = factory.Sequence(lambda n: f"Article {n}")
    body_en = "Some **helpful** text."


class TicketArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TicketArticle

    ticket = factory.SubFactory(TicketFactory)
    article = factory.SubFactory(ArticleFactory)


@pytest.fixture
def category():
    return KnowledgeCategoryFactory()


@pytest.fixture
def ticket(team_a):
    return TicketFactory(
        team=team_a,
        subject="Cannot log in to the web portal",
        description="I get an invalid password error when I log in since this morning.",
        status=Ticket.Status.OPEN,
    )


def _panel_url(ticket):
    return reverse("tickets:article_suggestions", args=[ticket.pk])


def _link_url(ticket):
    return reverse("tickets:article_link", args=[ticket.pk])


# --- Writing and versions ---------------------------------------------------------------------


def test_a_new_article_is_version_one_of_its_history(supervisor, category):
    article = article_create(
        actor=supervisor, category=category, title_en="Reset a password", body_en="Steps"
    )
    assert article.version == 1
    assert list(article.versions.values_list("version", "title_en", "edited_by")) == [
        (1, "Reset a password", supervisor.pk)
    ]


def test_an_edit_makes_a_new_version_and_keeps_the_old_one(supervisor, administrator, category):
    article = article_create(actor=supervisor, category=category, title_en="Old", body_en="Old")
    article = article_update(
        actor=administrator,
        article=article,
        expected_version=1,
        category=category,
        title_en="New",
        body_en="New text",
        title_zh_hant="新標題",
        body_zh_hant="新內容",
    )
    assert (article.version, article.title_en, article.title_zh_hant) == (2, "New", "新標題")
    assert list(article.versions.values_list("version", "title_en", "body_en", "edited_by")) == [
        (2, "New", "New text", administrator.pk),
        (1, "Old", "Old", supervisor.pk),
    ]


def test_saving_the_same_text_makes_no_new_version(supervisor, category):
    article = article_create(actor=supervisor, category=category, title_en="T", body_en="B")
    article = article_update(
        actor=supervisor, article=article, expected_version=1, category=category,
        title_en="T", body_en="B",
    )  # fmt: skip
    assert (article.version, article.versions.count()) == (1, 1)


def test_a_stale_edit_is_refused_and_nothing_is_written(supervisor, category):
    article = article_create(actor=supervisor, category=category, title_en="T", body_en="B")
    article_update(
        actor=supervisor, article=article, expected_version=1, category=category,
        title_en="T2", body_en="B",
    )  # fmt: skip
    with pytest.raises(StaleArticle) as refusal:
        article_update(
            actor=supervisor, article=article, expected_version=1, category=category,
            title_en="Mine", body_en="B",
        )  # fmt: skip
    assert refusal.value.status == 409
    article.refresh_from_db()
    assert (article.title_en, article.version, article.versions.count()) == ("T2", 2, 2)


@pytest.mark.parametrize(
    ("content", "code"),
    [
        pytest.param({}, "content_required", id="nothing_case"),
        pytest.param({"title_en": "Title only"}, "body_required", id="title_without_text_case"),
        pytest.param({"body_zh_hant": "只有內容"}, "title_required", id="text_without_title_case"),
        pytest.param({"title_en": "x" * 201, "body_en": "B"}, "title_too_long", id="long_case"),
    ],
)
def test_incomplete_articles_are_refused(supervisor, category, content, code):
    with pytest.raises(ApplicationError) as refusal:
        article_create(actor=supervisor, category=category, **content)
    assert (refusal.value.code, refusal.value.status) == (code, 400)
    assert Article.objects.count() == 0


@pytest.mark.parametrize("persona", ["agent", "manager"])
def test_readers_cannot_write_articles(request, persona, category):
    with pytest.raises(NotAllowed):
        article_create(
            actor=request.getfixturevalue(persona), category=category, title_en="T", body_en="B"
        )


# --- Pages ------------------------------------------------------------------------------------


def test_the_history_lists_every_version_and_an_old_one_can_be_read(client, agent, supervisor):
    article = article_create(
        actor=supervisor, category=KnowledgeCategoryFactory(), title_en="First", body_en="One"
    )
    article_update(
        actor=supervisor, article=article, expected_version=1, category=article.category,
        title_en="Second", body_en="Two",
    )  # fmt: skip
    client.force_login(agent)
    history = client.get(reverse("tickets:kb_article_history", args=[article.pk]))
    assert history.status_code == 200
    assert "First" in history.content.decode() and "Second" in history.content.decode()
    old = client.get(reverse("tickets:kb_article_version", args=[article.pk, 1])).content.decode()
    assert "First" in old and "<p>One</p>" in old and "Second" not in old
    missing = client.get(reverse("tickets:kb_article_version", args=[article.pk, 3]))
    assert missing.status_code == 404


def test_an_agent_cannot_create_or_edit_articles(client, agent, category):
    article = ArticleFactory(category=category, title_en="Original")
    client.force_login(agent)
    assert client.get(reverse("tickets:kb_article_create")).status_code == 403
    assert client.get(reverse("tickets:kb_article_edit", args=[article.pk])).status_code == 403
    response = client.post(
        reverse("tickets:kb_article_edit", args=[article.pk]),
        {"category": category.pk, "title_en": "Hijacked", "body_en": "x", "version": 1},
    )
    assert response.status_code == 403
    article.refresh_from_db()
    assert article.title_en == "Original"


def test_a_supervisor_writes_and_edits_an_article_with_the_forms(client, supervisor, category):
    client.force_login(supervisor)
    response = client.post(
        reverse("tickets:kb_article_create"),
        {
            "category": category.pk,
            "title_zh_hant": "重設密碼",
            "body_zh_hant": "步驟",
            "is_published": "on",
        },
    )
    article = Article.objects.get()
    assert response.status_code == 302
    response = client.post(
        reverse("tickets:kb_article_edit", args=[article.pk]),
        {
            "category": category.pk,
            "title_zh_hant": "重設密碼",
            "body_zh_hant": "新步驟",
            "title_en": "Reset a password",
            "body_en": "Steps",
            "is_published": "on",
            "version": 1,
        },
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.version, article.body_zh_hant, article.title_en) == (
        2,
        "新步驟",
        "Reset a password",
    )


def test_a_stale_form_is_answered_with_409(client, supervisor, category):
    article = ArticleFactory(category=category, version=3)
    client.force_login(supervisor)
    response = client.post(
        reverse("tickets:kb_article_edit", args=[article.pk]),
        {"category": category.pk, "title_en": "Mine", "body_en": "B", "version": 2},
    )
    assert response.status_code == 409
    assert "version 3" in response.content.decode()


def test_an_invalid_article_is_answered_with_400_in_the_users_language(
    client, supervisor, category
):
    supervisor.language = "zh-hant"
    supervisor.save()
    client.force_login(supervisor)
    response = client.post(
        reverse("tickets:kb_article_create"), {"category": category.pk, "title_en": "Only a title"}
    )
    with translation.override("zh-hant"):
        expected = gettext("Write the text that goes with this title.")
    assert response.status_code == 400
    assert expected in response.content.decode()
    assert Article.objects.count() == 0


def test_the_article_page_shows_the_users_language_first(client, agent, category):
    article = ArticleFactory(
        category=category,
        title_en="Cannot log in to the trading platform",
        body_en="Clear the cache.",
        title_zh_hant="無法登入交易平台",
        body_zh_hant="請**清除**快取。",
    )
    agent.language = "zh-hant"
    agent.save()
    client.force_login(agent)
    url = reverse("tickets:kb_article", args=[article.pk])
    page = client.get(url).content.decode()
    assert "<p>請<strong>清除</strong>快取。</p>" in page
    tabs = page.split('class="lang-tabs"')[1].split("</nav>")[0]
    assert tabs.index("繁體中文") < tabs.index("English")
    english = client.get(url, {"lang": "en"}).content.decode()
    assert "<p>Clear the cache.</p>" in english


def test_article_markdown_is_rendered_inert(client, agent, category):
    article = ArticleFactory(
        category=category,
        title_en="<img src=x onerror=alert(1)>",
        body_en="<script>alert(1)</script> [x](javascript:alert(1))",
    )
    client.force_login(agent)
    page = client.get(reverse("tickets:kb_article", args=[article.pk])).content.decode()
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert 'href="javascript' not in page


def test_drafts_are_hidden_from_agents(client, agent, supervisor, category):
    draft = ArticleFactory(category=category, title_en="Unreleased procedure", is_published=False)
    client.force_login(agent)
    assert client.get(reverse("tickets:kb_article", args=[draft.pk])).status_code == 404
    assert "Unreleased procedure" not in client.get(reverse("tickets:kb_index")).content.decode()
    client.force_login(supervisor)
    assert client.get(reverse("tickets:kb_article", args=[draft.pk])).status_code == 200


@pytest.mark.parametrize(("persona", "status"), [("manager", 200), ("client_user", 403)])
def test_managers_read_the_knowledge_base_and_clients_do_not(client, request, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("tickets:kb_index")).status_code == status


def test_the_index_filters_by_category_and_searches_titles(client, agent, category):
    funding = KnowledgeCategoryFactory(slug="funding", name_en="Funding", name_zh_hant="存取款")
    ArticleFactory(category=category, title_en="Reset a password", title_zh_hant="重設密碼")
    withdrawal = ArticleFactory(category=funding, title_en="Withdraw to a bank account")
    client.force_login(agent)
    url = reverse("tickets:kb_index")
    by_category = client.get(url, {"category": "funding"}).content.decode()
    assert "Withdraw to a bank account" in by_category and "Reset a password" not in by_category
    by_chinese = client.get(url, {"q": "密碼"}).content.decode()
    assert "Reset a password" in by_chinese and "Withdraw" not in by_chinese
    by_reference = client.get(url, {"q": withdrawal.reference}).content.decode()
    assert "Withdraw to a bank account" in by_reference and "Reset a password" not in by_reference


def test_the_index_uses_a_fixed_number_of_queries(
    client, agent, category, django_assert_max_num_queries
):
    ArticleFactory(category=category)
    client.force_login(agent)
    url = reverse("tickets:kb_index")
    client.get(url)
    with django_assert_max_num_queries(8) as few:
        client.get(url)
    ArticleFactory.create_batch(20, category=category)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


# --- Linking to tickets -----------------------------------------------------------------------


def test_an_agent_links_an_article_by_reference(client, agent, ticket, category):
    article = ArticleFactory(category=category, title_en="Unlock an account")
    client.force_login(agent)
    response = client.post(
        _link_url(ticket), {"article": article.reference}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert f"{article.reference} linked to {ticket.reference}" in response.content.decode()
    assert list(ticket.article_links.values_list("article", "linked_by")) == [
        (article.pk, agent.pk)
    ]
    event = TicketEvent.objects.get(ticket=ticket)
    assert (event.action, event.new_value, event.actor) == (
        "article_linked",
        article.reference,
        agent,
    )


def test_linking_by_id_twice_keeps_one_link(agent, ticket, category):
    article = ArticleFactory(category=category)
    first = article_link_ticket(actor=agent, article=article, ticket=ticket)
    second = article_link_ticket(actor=agent, article=article, ticket=ticket)
    assert first == second
    assert TicketEvent.objects.filter(ticket=ticket).count() == 1


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        pytest.param("KB-999999", "There is no article KB-999999.", id="unknown_case"),
        pytest.param("hello", "“hello” is not an article reference", id="malformed_case"),
        pytest.param("", "Enter the article to link, for example KB-123.", id="empty_case"),
    ],
)
def test_a_bad_reference_is_a_400_with_a_clear_message(client, agent, ticket, reference, message):
    client.force_login(agent)
    response = client.post(_link_url(ticket), {"article": reference}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not TicketArticle.objects.exists()


def test_a_plain_form_post_links_and_returns_to_the_ticket(client, agent, ticket, category):
    article = ArticleFactory(category=category)
    client.force_login(agent)
    response = client.post(_link_url(ticket), {"article": str(article.pk)})
    assert response.status_code == 302
    assert response["Location"] == reverse("tickets:detail", args=[ticket.pk])
    assert ticket.article_links.get().article == article


def test_an_outsider_cannot_link_to_another_teams_ticket(client, outsider, ticket, category):
    article = ArticleFactory(category=category)
    client.force_login(outsider)
    assert client.post(_link_url(ticket), {"article": article.reference}).status_code == 404
    assert client.get(_panel_url(ticket)).status_code == 404
    assert not TicketArticle.objects.exists()


def test_a_manager_reads_the_panel_but_cannot_link(client, manager, ticket, category):
    article = ArticleFactory(category=category)
    client.force_login(manager)
    panel = client.get(_panel_url(ticket))
    assert panel.status_code == 200
    assert 'name="article"' not in panel.content.decode()
    assert client.post(_link_url(ticket), {"article": article.reference}).status_code == 403
    assert not TicketArticle.objects.exists()


def test_a_closed_ticket_cannot_get_new_links(agent, team_a, category):
    closed = TicketFactory(team=team_a, status=Ticket.Status.CLOSED)
    with pytest.raises(ApplicationError) as refusal:
        article_link_ticket(actor=agent, article=ArticleFactory(category=category), ticket=closed)
    assert (refusal.value.code, refusal.value.status) == ("read_only", 409)


def test_unlinking_removes_the_link_and_records_it(client, agent, ticket, category):
    article = ArticleFactory(category=category)
    article_link_ticket(actor=agent, article=article, ticket=ticket)
    client.force_login(agent)
    response = client.post(
        reverse("tickets:article_unlink", args=[ticket.pk, article.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert not TicketArticle.objects.exists()
    assert list(
        TicketEvent.objects.filter(ticket=ticket).order_by("pk").values_list("action", flat=True)
    ) == ["article_linked", "article_unlinked"]


def test_unlinking_an_article_that_is_not_linked_is_refused(agent, ticket, category):
    with pytest.raises(ApplicationError) as refusal:
        article_unlink_ticket(actor=agent, article=ArticleFactory(category=category), ticket=ticket)
    assert refusal.value.code == "not_linked"


# --- Suggestions ------------------------------------------------------------------------------


def test_an_english_ticket_suggests_the_matching_article(agent, ticket, category):
    login = ArticleFactory(
        category=category,
        title_en="Login fails with an invalid password",
        body_en="Unlock the account, then ask the client to reset the password.",
    )
    ArticleFactory(
        category=category,
        title_en="Withdraw funds to a bank account",
        body_en="Withdrawals are paid to the registered bank account within two working days.",
    )
    assert article_suggestions_for(user=agent, ticket=ticket) == [login]


def test_a_chinese_ticket_suggests_the_matching_article(agent, team_a, category):
    ticket = TicketFactory(
        team=team_a,
        subject="登入失敗",
        description="今早開始一直登入失敗，請協助。",
        language="zh-hant",
    )
    login = ArticleFactory(
        category=category,
        title_en="",
        body_en="",
        title_zh_hant="無法登入交易平台",
        body_zh_hant="請先為客戶解鎖戶口，再請客戶重設密碼。",
    )
    ArticleFactory(
        category=category,
        title_en="",
        body_en="",
        title_zh_hant="提款至銀行戶口",
        body_zh_hant="提款會於兩個工作天內存入已登記的銀行戶口。",
    )
    assert article_suggestions_for(user=agent, ticket=ticket) == [login]


def test_the_panel_shows_linked_articles_and_does_not_suggest_them_again(
    client, agent, ticket, category
):
    linked = ArticleFactory(category=category, title_en="Login fails with an invalid password")
    suggested = ArticleFactory(category=category, title_en="Web portal login checklist")
    TicketArticleFactory(ticket=ticket, article=linked, linked_by=agent)
    client.force_login(agent)
    page = client.get(_panel_url(ticket)).content.decode()
    linked_part, suggested_part = page.split("Suggested articles")
    assert linked.reference in linked_part and linked.reference not in suggested_part
    assert suggested.reference in suggested_part


def test_suggestions_are_bounded_and_use_a_fixed_number_of_queries(
    client, agent, ticket, category, django_assert_max_num_queries
):
    TicketArticleFactory(ticket=ticket, article=ArticleFactory(category=category))
    ArticleFactory(category=category, title_en="Login fails with an invalid password")
    client.force_login(agent)
    url = _panel_url(ticket)
    client.get(url)
    with django_assert_max_num_queries(9) as few:
        client.get(url)
    ArticleFactory.create_batch(
        12, category=category, title_en=factory.Sequence(lambda n: f"Login help {n}")
    )
    TicketArticleFactory.create_batch(
        3, ticket=ticket, article=factory.SubFactory(ArticleFactory, category=category)
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert page.split("Suggested articles")[1].count("tickets/kb/") == 5 + 1


# --- Demo data --------------------------------------------------------------------------------


def test_the_demo_knowledge_base_and_macros_follow_the_rules(team_a, supervisor, administrator):
    resolved = TicketFactory(
        team=team_a,
        status=Ticket.Status.RESOLVED,
        tags=["login"],
        assignee=supervisor,
        resolved_at=timezone.now(),
        resolution_code=ResolutionCodeFactory(),
        resolution_summary="Unlocked",
    )
    seed_knowledge_and_macros(
        rng=random.Random(7),  # noqa: S311 - reproducible demo data
        teams={"tech-hk": team_a},
        supervisors_by_team={"tech-hk": [supervisor]},
        admin=administrator,
    )
    assert KnowledgeCategory.objects.count() == 6
    assert Article.objects.count() == 26
    for article in Article.objects.prefetch_related("versions"):
        versions = sorted(article.versions.all(), key=lambda saved: saved.version)
        assert [saved.version for saved in versions] == list(range(1, article.version + 1))
        assert (versions[-1].title_en, versions[-1].body_zh_hant) == (
            article.title_en,
            article.body_zh_hant,
        )
    assert Article.objects.filter(version__gt=1).count() >= 5
    macros = list(Macro.objects.all())
    assert len(macros) == 9  # tech-hk's five, the personal ones (owners fall back), no others
    for macro in macros:
        assert macro.set_status in ("", *SETTABLE_STATUSES)
        for body in (macro.body_en, macro.body_zh_hant):
            assert set(PLACEHOLDER_PATTERN.findall(body)) <= set(PLACEHOLDERS)
    assert list(resolved.article_links.values_list("article__title_en", flat=True)) != []
    assert TicketEvent.objects.filter(ticket=resolved, action="article_linked").exists()


@pytest.mark.parametrize(
    ("subject", "description", "expected_title"),
    [
        pytest.param(
            "Login fails with error E1017",
            "Since this morning I cannot log in to the web portal, it says invalid credentials.",
            "Client cannot log in to the web portal",
            id="english_login_case",
        ),
        pytest.param(
            "登入失敗，顯示錯誤 E1017",
            "今早開始我無法登入網上平台，輸入電郵及密碼後顯示錯誤。",
            "Client cannot log in to the web portal",
            id="chinese_login_case",
        ),
        pytest.param(
            "Deposit not showing in my account",
            "I transferred HKD 50,000 yesterday from HSBC but it has not been credited.",
            "Deposit not credited: what to check",
            id="english_deposit_case",
        ),
        pytest.param(
            "存款未到帳",
            "我昨日經轉數快存入五萬元，但戶口仍未見到。",
            "Deposit not credited: what to check",
            id="chinese_deposit_case",
        ),
        pytest.param(
            "FIX session keeps disconnecting",
            "Our FIX session SDFIX12 drops every few minutes with a heartbeat timeout.",
            "FIX session disconnects: heartbeat and sequence-reset checklist",
            id="english_fix_case",
        ),
    ],
)
def test_the_demo_articles_are_suggested_for_typical_tickets(
    agent, supervisor, administrator, team_a, subject, description, expected_title
):
    seed_knowledge_and_macros(
        rng=random.Random(7),  # noqa: S311 - reproducible demo data
        teams={"tech-hk": team_a},
        supervisors_by_team={"tech-hk": [supervisor]},
        admin=administrator,
    )
    ticket = TicketFactory(team=team_a, subject=subject, description=description)
    titles = [article.title_en for article in article_suggestions_for(user=agent, ticket=ticket)]
    assert expected_title in titles[:2]


def test_the_article_page_uses_a_fixed_number_of_queries(
    client, agent, team_a, category, django_assert_max_num_queries
):
    article = ArticleFactory(category=category)
    TicketArticleFactory(article=article, ticket=TicketFactory(team=team_a))
    client.force_login(agent)
    url = reverse("tickets:kb_article", args=[article.pk])
    client.get(url)
    with django_assert_max_num_queries(8) as few:
        client.get(url)
    TicketArticleFactory.create_batch(
        8, article=article, ticket=factory.SubFactory(TicketFactory, team=team_a)
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert page.split('id="kb-tickets-heading"')[1].count('class="ref">SD-') == 9
