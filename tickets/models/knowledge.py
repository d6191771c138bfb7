"""The knowledge base: the desk's internal documentation, bilingual and versioned."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tickets.models.core import Ticket


class KnowledgeCategory(models.Model):
    """A section of the knowledge base (Desktop platform, Funding …)."""

    slug = models.SlugField(_("code"), max_length=50, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_zh_hant = models.CharField(_("name (Traditional Chinese)"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("knowledge-base category")
        verbose_name_plural = _("knowledge-base categories")
        ordering = ["position", "slug"]

    def __str__(self) -> str:
        return self.name_en


class Article(models.Model):
    """A knowledge-base article (``KB-123``) in English and/or Traditional Chinese.

    The current text lives here; every saved edit is also kept as an ``ArticleVersion``.
    """

    category = models.ForeignKey(
        KnowledgeCategory, on_delete=models.PROTECT, related_name="articles"
    )
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    title_zh_hant = models.CharField(_("title (Traditional Chinese)"), max_length=200, blank=True)
    body_en = models.TextField(_("text (English)"), blank=True)
    body_zh_hant = models.TextField(_("text (Traditional Chinese)"), blank=True)
    is_published = models.BooleanField(_("published"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-updated_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(title_en="", title_zh_hant=""), name="article_has_a_title"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title_en or self.title_zh_hant}"

    @property
    def reference(self) -> str:
        return f"KB-{self.pk}"

    def localized_title(self, language_code: str) -> str:
        if language_code.startswith("zh"):
            return self.title_zh_hant or self.title_en
        return self.title_en or self.title_zh_hant


class ArticleVersion(models.Model):
    """One saved state of an article, immutable, for its version history."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField(_("version"))
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    title_zh_hant = models.CharField(_("title (Traditional Chinese)"), max_length=200, blank=True)
    body_en = models.TextField(_("text (English)"), blank=True)
    body_zh_hant = models.TextField(_("text (Traditional Chinese)"), blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("saved"), auto_now_add=True)

    class Meta:
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["article", "version"], name="article_version_unique"),
        ]

    def __str__(self) -> str:
        return f"KB-{self.article_id} v{self.version}"


class TicketArticle(models.Model):
    """A ticket linked to the article that helped resolve it ("resolved with KB-123")."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="article_links")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="ticket_links")
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("linked"), auto_now_add=True)

    class Meta:
        verbose_name = _("ticket article link")
        verbose_name_plural = _("ticket article links")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "article"], name="ticket_article_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} → KB-{self.article_id}"
