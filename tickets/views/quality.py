"""Coaching and quality pages: review a ticket against a scorecard, write a coaching note, an
agent's reviews with the score trend and acknowledgements, scorecards.

Stable URL names other pages link to: ``tickets:quality_review_create`` and
``tickets:coaching_note_create`` (both take the ticket id).
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from supportdesk.errors import ApplicationError
from teams import access
from teams.models import Team, User
from tickets.models import QualityReview, Scorecard
from tickets.selectors import quality as selectors
from tickets.selectors.ticket import ticket_for_action
from tickets.services import quality as services

SCORE_CHOICES = [(str(value), str(value)) for value in range(QualityReview.MAX_SCORE + 1)]
CRITERIA_ROWS = 8


class ReviewForm(forms.Form):
    agent = forms.ModelChoiceField(label=gettext_lazy("Agent"), queryset=User.objects.none())
    comments = forms.CharField(
        label=gettext_lazy("Comments and coaching"),
        required=False,
        max_length=services.COMMENT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, agents: Any, scorecard: Scorecard, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = agents
        self.criteria = list(scorecard.criteria.all())
        for criterion in self.criteria:
            self.fields[f"score_{criterion.pk}"] = forms.TypedChoiceField(
                label=f"{criterion.name} ({criterion.weight} %)",
                choices=SCORE_CHOICES,
                coerce=int,
            )
        self.order_fields(["agent", *[f"score_{c.pk}" for c in self.criteria], "comments"])

    def scores(self) -> dict[int, int]:
        return {c.pk: self.cleaned_data[f"score_{c.pk}"] for c in self.criteria}


class CoachingNoteForm(forms.Form):
    agent = forms.ModelChoiceField(label=gettext_lazy("Agent"), queryset=User.objects.none())
    body = forms.CharField(
        label=gettext_lazy("Coaching note"),
        max_length=services.COMMENT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args: Any, agents: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = agents


class ScorecardForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    team = forms.ModelChoiceField(
        label=gettext_lazy("Team"),
        queryset=Team.objects.none(),
        required=False,
        empty_label=gettext_lazy("Whole desk"),
    )
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = access.teams_supervised_by(user).order_by("name")
        for row in range(CRITERIA_ROWS):
            self.fields[f"criterion_{row}"] = forms.CharField(
                label=gettext_lazy("Criterion"), max_length=100, required=False
            )
            self.fields[f"weight_{row}"] = forms.IntegerField(
                label=gettext_lazy("Weight (%)"), required=False, min_value=0, max_value=100
            )

    def criteria(self) -> list[tuple[str, int]]:
        rows = []
        for row in range(CRITERIA_ROWS):
            label = self.cleaned_data.get(f"criterion_{row}") or ""
            if label.strip():
                rows.append((label, self.cleaned_data.get(f"weight_{row}")))
        return rows

    def criteria_rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"criterion_{row}"], self[f"weight_{row}"]) for row in range(CRITERIA_ROWS)]


def _ticket_for_review(request: HttpRequest, ticket_id: int) -> Any:
    ticket = ticket_for_action(user=request.user, ticket_id=ticket_id)
    access.require(access.can_review_quality(request.user, ticket.team_id))
    return ticket


@login_required
@require_http_methods(["GET", "POST"])
def quality_review_create(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = _ticket_for_review(request, ticket_id)
    scorecards = list(selectors.scorecards_for_ticket(ticket=ticket))
    if not scorecards:
        return render(
            request,
            "tickets/quality/review_form.html",
            {"ticket": ticket, "form": None, "scorecards": [], "scorecard": None},
        )
    wanted = request.POST.get("scorecard") or request.GET.get("scorecard")
    scorecard = next((card for card in scorecards if str(card.pk) == wanted), scorecards[0])
    agents = selectors.team_members_for_review(ticket=ticket)
    status = 200
    if request.method == "POST":
        form = ReviewForm(request.POST, agents=agents, scorecard=scorecard)
        if form.is_valid():
            try:
                services.quality_review_create(
                    actor=request.user,
                    ticket=ticket,
                    agent=form.cleaned_data["agent"],
                    scorecard=scorecard,
                    scores=form.scores(),
                    comments=form.cleaned_data["comments"],
                )
            except ApplicationError as error:
                form.add_error(None, str(error.message))
                status = error.status
            else:
                messages.success(request, _("Review saved; the agent has been notified."))
                return redirect("tickets:detail", ticket.pk)
        else:
            status = 400
    else:
        form = ReviewForm(agents=agents, scorecard=scorecard, initial={"agent": ticket.assignee_id})
    return render(
        request,
        "tickets/quality/review_form.html",
        {"ticket": ticket, "form": form, "scorecards": scorecards, "scorecard": scorecard},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def coaching_note_create(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = _ticket_for_review(request, ticket_id)
    agents = selectors.team_members_for_review(ticket=ticket)
    status = 200
    if request.method == "POST":
        form = CoachingNoteForm(request.POST, agents=agents)
        if form.is_valid():
            try:
                services.coaching_note_create(
                    actor=request.user,
                    ticket=ticket,
                    agent=form.cleaned_data["agent"],
                    body=form.cleaned_data["body"],
                )
            except ApplicationError as error:
                form.add_error(None, str(error.message))
                status = error.status
            else:
                messages.success(request, _("Coaching note saved; the agent has been notified."))
                return redirect("tickets:detail", ticket.pk)
        else:
            status = 400
    else:
        form = CoachingNoteForm(agents=agents, initial={"agent": ticket.assignee_id})
    return render(
        request,
        "tickets/quality/coaching_note_form.html",
        {"ticket": ticket, "form": form},
        status=status,
    )


@login_required
def quality_ticket_actions(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """The "Review this ticket" / "Add coaching note" links on the ticket page, loaded after
    the page by htmx so that the page keeps its query count; empty for non-reviewers."""
    ticket = ticket_for_action(user=request.user, ticket_id=ticket_id)
    return render(
        request,
        "tickets/quality/_ticket_actions.html",
        {
            "ticket": ticket,
            "can_review": access.can_review_quality(request.user, ticket.team_id),
        },
    )


@login_required
def quality_mine(request: HttpRequest) -> HttpResponse:
    access.require(access.is_staff_member(request.user))
    return redirect("tickets:quality_agent", request.user.pk)


def _trend_svg(trend: list[dict[str, Any]]) -> dict[str, Any]:
    """Points of the weekly trend line in a 600×160 box (0–100 % vertically)."""
    width, height, pad = 600, 160, 24
    if not trend:
        return {"points": "", "dots": [], "width": width, "height": height}
    step = (width - 2 * pad) / max(len(trend) - 1, 1)
    dots = []
    for index, row in enumerate(trend):
        x = pad + index * step
        y = pad + (height - 2 * pad) * (1 - float(row["average"]) / 100)
        dots.append(
            {
                "x": round(x, 1),
                "y": round(y, 1),
                "average": round(float(row["average"]), 1),
                "week": row["week"],
                "reviews": row["reviews"],
            }
        )
    return {
        "points": " ".join(f"{dot['x']},{dot['y']}" for dot in dots),
        "dots": dots,
        "width": width,
        "height": height,
        "y100": pad,
        "y50": pad + (height - 2 * pad) / 2,
        "y0": height - pad,
    }


@login_required
def quality_agent(request: HttpRequest, user_id: int) -> HttpResponse:
    access.require(access.is_staff_member(request.user))
    agent = selectors.agent_for_quality(user=request.user, agent_id=user_id)
    trend = selectors.score_trend(agent=agent)
    return render(
        request,
        "tickets/quality/agent.html",
        {
            "agent": agent,
            "is_self": agent.pk == request.user.pk,
            "reviews": selectors.reviews_of_agent(agent=agent),
            "notes": selectors.coaching_notes_of(agent=agent),
            "trend": trend,
            "svg": _trend_svg(trend),
        },
    )


@login_required
@require_POST
def quality_review_acknowledge(request: HttpRequest, review_id: int) -> HttpResponse:
    review = selectors.quality_review_visible_to(user=request.user, review_id=review_id)
    try:
        services.quality_review_acknowledge(actor=request.user, review=review)
    except ApplicationError as error:
        return HttpResponse(str(error.message), status=error.status)
    messages.success(request, _("Review acknowledged."))
    return redirect("tickets:quality_agent", request.user.pk)


@login_required
@require_POST
def coaching_note_acknowledge(request: HttpRequest, note_id: int) -> HttpResponse:
    note = selectors.coaching_note_visible_to(user=request.user, note_id=note_id)
    try:
        services.coaching_note_acknowledge(actor=request.user, note=note)
    except ApplicationError as error:
        return HttpResponse(str(error.message), status=error.status)
    messages.success(request, _("Coaching note acknowledged."))
    return redirect("tickets:quality_agent", request.user.pk)


@login_required
def scorecard_list(request: HttpRequest) -> HttpResponse:
    access.require(access.is_staff_member(request.user))
    cards = list(selectors.scorecard_list_for(user=request.user))
    editable = {card.pk for card in cards if access.can_edit_scorecard(request.user, card.team_id)}
    return render(
        request,
        "tickets/quality/scorecard_list.html",
        {
            "rows": [{"card": card, "can_edit": card.pk in editable} for card in cards],
            "can_create": access.has_role(
                request.user, access.Role.SUPERVISOR, access.Role.ADMINISTRATOR
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def scorecard_edit(request: HttpRequest, scorecard_id: int | None = None) -> HttpResponse:
    access.require(access.has_role(request.user, access.Role.SUPERVISOR, access.Role.ADMINISTRATOR))
    scorecard = None
    if scorecard_id is not None:
        scorecard = access.get_visible_or_404(
            selectors.scorecard_list_for(user=request.user), pk=scorecard_id
        )
        access.require(access.can_edit_scorecard(request.user, scorecard.team_id))
    status = 200
    if request.method == "POST":
        form = ScorecardForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                services.scorecard_save(
                    actor=request.user,
                    scorecard=scorecard,
                    name=form.cleaned_data["name"],
                    team=form.cleaned_data["team"],
                    criteria=form.criteria(),
                    is_active=form.cleaned_data["is_active"],
                )
            except ApplicationError as error:
                form.add_error(None, str(error.message))
                status = error.status
            else:
                messages.success(request, _("Scorecard saved."))
                return redirect("tickets:scorecard_list")
        else:
            status = 400
    else:
        initial: dict[str, Any] = {}
        if scorecard is not None:
            initial = {
                "name": scorecard.name,
                "team": scorecard.team,
                "is_active": scorecard.is_active,
            }
            for row, criterion in enumerate(scorecard.criteria.all()):
                initial[f"criterion_{row}"] = criterion.name
                initial[f"weight_{row}"] = criterion.weight
        form = ScorecardForm(user=request.user, initial=initial)
    return render(
        request,
        "tickets/quality/scorecard_form.html",
        {"form": form, "scorecard": scorecard},
        status=status,
    )


urlpatterns = [
    path("<int:ticket_id>/quality/review/", quality_review_create, name="quality_review_create"),
    path(
        "<int:ticket_id>/quality/coaching-note/",
        coaching_note_create,
        name="coaching_note_create",
    ),
    path("<int:ticket_id>/quality/actions/", quality_ticket_actions, name="quality_ticket_actions"),
    path("quality/mine/", quality_mine, name="quality_mine"),
    path("quality/agents/<int:user_id>/", quality_agent, name="quality_agent"),
    path(
        "quality/reviews/<int:review_id>/acknowledge/",
        quality_review_acknowledge,
        name="quality_review_acknowledge",
    ),
    path(
        "quality/coaching-notes/<int:note_id>/acknowledge/",
        coaching_note_acknowledge,
        name="coaching_note_acknowledge",
    ),
    path("quality/scorecards/", scorecard_list, name="scorecard_list"),
    path("quality/scorecards/new/", scorecard_edit, name="scorecard_create"),
    path("quality/scorecards/<int:scorecard_id>/", scorecard_edit, name="scorecard_edit"),
]
