"""One error format for the whole API: problem details (RFC 9457).

Every error response is ``application/problem+json``::

    {"type": "urn:supportdesk:problem:stale", "title": "Conflict", "status": 409,
     "detail": "Someone else changed this ticket…", "code": "stale",
     "errors": {"field": ["message", …]}, …extension members}

``errors`` maps field names to messages (``non_field_errors`` for the whole input); a service's
``ApplicationError.details`` are added as extension members (e.g. ``changed_fields`` and
``current_version`` of a stale save). Titles and details are in the user's language.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from supportdesk.errors import ApplicationError

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:supportdesk:problem:"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"

    def __init__(self, limit: int) -> None:
        super().__init__(
            _("The request body is too large: at most %(limit)s bytes.") % {"limit": limit}
        )


def _titles() -> dict[int, str]:
    return {
        400: _("Invalid request"),
        401: _("Not authenticated"),
        403: _("Forbidden"),
        404: _("Not found"),
        405: _("Method not allowed"),
        406: _("Not acceptable"),
        409: _("Conflict"),
        413: _("Payload too large"),
        415: _("Unsupported media type"),
        429: _("Too many requests"),
    }


def problem(
    *,
    status_code: int,
    code: str,
    detail: Any,
    errors: dict[str, list[str]] | None = None,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": f"{TYPE_PREFIX}{code}",
        "title": _titles().get(status_code, _("Error")),
        "status": status_code,
        "detail": str(detail),
        "code": code,
    }
    if errors:
        body["errors"] = errors
    for key, value in (extra or {}).items():
        body.setdefault(key, value)
    return Response(body, status=status_code, headers=headers, content_type=PROBLEM_CONTENT_TYPE)


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as ``{"field" or "field.sub" or "items.0": [messages]}``."""
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            flat.update(_flatten(value, name))
        return flat
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return {prefix or "non_field_errors": [str(item) for item in detail]}
        flat = {}
        for index, item in enumerate(detail):
            flat.update(_flatten(item, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    return {prefix or "non_field_errors": [str(detail)]}


def _codes(detail: Any) -> str:
    if isinstance(detail, dict):
        detail = next(iter(detail.values()), "invalid")
    if isinstance(detail, list):
        detail = detail[0] if detail else "invalid"
    if isinstance(detail, dict | list):
        return _codes(detail)
    return getattr(detail, "code", None) or "invalid"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's ``EXCEPTION_HANDLER``: every refusal as problem details, the transaction rolled
    back (``set_rollback``), so a refused request changes nothing."""
    set_rollback()
    if isinstance(exc, ApplicationError):
        field_name = exc.details.get("field")
        extra = {key: value for key, value in exc.details.items() if key != "field"}
        return problem(
            status_code=exc.status,
            code=exc.code,
            detail=exc.message,
            errors={str(field_name): [str(exc.message)]} if field_name else None,
            extra=extra,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge(0)
    if not isinstance(exc, exceptions.APIException):
        return None
    headers: dict[str, str] = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    if isinstance(exc, exceptions.ValidationError):
        return problem(
            status_code=exc.status_code,
            code="validation_error",
            detail=_("The request has invalid fields; see “errors”."),
            errors=_flatten(exc.detail),
            headers=headers,
        )
    detail = exc.detail
    code = _codes(detail) if not isinstance(detail, str) else getattr(detail, "code", None)
    return problem(
        status_code=exc.status_code,
        code=code or exc.default_code,
        detail=detail
        if isinstance(detail, str)
        else " ".join(_flatten(detail).get("non_field_errors", [str(exc.default_detail)])),
        headers=headers,
    )
