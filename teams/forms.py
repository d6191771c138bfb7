"""Forms of the people pages: they validate and shape input; the services own the rules."""

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from teams.models import AgentProfile, AgentSkill, Skill, Team, TeamMembership, User
from teams.services.notes import NOTE_MAX_CHARS
from teams.services.profiles import MAX_CAPACITY, WEEKDAY_NAMES

WEEKDAY_CHOICES = list(enumerate(WEEKDAY_NAMES))


class MemberAddForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Person"), queryset=User.objects.none())
    role = forms.ChoiceField(
        label=_("Role in team"), choices=TeamMembership.Role.choices, initial="agent"
    )

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = candidates


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role in team"), choices=TeamMembership.Role.choices)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=AgentProfile.Status.choices)


class ProfileForm(forms.Form):
    """Capacity and one proficiency menu per skill (empty: does not have the skill)."""

    capacity = forms.IntegerField(
        label=_("Capacity (most open tickets)"), min_value=0, max_value=MAX_CAPACITY
    )

    def __init__(self, *args: Any, skills: list[Skill], current: dict[int, int], **kwargs: Any):
        super().__init__(*args, **kwargs)
        levels = [("", _("—"))] + [
            (str(level), str(level))
            for level in range(AgentSkill.MIN_PROFICIENCY, AgentSkill.MAX_PROFICIENCY + 1)
        ]
        self.skills = skills
        for skill in skills:
            self.fields[f"skill_{skill.pk}"] = forms.TypedChoiceField(
                label=skill.localized_name(get_language() or "en"),
                choices=levels,
                required=False,
                coerce=int,
                empty_value=None,
                initial=current.get(skill.pk, ""),
            )

    def proficiencies(self) -> dict[int, int | None]:
        return {skill.pk: self.cleaned_data.get(f"skill_{skill.pk}") for skill in self.skills}

    def skill_fields(self, kind: str) -> list[Any]:
        return [self[f"skill_{skill.pk}"] for skill in self.skills if skill.kind == kind]


class ShiftForm(forms.Form):
    weekday = forms.TypedChoiceField(label=_("Day"), choices=WEEKDAY_CHOICES, coerce=int)
    starts_at = forms.TimeField(
        label=_("Starts"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    ends_at = forms.TimeField(
        label=_("Ends"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("An end before the start means an overnight shift (22:00–07:00)."),
    )


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("New 1:1 note"),
        max_length=NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CourseForm(forms.Form):
    name = forms.CharField(label=_("Course"), max_length=150)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    validity_days = forms.IntegerField(
        label=_("Valid for (days)"),
        required=False,
        min_value=1,
        help_text=_("Empty for a one-off course; 365 for an annual refresher."),
    )
    due_by = forms.DateField(
        label=_("Complete by"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("A fixed deadline, e.g. the release date of a platform version."),
    )
    due_within_days = forms.IntegerField(
        label=_("Newcomers complete within (days)"), min_value=0, initial=30
    )
    remind_days_before = forms.IntegerField(
        label=_("Remind (days before due)"), min_value=0, max_value=365, initial=14
    )
    required_teams = forms.ModelMultipleChoiceField(
        label=_("Required for teams"),
        queryset=Team.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    required_skills = forms.ModelMultipleChoiceField(
        label=_("Required for skills"),
        queryset=Skill.objects.order_by("kind", "name_en"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        from teams import access

        super().__init__(*args, **kwargs)
        if not access.has_role(user, access.Role.ADMINISTRATOR):
            # Validation accepts any team so that a refusal is a clear 403 from the service.
            self.fields["required_teams"].help_text = _("Only teams you supervise.")
            self.fields["required_skills"].help_text = _(
                "Skill-based requirements are set by administrators."
            )


class SessionForm(forms.Form):
    course = forms.ModelChoiceField(label=_("Course"), queryset=None, empty_label=None)
    topic = forms.CharField(label=_("Topic"), max_length=200)
    starts_at = forms.DateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    trainer = forms.ModelChoiceField(label=_("Trainer"), queryset=None, required=False)
    materials_url = forms.URLField(label=_("Materials link"), required=False, assume_scheme="https")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from teams.models import TrainingCourse

        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = TrainingCourse.objects.filter(is_active=True)
        self.fields["trainer"].queryset = (
            User.objects.filter(
                is_active=True, groups__name__in=["Agent", "Supervisor", "Administrator"]
            )
            .distinct()
            .order_by("full_name")
        )
