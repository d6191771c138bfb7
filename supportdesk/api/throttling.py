"""Rate limits per API token (and per signed-in user or address otherwise), counted in Django's
shared cache so that every web process agrees. The rate is ``settings.API_RATE_LIMIT``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from teams.models import ApiToken


class ApiTokenRateThrottle(SimpleRateThrottle):
    """One bucket per token; a browser session has one per user, anonymous callers per IP."""

    scope = "api"

    def get_rate(self) -> str:
        return settings.API_RATE_LIMIT

    def get_cache_key(self, request: Any, view: Any) -> str:
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"ip-{self.get_ident(request)}"
        return f"throttle_{self.scope}_{ident}"
