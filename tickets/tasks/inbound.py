"""Polling the IMAP mailboxes: every minute (beat schedule in settings), one task per active
mailbox, retried with exponential backoff; failures are recorded on the mailbox, where
administrators see them."""

from __future__ import annotations

import imaplib
import logging

from celery import shared_task
from django.utils import timezone

from tickets.mail.imap import MailboxBusy, mailbox_poll
from tickets.models import Mailbox

logger = logging.getLogger(__name__)


@shared_task(name="tickets.inbound_poll", ignore_result=True)
def inbound_poll() -> None:
    """Queue one poll per active mailbox."""
    for mailbox_id in Mailbox.objects.filter(is_active=True).values_list("pk", flat=True):
        inbound_poll_mailbox.delay(mailbox_id)


@shared_task(
    name="tickets.inbound_poll_mailbox",
    bind=True,
    ignore_result=True,
    autoretry_for=(OSError, imaplib.IMAP4.error),
    retry_backoff=10,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
)
def inbound_poll_mailbox(self: object, mailbox_id: int) -> int:
    """Fetch and ingest the new mail of one mailbox; returns how many messages it read."""
    mailbox = Mailbox.objects.filter(pk=mailbox_id, is_active=True).first()
    if mailbox is None:
        return 0
    try:
        return len(mailbox_poll(mailbox=mailbox))
    except MailboxBusy:
        logger.info("imap.busy", extra={"mailbox_id": mailbox_id})
        return 0
    except (OSError, imaplib.IMAP4.error) as error:
        Mailbox.objects.filter(pk=mailbox_id).update(
            last_error=f"{timezone.now():%Y-%m-%d %H:%M:%S %Z} {type(error).__name__}: {error}"[
                :2000
            ],
            last_polled_at=timezone.now(),
        )
        logger.warning("imap.poll_failed", extra={"mailbox_id": mailbox_id, "error": str(error)})
        raise
