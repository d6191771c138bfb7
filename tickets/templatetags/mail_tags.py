"""Template helpers of the inbound-mail pieces of the ticket page."""

from typing import Any

from django import template

register = template.Library()


@register.filter
def origin_of(origins: dict[int, Any] | None, message_id: int) -> Any:
    """``{{ mail_origins|origin_of:message.pk }}``: the email a message came from, if any."""
    return (origins or {}).get(message_id)
