"""Reads of the knowledge base, scoped to what the user may see, and the article suggestions for
a ticket.

Suggestions (``article_suggestions_for``) score every published article in one SQL query and
return the best few:

1. **English full text**: the ticket's words (at most ``MAX_WORDS``, each a separate
   ``plainto_tsquery`` OR-ed together, so a long ticket is not an impossible AND) ranked against
   the article's English title (weight A) and text (weight B) with the ``english`` stemmer.
2. **Trigram word similarity** (pg_trgm, created by ``tickets/migrations/0003_search.py``):
   how well each article *title* appears somewhere in the ticket's subject, in either language.
   It forgives typos and plurals in English and catches shared Chinese phrases of three or more
   characters.
3. **Chinese bigrams**: PostgreSQL does not segment Chinese, and a two-character word such as
   「登入」 shares no trigram with 「無法登入交易平台」, so the ticket's overlapping pairs of
   Han characters (at most ``MAX_BIGRAMS``, the subject's first, filler such as 「你好」
   dropped) are each looked up in the article's Chinese title and text; each pair found adds
   ``TITLE_HIT`` or ``BODY_HIT`` (more for pairs of the subject), up to 1.

Each part is in [0, 1]; an article needs ``MIN_SCORE`` overall to be suggested.
"""

import re
from functools import reduce
from operator import or_
from typing import Any

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramWordSimilarity,
)
from django.db.models import Case, F, FloatField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, Greatest, Least

from teams import access
from tickets.models import Article, ArticleVersion, KnowledgeCategory, Ticket, TicketArticle
from tickets.services.knowledge import article_can_edit

SUGGESTION_LIMIT = 5
LINKED_LIMIT = 20
MAX_WORDS = 30
MAX_BIGRAMS = 24
MIN_SCORE = 0.15
# What one Chinese pair found in an article's title or text adds: (from the description,
# from the subject).
TITLE_HIT = (0.15, 0.3)
BODY_HIT = (0.04, 0.08)
TEXT_SAMPLE_CHARS = 2000
REFERENCE_PATTERN = re.compile(r"^\s*(?:KB-?\s*)?(\d{1,12})\s*$", re.IGNORECASE)
WORD_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9]{2,}")
HAN_RUN_PATTERN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
# Pairs that occur in almost any Chinese support message and say nothing about its subject.
FILLER_BIGRAMS = frozenset(
    {
        "你好", "您好", "請問", "謝謝", "多謝", "唔該", "我的", "我們", "你們", "您的",
        "可以", "沒有", "已經", "因為", "所以", "但是", "今日", "今天", "一直", "問題",
        "協助", "幫忙", "如何", "怎樣", "點樣", "為什", "什麼", "甚麼", "時候", "現在",
        "戶口", "帳戶", "客戶", "顯示", "收到", "需要", "使用", "成功", "錯誤", "試過",
    }
)  # fmt: skip


# --- Lists and pages --------------------------------------------------------------------------


def knowledge_categories() -> QuerySet[KnowledgeCategory]:
    return KnowledgeCategory.objects.order_by("position", "slug")


def article_list_visible_to(*, user: Any) -> QuerySet[Article]:
    """Articles the user may read: published ones for staff, drafts too for editors; none for
    clients."""
    if not access.is_staff_member(user):
        return Article.objects.none()
    articles = Article.objects.select_related("category")
    if not article_can_edit(user=user):
        articles = articles.filter(is_published=True)
    return articles


def article_search(*, user: Any, category_slug: str = "", query: str = "") -> QuerySet[Article]:
    """The knowledge-base index: optionally one category, optionally a title search (either
    language, case-insensitive) or an exact ``KB-123`` reference; most recently updated first."""
    articles = article_list_visible_to(user=user)
    if category_slug:
        articles = articles.filter(category__slug=category_slug)
    query = (query or "").strip()[:200]
    if query:
        matches = Q(title_en__icontains=query) | Q(title_zh_hant__icontains=query)
        reference = REFERENCE_PATTERN.match(query)
        if reference:
            matches |= Q(pk=int(reference.group(1)))
        articles = articles.filter(matches)
    return articles.order_by("-updated_at", "-pk")


