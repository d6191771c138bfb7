"""The knowledge base pages (index, article, history, editing) and the ticket page's KB panel.

Fragment contract with the ticket page
--------------------------------------
The ticket page includes::

    <div hx-get="{% url 'tickets:article_suggestions' ticket.pk %}" hx-trigger="load"></div>

``GET tickets:article_suggestions`` (``/tickets/<ticket_id>/articles/suggestions/``) answers with
``<section id="kb-panel">``: the articles linked to the ticket ("Resolved with KB-123", each with
an Unlink button), a field to link an article by reference, and up to five suggested articles
matching the ticket's subject and description (each with a Link button). Readers who cannot
work the ticket (managers) see it without the buttons; a ticket the user cannot see is a 404.

The panel's forms POST (htmx, ``hx-target="#kb-panel" hx-swap="outerHTML"``) to

* ``tickets:article_link`` (``/tickets/<ticket_id>/articles/``) with ``article`` = ``KB-123``
  or ``123``; an unknown or malformed reference is a 400 with a clear message, a user who
  cannot work the ticket gets 403, a closed (read-only) ticket 409;
* ``tickets:article_unlink`` (``/tickets/<ticket_id>/articles/<article_id>/unlink/``).

Both answer an htmx request with the panel again (with the error and the error's status; the
panel's ``hx-on::before-swap`` lets htmx swap those 4xx answers in) and a plain form post with
a redirect to the ticket page (or an error page with the status).
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from supportdesk.errors import ApplicationError
from supportdesk.forms import submit_form
from teams import access
from tickets import lifecycle
from tickets.models import Article, ArticleVersion, KnowledgeCategory, Ticket
from tickets.rendering import render_message_html
from tickets.selectors import knowledge as selectors
from tickets.selectors.queues import ticket_list_visible_to
from tickets.services import knowledge as services

PAGE_SIZE = 25
LANGUAGES = (("en", "English"), ("zh-hant", "繁體中文"))


class ArticleForm(forms.Form):
    """An article as typed; the service checks the content rules again and owns them."""

    category = forms.ModelChoiceField(
        label=gettext_lazy("Category"), queryset=KnowledgeCategory.objects.none()
    )
    title_en = forms.CharField(
        label=gettext_lazy("Title in English"),
        required=False,
        max_length=services.TITLE_MAX_CHARS,
        widget=forms.TextInput(attrs={"lang": "en"}),
    )
    body_en = forms.CharField(
        label=gettext_lazy("Text in English"),
        required=False,
        max_length=services.BODY_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 14, "lang": "en"}),
        help_text=gettext_lazy("Markdown: **bold**, lists, links, tables."),
    )
    title_zh_hant = forms.CharField(
        label=gettext_lazy("Title in Traditional Chinese"),
        required=False,
        max_length=services.TITLE_MAX_CHARS,
        widget=forms.TextInput(attrs={"lang": "zh-Hant"}),
    )
    body_zh_hant = forms.CharField(
        label=gettext_lazy("Text in Traditional Chinese"),
        required=False,
        max_length=services.BODY_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 14, "lang": "zh-Hant"}),
    )
    is_published = forms.BooleanField(
        label=gettext_lazy("Published (agents can read it)"), required=False, initial=True
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = selectors.knowledge_categories()


def _require_reader(request: HttpRequest) -> None:
    access.require(services.article_can_read(user=request.user))


def _require_editor(request: HttpRequest) -> None:
    access.require(services.article_can_edit(user=request.user))


def _language_tabs(request: HttpRequest, content: Article | ArticleVersion) -> dict[str, Any]:
    """The EN / 繁中 tabs, the user's language first, and the selected language's rendering."""
    user_language = "zh-hant" if request.LANGUAGE_CODE.startswith("zh") else "en"
    order = sorted(LANGUAGES, key=lambda item: item[0] != user_language)
    available = {
        "en": bool(content.title_en or content.body_en),
        "zh-hant": bool(content.title_zh_hant or content.body_zh_hant),
    }
    selected = request.GET.get("lang", "")
    if not available.get(selected, False):
        selected = next(code for code, _label in order if available[code])
    suffix = "zh_hant" if selected == "zh-hant" else "en"
    tabs = [
        {"code": code, "label": label, "available": available[code], "selected": code == selected}
        for code, label in order
    ]
    return {
        "tabs": tabs,
        "selected_language": selected,
        "title": getattr(content, f"title_{suffix}"),
        "body_html": render_message_html(getattr(content, f"body_{suffix}")),
        "only_one_language": sum(available.values()) == 1,
    }


# --- Knowledge-base pages ---------------------------------------------------------------------


@login_required
def kb_index(request: HttpRequest) -> HttpResponse:
    """All articles the user may read, by category, with a title search."""
    _require_reader(request)
    category_slug = request.GET.get("category", "")[:50]
    query = request.GET.get("q", "")[:200]
    articles = selectors.article_search(user=request.user, category_slug=category_slug, query=query)
    page = Paginator(articles, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "tickets/knowledge/index.html",
        {
            "page": page,
            "categories": list(selectors.knowledge_categories()),
            "category_slug": category_slug,
            "query": query,
            "can_edit": services.article_can_edit(user=request.user),
        },
    )


@login_required
def kb_article(request: HttpRequest, article_id: int) -> HttpResponse:
    _require_reader(request)
    article = selectors.article_detail_for(user=request.user, article_id=article_id)
    return render(
        request,
        "tickets/knowledge/article.html",
        {
            "article": article,
            "tickets": selectors.article_tickets_visible_to(user=request.user, article=article),
            "can_edit": services.article_can_edit(user=request.user),
            **_language_tabs(request, article),
        },
    )


@login_required
def kb_article_history(request: HttpRequest, article_id: int) -> HttpResponse:
    _require_reader(request)
    article = selectors.article_detail_for(user=request.user, article_id=article_id)
    return render(
        request,
        "tickets/knowledge/history.html",
        {"article": article, "versions": selectors.article_versions(article=article)},
    )


@login_required
def kb_article_version(request: HttpRequest, article_id: int, version: int) -> HttpResponse:
    _require_reader(request)
    article = selectors.article_detail_for(user=request.user, article_id=article_id)
    saved = selectors.article_version_for(article=article, version=version)
    return render(
        request,
        "tickets/knowledge/version.html",
        {"article": article, "saved": saved, **_language_tabs(request, saved)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def kb_article_create(request: HttpRequest) -> HttpResponse:
    _require_editor(request)
    form = ArticleForm(request.POST or None)
    status = 200
    if request.method == "POST":
        saved, status = submit_form(
            form,
            lambda data: services.article_create(
                actor=request.user,
                category=data["category"],
                title_en=data["title_en"],
                title_zh_hant=data["title_zh_hant"],
                body_en=data["body_en"],
                body_zh_hant=data["body_zh_hant"],
                is_published=data["is_published"],
            ),
        )
        if saved is not None:
            article = saved
            messages.success(
                request, _("Article %(reference)s created.") % {"reference": article.reference}
            )
            return redirect("tickets:kb_article", article.pk)
    return render(
        request,
        "tickets/knowledge/article_form.html",
        {"form": form, "article": None},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def kb_article_edit(request: HttpRequest, article_id: int) -> HttpResponse:
    _require_reader(request)
    article = selectors.article_detail_for(user=request.user, article_id=article_id)
    _require_editor(request)
    initial = {
        "category": article.category_id,
        "title_en": article.title_en,
        "body_en": article.body_en,
        "title_zh_hant": article.title_zh_hant,
        "body_zh_hant": article.body_zh_hant,
        "is_published": article.is_published,
        "version": article.version,
    }
    form = ArticleForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        saved, status = submit_form(
            form,
            lambda data: services.article_update(
                actor=request.user,
                article=article,
                expected_version=data["version"],
                category=data["category"],
                title_en=data["title_en"],
                title_zh_hant=data["title_zh_hant"],
                body_en=data["body_en"],
                body_zh_hant=data["body_zh_hant"],
                is_published=data["is_published"],
            ),
        )
        if saved is not None:
            article = saved
            messages.success(
                request,
                _("Article %(reference)s saved (version %(version)d).")
                % {"reference": article.reference, "version": article.version},
            )
            return redirect("tickets:kb_article", article.pk)
    return render(
        request,
        "tickets/knowledge/article_form.html",
        {"form": form, "article": article},
        status=status,
    )


# --- The ticket page's panel ------------------------------------------------------------------


def _visible_ticket_or_404(request: HttpRequest, ticket_id: int) -> Ticket:
    access.require(access.is_staff_member(request.user))
    return access.get_visible_or_404(
        ticket_list_visible_to(user=request.user).select_related(None), pk=ticket_id
    )


def _panel(
    request: HttpRequest,
    ticket: Ticket,
    *,
    notice: str = "",
    error: str = "",
    status: int = 200,
    typed: str = "",
) -> HttpResponse:
    return render(
        request,
        "tickets/knowledge/ticket_panel.html",
        {
            "ticket": ticket,
            "linked": selectors.ticket_articles(ticket=ticket),
            "suggestions": selectors.article_suggestions_for(user=request.user, ticket=ticket),
            "can_link": access.can_work_on_team(request.user, ticket.team_id)
            and not lifecycle.is_read_only(ticket.status),
            "notice": notice,
            "error": error,
            "typed": typed,
        },
        status=status,
    )


def _after_change(
    request: HttpRequest,
    ticket: Ticket,
    *,
    notice: str = "",
    error: str = "",
    status: int = 200,
    typed: str = "",
) -> HttpResponse:
    """The panel for htmx; a redirect (or an error page) for a plain form post."""
    if request.htmx:
        return _panel(request, ticket, notice=notice, error=error, status=status, typed=typed)
    if error:
        return render(
            request,
            "tickets/knowledge/link_error.html",
            {"ticket": ticket, "error": error},
            status=status,
        )
    messages.success(request, notice)
    return redirect(reverse("tickets:detail", args=[ticket.pk]))


@login_required
def article_suggestions(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """htmx fragment: linked and suggested articles for the ticket (see the module docstring)."""
    ticket = _visible_ticket_or_404(request, ticket_id)
    return _panel(request, ticket)


@login_required
@require_POST
def article_link(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Link an article to the ticket by reference ("KB-123") or id."""
    ticket = _visible_ticket_or_404(request, ticket_id)
    reference = request.POST.get("article", "").strip()[:40]
    if not reference:
        return _after_change(
            request,
            ticket,
            error=_("Enter the article to link, for example KB-123."),
            status=400,
        )
    article = selectors.article_find_by_reference(user=request.user, reference=reference)
    if article is None:
        if selectors.REFERENCE_PATTERN.match(reference):
            message = _("There is no article %(reference)s.") % {"reference": reference}
        else:
            message = _("“%(reference)s” is not an article reference; write it like KB-123.") % {
                "reference": reference
            }
        return _after_change(request, ticket, error=message, status=400, typed=reference)
    try:
        services.article_link_ticket(actor=request.user, article=article, ticket=ticket)
    except ApplicationError as error:
        return _after_change(
            request, ticket, error=str(error.message), status=error.status, typed=reference
        )
    return _after_change(
        request,
        ticket,
        notice=_("%(article)s linked to %(ticket)s.")
        % {"article": article.reference, "ticket": ticket.reference},
    )


