"""Writes of in-app notifications (created by the ticket services; read and dismissed here)."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from tickets.models import Notification


@transaction.atomic
def notifications_mark_read(*, user: Any, notification_ids: list[int] | None = None) -> int:
    """Mark the user's unread notifications read (all of them, or only ``notification_ids``).

    Returns how many changed; ids of other people's notifications are ignored, not errors.
    """
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())
