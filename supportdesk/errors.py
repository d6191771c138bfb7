"""The one exception type services raise for refusals a user should read.

Views turn it into a page or form error with ``status``; the API into a problem-details body.
``message`` is translatable (gettext_lazy or already translated); ``code`` is stable for machines;
``details`` carries structured context (e.g. the fields changed by someone else).
"""

from typing import Any


class ApplicationError(Exception):
    status = 400
    code = "invalid"

    def __init__(
        self,
        message: Any,
        *,
        code: str | None = None,
        status: int | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(str(message))
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.details = details or {}


class NotAllowed(ApplicationError):
    """The actor may not do this (HTTP 403)."""

    status = 403
    code = "permission_denied"


class Conflict(ApplicationError):
    """The object changed since the actor read it (HTTP 409)."""

    status = 409
    code = "conflict"
