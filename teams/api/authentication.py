"""API token authentication: ``Authorization: Bearer sdt_…``.

A token that is unknown, revoked, expired, or whose owner is inactive is refused with 401 and
the same message, so that a caller learns nothing about which of these it was.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from teams.models import ApiToken, User
from teams.services.api_tokens import api_token_for_secret

KEYWORDS = (b"bearer", b"token")


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """Personal API tokens (``teams.models.ApiToken``), looked up by their sha256."""

    def authenticate(self, request: Any) -> tuple[User, ApiToken] | None:
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the token as “Authorization: Bearer <token>”."), code="invalid_token"
            )
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError as error:
            raise exceptions.AuthenticationFailed(
                _("This API token is not valid, has expired or was revoked."),
                code="invalid_token",
            ) from error
        token = api_token_for_secret(secret)
        if token is None:
            raise exceptions.AuthenticationFailed(
                _("This API token is not valid, has expired or was revoked."),
                code="invalid_token",
            )
        return token.user, token

    def authenticate_header(self, request: Any) -> str:
        return 'Bearer realm="api"'


class ApiTokenAuthenticationScheme(OpenApiAuthenticationExtension):
    """Describes the token scheme in the OpenAPI schema."""

    target_class = ApiTokenAuthentication
    name = "apiToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token (Preferences → API tokens, or "
            "`manage.py create_api_token`).",
        }