def article_detail_for(*, user: Any, article_id: int) -> Article:
    """One article the user may read; 404 otherwise (drafts do not leak to readers)."""
    return access.get_visible_or_404(
        article_list_visible_to(user=user).select_related("created_by"), pk=article_id
    )


def article_find_by_reference(*, user: Any, reference: str) -> Article | None:
    """The readable article named by ``KB-123`` (or ``123``), else ``None``."""
    match = REFERENCE_PATTERN.match(reference or "")
    if match is None:
        return None
    return article_list_visible_to(user=user).filter(pk=int(match.group(1))).first()


def article_versions(*, article: Article) -> QuerySet[ArticleVersion]:
    """The article's history, newest first."""
    return ArticleVersion.objects.filter(article=article).select_related("edited_by")


def article_version_for(*, article: Article, version: int) -> ArticleVersion:
    return access.get_visible_or_404(article_versions(article=article), version=version)


def article_tickets_visible_to(*, user: Any, article: Article, limit: int = 10) -> list[Ticket]:
    """The latest tickets linked to ``article`` that the user may see."""
    tickets = access.scope_to_visible_teams(
        user, Ticket.objects.filter(article_links__article=article)
    )
    return list(tickets.order_by("-article_links__created_at")[:limit])


def ticket_articles(*, ticket: Ticket) -> list[TicketArticle]:
    """The articles linked to a ticket, with who linked them (bounded)."""
    return list(
        TicketArticle.objects.filter(ticket=ticket)
        .select_related("article", "linked_by")
        .order_by("created_at", "pk")[:LINKED_LIMIT]
    )


# --- Suggestions ------------------------------------------------------------------------------


def _english_words(text: str) -> list[str]:
    words: list[str] = []
    for word in WORD_PATTERN.findall(text):
        lowered = word.lower()
        if lowered not in words:
            words.append(lowered)
        if len(words) == MAX_WORDS:
            break
    return words


def _han_bigrams(text: str) -> list[str]:
    bigrams: list[str] = []
    for run in HAN_RUN_PATTERN.findall(text):
        for start in range(len(run) - 1):
            pair = run[start : start + 2]
            if pair not in FILLER_BIGRAMS and pair not in bigrams:
                bigrams.append(pair)
            if len(bigrams) == MAX_BIGRAMS:
                return bigrams
    return bigrams


def article_suggestions_for(
    *, user: Any, ticket: Ticket, limit: int = SUGGESTION_LIMIT
) -> list[Article]:
    """Up to ``limit`` published articles that match the ticket's subject and description,
    best first, leaving out the ones already linked. Each carries its ``score``."""
    subject = ticket.subject or ""
    text = f"{subject}\n{ticket.description or ''}"[:TEXT_SAMPLE_CHARS]
    score: Any = Value(0.0)

    words = _english_words(text)
    if words:
        query = reduce(or_, (SearchQuery(word, config="english") for word in words))
        vector = SearchVector("title_en", weight="A", config="english") + SearchVector(
            "body_en", weight="B", config="english"
        )
        score = score + Least(SearchRank(vector, query), Value(1.0))

    if subject.strip():
        score = score + Greatest(
            TrigramWordSimilarity(F("title_en"), Value(subject)),
            TrigramWordSimilarity(F("title_zh_hant"), Value(subject)),
        )

    subject_bigrams = set(_han_bigrams(subject))
    bigrams = _han_bigrams(text)
    if bigrams:
        hits = [
            Case(
                When(title_zh_hant__contains=pair, then=Value(TITLE_HIT[pair in subject_bigrams])),
                When(body_zh_hant__contains=pair, then=Value(BODY_HIT[pair in subject_bigrams])),
                default=Value(0.0),
                output_field=FloatField(),
            )
            for pair in bigrams
        ]
        score = score + Least(reduce(lambda left, right: left + right, hits), Value(1.0))

    if not words and not bigrams and not subject.strip():
        return []
    articles = (
        article_list_visible_to(user=user)
        .filter(is_published=True)
        .exclude(ticket_links__ticket=ticket)
        .annotate(score=Coalesce(score, Value(0.0), output_field=FloatField()))
        .filter(score__gte=MIN_SCORE)
        .order_by("-score", "-updated_at", "-pk")
    )
    return list(articles[:limit])
