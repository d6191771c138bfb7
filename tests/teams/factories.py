"""Factories for the people side: profiles, shifts, skills, training."""

from datetime import time

import factory
from django.utils import timezone

from teams.models import (
    AgentProfile,
    AgentSkill,
    Shift,
    Skill,
    TrainingAttendance,
    TrainingCourse,
    TrainingSession,
)


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Skill
        django_get_or_create = ("code",)

    kind = Skill.Kind.LANGUAGE
    code = "yue"
    name_en = "Cantonese"
    name_zh_hant = "粵語"


class AgentSkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgentSkill

    skill = factory.SubFactory(SkillFactory)
    proficiency = 4


class AgentProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgentProfile
        django_get_or_create = ("user",)

    capacity = 10
    status = AgentProfile.Status.AVAILABLE


class ShiftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shift

    weekday = 0
    starts_at = time(9, 0)
    ends_at = time(18, 0)


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingCourse

    name = factory.Sequence(lambda n: f"Course {n}")
    validity_days = 365
    due_within_days = 30
    remind_days_before = 14


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingSession

    course = factory.SubFactory(CourseFactory)
    topic = factory.Sequence(lambda n: f"Session {n}")
    starts_at = factory.LazyFunction(timezone.now)


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingAttendance

    session = factory.SubFactory(SessionFactory)
    attended = True
