"""The "API tokens" page in the user's preferences: list, create (secret shown once), revoke."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from supportdesk.errors import ApplicationError
from teams import access
from teams.models import ApiToken
from teams.services.api_tokens import MAX_EXPIRY_DAYS, api_token_create, api_token_revoke


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    scope = forms.ChoiceField(label=gettext_lazy("Scope"), choices=ApiToken.Scope.choices)
    expires_in_days = forms.IntegerField(
        label=gettext_lazy("Expires after (days)"),
        min_value=1,
        max_value=MAX_EXPIRY_DAYS,
        initial=90,
        required=False,
        help_text=gettext_lazy("Leave empty for a token that lasts until you revoke it."),
    )


def _page(request: HttpRequest, form: ApiTokenForm, secret: str = "", status: int = 200):
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created_at", "-id")
    return render(
        request,
        "preferences_api_tokens.html",
        {"form": form, "tokens": tokens, "secret": secret},
        status=status,
    )


@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The user's own tokens; POST creates one and shows its secret this once."""
    access.require(access.is_staff_member(request.user) or access.is_client(request.user))
    if request.method != "POST":
        return _page(request, ApiTokenForm())
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        issued = api_token_create(
            user=request.user,
            scope=form.cleaned_data["scope"],
            name=form.cleaned_data["name"],
            expires_in_days=form.cleaned_data["expires_in_days"],
        )
    except ApplicationError as error:
        form.add_error(None, str(error.message))
        return _page(request, form, status=error.status)
    response = _page(request, ApiTokenForm(), secret=issued.secret, status=201)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def api_token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    token = access.get_visible_or_404(ApiToken.objects.filter(user=request.user), pk=token_id)
    api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("The token was revoked."))
    return redirect("api_tokens")


urlpatterns = [
    path("preferences/api-tokens/", api_tokens, name="api_tokens"),
    path(
        "preferences/api-tokens/<int:token_id>/revoke/",
        api_token_revoke_view,
        name="api_token_revoke",
    ),
]
