"""The knowledge base: writing articles (with their immutable version history) and linking them
to the tickets they helped resolve.

* Supervisors and administrators write articles; agents and managers read them.
* Every saved state of an article is an ``ArticleVersion`` row written in the same transaction;
  nothing in the app edits or deletes a version.
* Anyone who can work a ticket may link an article to it ("resolved with KB-123") or remove the
  link; both are recorded on the ticket's audit trail in the same transaction. A link is not a
  change of the ticket's own fields, so the ticket's ``version`` (the lost-update guard of its
  editable fields) is left alone and an agent's open reply form does not go stale.
"""

import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from supportdesk.errors import ApplicationError, Conflict, NotAllowed
from teams import access
from teams.access import Role
from tickets import lifecycle
from tickets.models import (
    Article,
    ArticleVersion,
    KnowledgeCategory,
    Ticket,
    TicketArticle,
    TicketEvent,
)

logger = logging.getLogger(__name__)

EDITOR_ROLES = (Role.SUPERVISOR, Role.ADMINISTRATOR)
TITLE_MAX_CHARS = 200
BODY_MAX_CHARS = 100_000
CONTENT_FIELDS = ("title_en", "title_zh_hant", "body_en", "body_zh_hant")


class StaleArticle(Conflict):
    """Someone saved the article after the editor opened it (HTTP 409)."""

    code = "stale_article"


def article_can_edit(*, user: Any) -> bool:
    """Supervisors and administrators write the knowledge base."""
    return access.has_role(user, *EDITOR_ROLES)


def article_can_read(*, user: Any) -> bool:
    """Every member of staff reads it; clients never (it is internal documentation)."""
    return access.is_staff_member(user)


def _clean_content(
    *, title_en: str, title_zh_hant: str, body_en: str, body_zh_hant: str
) -> dict[str, str]:
    """Each language is complete (title and text) or absent, and at least one is present."""
    content = {
        "title_en": (title_en or "").strip(),
        "title_zh_hant": (title_zh_hant or "").strip(),
        "body_en": (body_en or "").strip(),
        "body_zh_hant": (body_zh_hant or "").strip(),
    }
    for title_field, body_field in (("title_en", "body_en"), ("title_zh_hant", "body_zh_hant")):
        if len(content[title_field]) > TITLE_MAX_CHARS:
            raise ApplicationError(
                _("The title is too long (at most %(limit)d characters).")
                % {"limit": TITLE_MAX_CHARS},
                code="title_too_long",
                details={"field": title_field},
            )
        if len(content[body_field]) > BODY_MAX_CHARS:
            raise ApplicationError(
                _("The text is too long (at most %(limit)d characters).")
                % {"limit": BODY_MAX_CHARS},
                code="body_too_long",
                details={"field": body_field},
            )
        if content[title_field] and not content[body_field]:
            raise ApplicationError(
                _("Write the text that goes with this title."),
                code="body_required",
                details={"field": body_field},
            )
        if content[body_field] and not content[title_field]:
            raise ApplicationError(
                _("Give this text a title."),
                code="title_required",
                details={"field": title_field},
            )
    if not content["title_en"] and not content["title_zh_hant"]:
        raise ApplicationError(
            _("Write the article in English, in Traditional Chinese, or in both."),
            code="content_required",
            details={"field": "title_en"},
        )
    return content


def _snapshot(article: Article, *, editor: Any) -> ArticleVersion:
    return ArticleVersion.objects.create(
        article=article,
        version=article.version,
        title_en=article.title_en,
        title_zh_hant=article.title_zh_hant,
        body_en=article.body_en,
        body_zh_hant=article.body_zh_hant,
        edited_by=editor,
    )


@transaction.atomic
def article_create(
    *,
    actor: Any,
    category: KnowledgeCategory,
    title_en: str = "",
    title_zh_hant: str = "",
    body_en: str = "",
    body_zh_hant: str = "",
    is_published: bool = True,
) -> Article:
    """Write a new article (version 1) and its first history entry."""
    if not article_can_edit(user=actor):
        raise NotAllowed(
            _("Only supervisors and administrators can write knowledge-base articles.")
        )
    content = _clean_content(
        title_en=title_en, title_zh_hant=title_zh_hant, body_en=body_en, body_zh_hant=body_zh_hant
    )
    article = Article.objects.create(
        category=category, is_published=is_published, version=1, created_by=actor, **content
    )
    _snapshot(article, editor=actor)
    logger.info("article.created", extra={"article_id": article.pk, "actor": actor.pk})
    return article


