import zoneinfo
from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.utils.translation import gettext_lazy as _

from supportdesk.errors import ApplicationError
from teams.models import User

TIME_ZONE_CHOICES = [(name, name) for name in sorted(zoneinfo.available_timezones())]


class PreferencesForm(forms.ModelForm):
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=TIME_ZONE_CHOICES)

    class Meta:
        model = User
        fields = ["full_name", "language", "time_zone"]


T = TypeVar("T")


def submit_form(form: forms.Form, save: Callable[[dict[str, Any]], T]) -> tuple[T | None, int]:
    """Validate ``form`` and hand its cleaned data to a service.

    Returns the service's result and 200, or ``None`` and the status to answer with: 400 for an
    invalid form, the ``ApplicationError``'s own status when the service refuses (its message is
    attached to the field it names, else to the form).
    """
    if not form.is_valid():
        return None, 400
    try:
        return save(form.cleaned_data), 200
    except ApplicationError as error:
        field = error.details.get("field")
        form.add_error(field if field in form.fields else None, str(error.message))
        return None, error.status
