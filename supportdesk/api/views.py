"""The base of every API view: the user's language, a body size limit (413) before parsing."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import translation
from rest_framework.views import APIView

from supportdesk.api.problems import PayloadTooLarge


def body_limit(content_type: str) -> int:
    """Largest request body accepted: an attachment's size plus room for the form around it
    for uploads, ``DATA_UPLOAD_MAX_MEMORY_SIZE`` for everything else."""
    if content_type.startswith("multipart/"):
        return settings.ATTACHMENT_MAX_BYTES * settings.API_MAX_FILES_PER_REQUEST + 1024 * 1024
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


class ApiViewMixin:
    """Mixed into every API view (before DRF's view class)."""

    def initial(self, request: Any, *args: Any, **kwargs: Any) -> None:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = body_limit(request.META.get("CONTENT_TYPE", ""))
        if length > limit:
            raise PayloadTooLarge(limit)
        super().initial(request, *args, **kwargs)  # type: ignore[misc]

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        # The user's language is activated for this request only (see perform_authentication).
        with translation.override(translation.get_language()):
            return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]

    def perform_authentication(self, request: Any) -> None:
        # Before permissions and throttles, so that their refusals are in the user's language.
        super().perform_authentication(request)  # type: ignore[misc]
        user = request.user
        if user.is_authenticated:
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()


class ApiView(ApiViewMixin, APIView):
    """A plain API endpoint (``<Entity><Action>Api``)."""


MAX_PK = 2**63 - 1


def parse_pk(value: Any) -> int:
    """A path id as an int; anything that cannot be a row id is a 404 like a missing row."""
    from rest_framework.exceptions import NotFound

    text = str(value)
    if not text.isdigit() or int(text) > MAX_PK or int(text) < 1:
        raise NotFound
    return int(text)
