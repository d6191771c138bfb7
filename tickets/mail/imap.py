"""Polling one IMAP mailbox: fetch every message above the last UID read, ingest it, mark it
seen. Idempotent: the UID high-water mark is saved after each message, and the Message-ID
dedupe makes a re-read (new UIDVALIDITY, a crash before the mark was saved) create nothing."""

from __future__ import annotations

import imaplib
import logging
import re
import ssl
import zlib

from django.db import connection
from django.utils import timezone

from tickets.models import Mailbox
from tickets.services.inbound import IngestResult, inbound_email_ingest

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 30
BATCH_SIZE = 200
_UID = re.compile(rb"UID (\d+)")


class MailboxBusy(Exception):  # noqa: N818 - another worker is polling it: not an error
    """Another worker holds this mailbox's poll lock."""


def _connect(mailbox: Mailbox) -> imaplib.IMAP4:
    if mailbox.use_ssl:
        return imaplib.IMAP4_SSL(
            mailbox.host,
            mailbox.port,
            ssl_context=ssl.create_default_context(),
            timeout=TIMEOUT_SECONDS,
        )
    return imaplib.IMAP4(mailbox.host, mailbox.port, timeout=TIMEOUT_SECONDS)


def _lock_key(mailbox: Mailbox) -> int:
    return zlib.crc32(f"tickets.mailbox_poll:{mailbox.pk}".encode())


def _check(status: str, data: object, what: str) -> None:
    if status != "OK":
        raise imaplib.IMAP4.error(f"{what} failed: {data!r}")


def mailbox_poll(*, mailbox: Mailbox, batch_size: int = BATCH_SIZE) -> list[IngestResult]:
    """Fetch and ingest the new messages of ``mailbox`` (at most ``batch_size`` per call).

    Raises ``MailboxBusy`` when another worker is polling the same mailbox, and the IMAP or
    network error when the server fails (the caller records it and retries)."""
    key = _lock_key(mailbox)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        if not cursor.fetchone()[0]:
            raise MailboxBusy(mailbox.name)
    try:
        return _poll(mailbox, batch_size)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


def _poll(mailbox: Mailbox, batch_size: int) -> list[IngestResult]:
    mailbox = Mailbox.objects.select_related("team", "category").get(pk=mailbox.pk)
    results: list[IngestResult] = []
    client = _connect(mailbox)
    try:
        _check(*client.login(mailbox.username, mailbox.password), "LOGIN")
        _check(*client.select(_quote(mailbox.folder)), "SELECT")
        validity_data = client.response("UIDVALIDITY")[1]
        validity = int(validity_data[0]) if validity_data and validity_data[0] else None
        if validity != mailbox.uid_validity:
            mailbox.uid_validity = validity
            mailbox.last_uid = 0
        status, data = client.uid("SEARCH", None, f"UID {mailbox.last_uid + 1}:*")
        _check(status, data, "UID SEARCH")
        uids = sorted(int(uid) for uid in (data[0] or b"").split() if int(uid) > mailbox.last_uid)
        for uid in uids[:batch_size]:
            status, fetched = client.uid("FETCH", str(uid), "(BODY.PEEK[])")
            _check(status, fetched, "UID FETCH")
            raw = next(
                (item[1] for item in fetched if isinstance(item, tuple) and len(item) > 1), None
            )
            if raw is None:
                raise imaplib.IMAP4.error(f"UID FETCH {uid} returned no message")
            result = inbound_email_ingest(
                raw=raw, mailbox=mailbox, source=f"imap:{mailbox.name}/{mailbox.folder}#{uid}"
            )
            results.append(result)
            client.uid("STORE", str(uid), "+FLAGS", "(\\Seen)")
            mailbox.last_uid = uid
            Mailbox.objects.filter(pk=mailbox.pk).update(
                last_uid=uid, uid_validity=mailbox.uid_validity
            )
        mailbox.last_polled_at = timezone.now()
        mailbox.last_error = ""
        mailbox.save(update_fields=["uid_validity", "last_uid", "last_polled_at", "last_error"])
    finally:
        try:
            client.logout()
        except (imaplib.IMAP4.error, OSError):
            logger.warning("imap.logout_failed", extra={"mailbox_id": mailbox.pk})
    logger.info("imap.polled", extra={"mailbox_id": mailbox.pk, "messages": len(results)})
    return results


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'
