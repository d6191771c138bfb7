"""Forms of the SLA pages: they shape what was typed; the services own the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from metrics.models import DEFAULT_PAUSE_STATUSES, Metric, SlaCalendar, SlaPolicy
from metrics.services.sla_config import TargetInput, weekly_hours_to_text
from supportdesk.forms import TIME_ZONE_CHOICES
from teams.models import Team
from tickets.models import Category, Client, Ticket

_LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
_LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


class CalendarForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=TIME_ZONE_CHOICES)
    always_open = forms.BooleanField(label=_("Open 24×7"), required=False)
    weekly_hours = forms.CharField(
        label=_("Weekly hours"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 7}),
        help_text=_(
            "One interval per line, e.g. “mon 09:00-18:00”. Several lines per day are allowed; "
            "an interval that ends at or before its start crosses midnight (“fri 22:00-02:00”)."
        ),
    )
    holiday_source = forms.ChoiceField(
        label=_("Holidays"), choices=SlaCalendar.HolidaySource.choices
    )
    holiday_country = forms.CharField(
        label=_("Country (ISO code)"), max_length=2, required=False, initial="HK"
    )
    holiday_subdivision = forms.CharField(label=_("Subdivision"), max_length=10, required=False)
    holiday_market = forms.CharField(
        label=_("Market (e.g. XHKG for HKEX)"), max_length=10, required=False, initial="XHKG"
    )

    @classmethod
    def initial_for(cls, calendar: SlaCalendar) -> dict[str, Any]:
        return {
            "name": calendar.name,
            "time_zone": calendar.time_zone,
            "always_open": calendar.always_open,
            "weekly_hours": weekly_hours_to_text(calendar.weekly_hours),
            "holiday_source": calendar.holiday_source,
            "holiday_country": calendar.holiday_country,
            "holiday_subdivision": calendar.holiday_subdivision,
            "holiday_market": calendar.holiday_market,
        }


class ClosureForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("From"), widget=_LOCAL, input_formats=_LOCAL_FORMATS)
    ends_at = forms.DateTimeField(label=_("Until"), widget=_LOCAL, input_formats=_LOCAL_FORMATS)
    reason = forms.CharField(
        label=_("Reason"), max_length=200, help_text=_("e.g. Typhoon signal No. 8")
    )


STATUS_CHOICES = [(s.value, s.label) for s in Ticket.Status if s.value in Ticket.OPEN_STATUSES]


class PolicyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    position = forms.IntegerField(
        label=_("Position"),
        min_value=0,
        initial=10,
        help_text=_("Policies are tried in this order; the first that matches applies."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    priorities = forms.TypedMultipleChoiceField(
        label=_("Priorities"),
        choices=Ticket.Priority.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave a condition empty to match every ticket."),
    )
    categories = forms.ModelMultipleChoiceField(
        label=_("Categories"), queryset=Category.objects.all(), required=False
    )
    client_tiers = forms.MultipleChoiceField(
        label=_("Client tiers"),
        choices=Client.Tier.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    teams = forms.ModelMultipleChoiceField(
        label=_("Teams"), queryset=Team.objects.all(), required=False
    )
    channels = forms.MultipleChoiceField(
        label=_("Channels"),
        choices=Ticket.Channel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    warning_percent = forms.IntegerField(
        label=_("Warn at (percent of the target)"), min_value=1, max_value=99, initial=75
    )
    raise_priority = forms.BooleanField(label=_("On breach: raise priority"), required=False)
    reassign_to_supervisor = forms.BooleanField(
        label=_("On breach: reassign to a supervisor of the team"), required=False
    )
    notify_email = forms.EmailField(
        label=_("On breach: notify an internal team at this e-mail address"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        calendars = SlaCalendar.objects.order_by("name")
        for metric in Metric:
            self.fields[f"{metric.value}_minutes"] = forms.IntegerField(
                label=_("%(metric)s: target (business minutes)") % {"metric": metric.label},
                min_value=1,
                required=False,
            )
            self.fields[f"{metric.value}_calendar"] = forms.ModelChoiceField(
                label=_("%(metric)s: calendar") % {"metric": metric.label},
                queryset=calendars,
                required=False,
            )
            self.fields[f"{metric.value}_pauses"] = forms.MultipleChoiceField(
                label=_("%(metric)s: pauses in") % {"metric": metric.label},
                choices=STATUS_CHOICES,
                required=False,
                initial=DEFAULT_PAUSE_STATUSES[metric],
                widget=forms.CheckboxSelectMultiple,
            )

    def targets(self) -> list[TargetInput]:
        data = self.cleaned_data
        return [
            TargetInput(
                metric=metric.value,
                minutes=data.get(f"{metric.value}_minutes"),
                calendar=data.get(f"{metric.value}_calendar"),
                pause_statuses=data.get(f"{metric.value}_pauses") or (),
            )
            for metric in Metric
        ]

    @classmethod
    def initial_for(cls, policy: SlaPolicy) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "name": policy.name,
            "position": policy.position,
            "is_active": policy.is_active,
            "priorities": policy.priorities,
            "categories": list(policy.categories.all()),
            "client_tiers": policy.client_tiers,
            "teams": list(policy.teams.all()),
            "channels": policy.channels,
            "warning_percent": policy.warning_percent,
            "raise_priority": policy.raise_priority,
            "reassign_to_supervisor": policy.reassign_to_supervisor,
            "notify_email": policy.notify_email,
        }
        for metric in Metric:
            initial[f"{metric.value}_pauses"] = []
        for target in policy.targets.all():
            initial[f"{target.metric}_minutes"] = target.target_seconds // 60
            initial[f"{target.metric}_calendar"] = target.calendar_id
            initial[f"{target.metric}_pauses"] = target.pause_statuses
        return initial


class PreviewForm(forms.Form):
    policy = forms.ModelChoiceField(label=_("Policy"), queryset=SlaPolicy.objects.none())
    start = forms.DateTimeField(
        label=_("Ticket created at"), widget=_LOCAL, input_formats=_LOCAL_FORMATS
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["policy"].queryset = SlaPolicy.objects.filter(is_current=True).order_by(
            "position", "family"
        )
