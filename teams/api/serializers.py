"""Shapes of teams and agents (with status, skills and shifts) in the API."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from supportdesk.api.serializers import StrictSerializer
from teams.models import AgentProfile, AgentSkill, Shift, Team, User


class TeamSerializer(serializers.ModelSerializer):
    email = serializers.CharField(read_only=True, help_text="The team's address, or empty.")

    class Meta:
        model = Team
        fields = ("id", "slug", "name", "description", "email", "created_at")
        read_only_fields = fields


class AgentSkillSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="skill.code", read_only=True)
    kind = serializers.CharField(source="skill.kind", read_only=True)
    name_en = serializers.CharField(source="skill.name_en", read_only=True)

    class Meta:
        model = AgentSkill
        fields = ("code", "kind", "name_en", "proficiency")
        read_only_fields = fields


class ShiftSerializer(serializers.ModelSerializer):
    class Meta:
        model = Shift
        fields = ("weekday", "starts_at", "ends_at")
        read_only_fields = fields


class MembershipSerializer(serializers.Serializer):
    team = serializers.CharField(source="team.slug", read_only=True)
    role = serializers.CharField(read_only=True)


class AgentSerializer(serializers.ModelSerializer):
    """A member of a team the caller can see: teams, live status, skills and weekly shifts."""

    status = serializers.SerializerMethodField()
    capacity = serializers.SerializerMethodField()
    teams = MembershipSerializer(source="memberships", many=True, read_only=True)
    skills = AgentSkillSerializer(many=True, read_only=True)
    shifts = ShiftSerializer(many=True, read_only=True)

    class Meta:
        model = User
        fields = ("id", "full_name", "email", "time_zone", "status", "capacity", "teams",
                  "skills", "shifts")  # fmt: skip
        read_only_fields = fields

    @staticmethod
    def _profile(user: User) -> AgentProfile | None:
        try:
            return user.agent_profile
        except AgentProfile.DoesNotExist:
            return None

    @extend_schema_field(serializers.ChoiceField(choices=AgentProfile.Status.choices))
    def get_status(self, user: User) -> str:
        profile = self._profile(user)
        return profile.status if profile else AgentProfile.Status.OFFLINE

    @extend_schema_field(serializers.IntegerField())
    def get_capacity(self, user: User) -> int:
        profile = self._profile(user)
        return profile.capacity if profile else AgentProfile.DEFAULT_CAPACITY


class AgentStatusSerializer(StrictSerializer):
    status = serializers.ChoiceField(choices=AgentProfile.Status.choices)

    def to_representation(self, instance: Any) -> Any:
        return {"status": instance.status}