@login_required
@require_POST
def article_unlink(request: HttpRequest, ticket_id: int, article_id: int) -> HttpResponse:
    ticket = _visible_ticket_or_404(request, ticket_id)
    # Whoever may work the ticket may remove any of its links, even to a draft they cannot read.
    article = access.get_visible_or_404(
        Article.objects.filter(ticket_links__ticket=ticket), pk=article_id
    )
    try:
        services.article_unlink_ticket(actor=request.user, article=article, ticket=ticket)
    except ApplicationError as error:
        return _after_change(request, ticket, error=str(error.message), status=error.status)
    return _after_change(
        request,
        ticket,
        notice=_("%(article)s unlinked from %(ticket)s.")
        % {"article": article.reference, "ticket": ticket.reference},
    )


urlpatterns = [
    path("kb/", kb_index, name="kb_index"),
    path("kb/new/", kb_article_create, name="kb_article_create"),
    path("kb/<int:article_id>/", kb_article, name="kb_article"),
    path("kb/<int:article_id>/edit/", kb_article_edit, name="kb_article_edit"),
    path("kb/<int:article_id>/history/", kb_article_history, name="kb_article_history"),
    path(
        "kb/<int:article_id>/history/<int:version>/",
        kb_article_version,
        name="kb_article_version",
    ),
    path("<int:ticket_id>/articles/", article_link, name="article_link"),
    path(
        "<int:ticket_id>/articles/<int:article_id>/unlink/", article_unlink, name="article_unlink"
    ),
    path("<int:ticket_id>/articles/suggestions/", article_suggestions, name="article_suggestions"),
]
