"""Administration of outbound webhooks: register, remove, and the delivery log."""

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
from tickets.models import Webhook, WebhookDelivery
from tickets.services.webhooks import webhook_create, webhook_delete

DELIVERY_LOG_LENGTH = 100


class WebhookForm(forms.Form):
    url = forms.URLField(label=gettext_lazy("URL"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=gettext_lazy("Events"),
        choices=Webhook.Event.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    description = forms.CharField(label=gettext_lazy("Description"), max_length=200, required=False)


def _page(request: HttpRequest, form: WebhookForm, status: int = 200) -> HttpResponse:
    webhooks = list(Webhook.objects.order_by("-created_at", "-id"))
    deliveries = list(
        WebhookDelivery.objects.select_related("webhook").order_by("-id")[:DELIVERY_LOG_LENGTH]
    )
    return render(
        request,
        "tickets/webhooks.html",
        {"form": form, "webhooks": webhooks, "deliveries": deliveries},
        status=status,
    )


@login_required
def webhooks(request: HttpRequest) -> HttpResponse:
    """Webhooks and the latest deliveries (administrators)."""
    access.require(access.can_manage_webhooks(request.user))
    if request.method != "POST":
        return _page(request, WebhookForm())
    form = WebhookForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        webhook_create(
            actor=request.user,
            url=form.cleaned_data["url"],
            events=form.cleaned_data["events"],
            description=form.cleaned_data["description"],
        )
    except ApplicationError as error:
        form.add_error("url" if error.details.get("field") == "url" else None, str(error.message))
        return _page(request, form, status=error.status)
    messages.success(request, _("The webhook was added."))
    return redirect("tickets:webhooks")


@login_required
@require_POST
def webhook_remove(request: HttpRequest, webhook_id: int) -> HttpResponse:
    access.require(access.can_manage_webhooks(request.user))
    webhook = access.get_visible_or_404(Webhook.objects.all(), pk=webhook_id)
    webhook_delete(actor=request.user, webhook=webhook)
    messages.success(request, _("The webhook was removed."))
    return redirect("tickets:webhooks")


urlpatterns = [
    path("webhooks/", webhooks, name="webhooks"),
    path("webhooks/<int:webhook_id>/delete/", webhook_remove, name="webhook_delete"),
]
