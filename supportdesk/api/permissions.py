"""The DRF permission every endpoint uses: signed in, and the credential's scope allows the
method (``teams.access.api_scope_allows``). Object- and role-level decisions are made by the
endpoints through ``teams.access`` and the services."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from teams import access
from teams.models import ApiToken


def request_scope(request: Any) -> str | None:
    """The scope of the request's API token, or ``None`` for a browser session."""
    return request.auth.scope if isinstance(request.auth, ApiToken) else None


class TokenScopePermission(BasePermission):
    message = _("This API token is read-only: it cannot change anything.")

    def has_permission(self, request: Any, view: Any) -> bool:
        return access.api_scope_allows(request_scope(request), request.method)