@transaction.atomic
def article_update(
    *,
    actor: Any,
    article: Article,
    expected_version: int | None,
    category: KnowledgeCategory,
    title_en: str = "",
    title_zh_hant: str = "",
    body_en: str = "",
    body_zh_hant: str = "",
    is_published: bool = True,
) -> Article:
    """Save a new state of ``article``.

    A change of the text bumps ``version`` and writes that version to the history; a change of
    only the category or the published flag does not make a new version (the history is of the
    text). Saving nothing new changes nothing. ``expected_version`` is the version the editor
    started from: if someone saved in between, ``StaleArticle`` (409) is raised and nothing is
    written, so no edit is silently lost.
    """
    if not article_can_edit(user=actor):
        raise NotAllowed(_("Only supervisors and administrators can edit knowledge-base articles."))
    article = Article.objects.select_for_update().get(pk=article.pk)
    if expected_version is not None and expected_version != article.version:
        raise StaleArticle(
            _(
                "Someone else saved this article (now version %(current)d) after you opened "
                "version %(expected)d. Open it again and re-apply your changes."
            )
            % {"current": article.version, "expected": expected_version},
            details={"current_version": article.version},
        )
    content = _clean_content(
        title_en=title_en, title_zh_hant=title_zh_hant, body_en=body_en, body_zh_hant=body_zh_hant
    )
    text_changed = any(getattr(article, name) != value for name, value in content.items())
    settings_changed = article.category_id != category.pk or article.is_published != is_published
    if not text_changed and not settings_changed:
        return article
    for name, value in content.items():
        setattr(article, name, value)
    article.category = category
    article.is_published = is_published
    if text_changed:
        article.version += 1
    article.save()
    if text_changed:
        _snapshot(article, editor=actor)
    logger.info(
        "article.updated",
        extra={"article_id": article.pk, "version": article.version, "actor": actor.pk},
    )
    return article


def _lock_workable_ticket(*, actor: Any, ticket: Ticket) -> Ticket:
    if not access.can_work_on_team(actor, ticket.team_id):
        raise NotAllowed(_("You may not change this ticket."))
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    lifecycle.require_writable(ticket.status)
    return ticket


def _event(*, ticket: Ticket, actor: Any, action: str, article: Article, source: str) -> None:
    TicketEvent.objects.create(
        ticket=ticket,
        actor=actor,
        action=action,
        field="articles",
        old_value=article.reference if action == "article_unlinked" else "",
        new_value=article.reference if action == "article_linked" else "",
        source=source,
        created_at=timezone.now(),
    )


@transaction.atomic
def article_link_ticket(
    *, actor: Any, article: Article, ticket: Ticket, source: str = TicketEvent.Source.WEB
) -> TicketArticle:
    """Record that ``article`` helped with ``ticket`` ("resolved with KB-123").

    Linking twice is harmless: the existing link is returned and nothing new is recorded.
    Unpublished articles can be linked only by the people who can see them (editors).
    """
    ticket = _lock_workable_ticket(actor=actor, ticket=ticket)
    if not article.is_published and not article_can_edit(user=actor):
        raise ApplicationError(
            _("There is no article %(reference)s.") % {"reference": article.reference},
            code="unknown_article",
        )
    existing = TicketArticle.objects.filter(ticket=ticket, article=article).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            link = TicketArticle.objects.create(ticket=ticket, article=article, linked_by=actor)
    except IntegrityError:
        # The ticket row is locked, so only a link made outside this service can get here.
        return TicketArticle.objects.get(ticket=ticket, article=article)
    _event(ticket=ticket, actor=actor, action="article_linked", article=article, source=source)
    logger.info(
        "article.linked",
        extra={"article_id": article.pk, "ticket_id": ticket.pk, "actor": actor.pk},
    )
    return link


@transaction.atomic
def article_unlink_ticket(
    *, actor: Any, article: Article, ticket: Ticket, source: str = TicketEvent.Source.WEB
) -> None:
    """Remove the link between ``article`` and ``ticket``; the audit trail keeps both events."""
    ticket = _lock_workable_ticket(actor=actor, ticket=ticket)
    deleted, _rows = TicketArticle.objects.filter(ticket=ticket, article=article).delete()
    if not deleted:
        raise ApplicationError(
            _("%(article)s is not linked to %(ticket)s.")
            % {"article": article.reference, "ticket": ticket.reference},
            code="not_linked",
        )
    _event(ticket=ticket, actor=actor, action="article_unlinked", article=article, source=source)
    logger.info(
        "article.unlinked",
        extra={"article_id": article.pk, "ticket_id": ticket.pk, "actor": actor.pk},
    )
