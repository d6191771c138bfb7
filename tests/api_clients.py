"""Helpers for API tests: a test client carrying a fresh personal API token."""

from __future__ import annotations

from typing import Any

from rest_framework.test import APIClient

from teams.services.api_tokens import api_token_create


def token_client(user: Any, scope: str = "write", **kwargs: Any) -> APIClient:
    issued = api_token_create(user=user, scope=scope, name="test", **kwargs)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.secret}")
    client.token = issued.token
    return client
