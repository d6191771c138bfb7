"""``manage.py bench_ingest``: email ingestion throughput (``make bench`` reports it).

1. Writes a directory of N mixed messages (default 10,000) as ``.eml`` files: new requests in
   UTF-8, Big5, GB2312 and HTML-only, replies threaded by In-Reply-To and by ``[SD-…]`` in the
   subject, messages with a small PDF attachment, auto-replies, and exact duplicates; 2,000
   distinct senders, so the per-sender flood limit is not what is measured.
2. Ingests the directory with ``--workers`` ``manage.py ingest_email --json`` processes (each
   message committed on its own), each taking whole senders (a sender's mail stays in order);
   the time includes their start-up.
3. Prints messages per second and the outcome counts, then deletes what it created (tickets,
   clients, emails of its own mailbox) unless ``--keep``.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from teams.models import Team
from tickets.models import Attachment, Category, Client, InboundEmail, Mailbox, Ticket

SENDERS = 2000
MANAGE = Path(settings.BASE_DIR) / "manage.py"
MAILBOX_NAME = "bench-ingest"
PDF = b"%PDF-1.4\n" + b"0" * 20_000 + b"\n%%EOF\n"


KINDS = ["new", "big5", "gb", "html", "reply_id", "reply_subject", "attachment", "auto", "dup"]
WEIGHTS = [30, 10, 5, 5, 20, 10, 10, 5, 5]


def _message(index: int, sender: int, kind: str) -> bytes:
    message = EmailMessage()
    message["From"] = f"Client {sender} <bench.client{sender}@bench.example>"
    message["To"] = "support@bench.example"
    message["Message-ID"] = f"<bench-{index}@bench.example>"
    subject = f"Order {index} not filled"
    body = f"Hello,\nmy order {index} was not filled. Account HK{sender:08d}.\nThanks"
    if kind == "big5":
        subject = f"訂單 {index} 未成交"
        message.set_content(f"你好，我的訂單 {index} 未成交，唔該幫忙睇下。", charset="big5")
    elif kind == "gb":
        subject = f"订单 {index} 未成交"
        message.set_content(f"您好，我的订单 {index} 未成交。", charset="gb2312")
    elif kind == "html":
        message.set_content(f"<p>Hello,</p><p>order <b>{index}</b> stuck.</p>", subtype="html")
    elif kind == "reply_id":
        # Answers the sender's previous message (threaded by In-Reply-To when it made a ticket).
        message["In-Reply-To"] = f"<bench-prev-{sender}@bench.example>"
        subject = "Re: my order"
        message.set_content(f"Any news?\n\nOn Monday, Support wrote:\n> {body}")
    elif kind == "reply_subject":
        subject = f"RE: [SD-{sender:06d}] order"
        message.set_content("Still waiting.")
    elif kind == "attachment":
        message.set_content(body)
        message.add_attachment(PDF, maintype="application", subtype="pdf", filename="stmt.pdf")
    elif kind == "auto":
        message["Auto-Submitted"] = "auto-replied"
        subject = "Out of office"
        message.set_content("I am away.")
    else:
        message.set_content(body)
    message["Subject"] = subject
    if kind == "dup":
        del message["Message-ID"]
        message["Message-ID"] = f"<bench-prev-{sender}@bench.example>"
    return message.as_bytes()


def write_messages(folder: Path, count: int, seed: int = 2026, senders: int = SENDERS) -> None:
    """``count`` messages in per-sender sub-folders: ``<sender>/<n>.eml``."""
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    first_seen: set[int] = set()
    for index in range(count):
        sender = rng.randrange(senders)
        kind = rng.choices(KINDS, weights=WEIGHTS)[0]
        raw = _message(index, sender, kind)
        if sender not in first_seen:
            # The first mail of each sender is a new request with a known Message-ID, so that
            # later replies and duplicates have something to refer to.
            first_seen.add(sender)
            if kind in ("reply_id", "dup", "auto"):
                raw = _message(index, sender, "new")
            raw = raw.replace(
                f"<bench-{index}@bench.example>".encode(),
                f"<bench-prev-{sender}@bench.example>".encode(),
            )
        directory = folder / f"{sender:04d}"
        directory.mkdir(exist_ok=True)
        (directory / f"{index:06d}.eml").write_bytes(raw)


def _run_workers(shares: list[list[str]]) -> dict[str, int]:
    """One ``manage.py ingest_email --json`` process per share of sender folders."""
    processes = [
        subprocess.Popen(  # noqa: S603 - our own manage.py with our own arguments
            [
                sys.executable,
                str(MANAGE),
                "ingest_email",
                "--json",
                "--mailbox",
                MAILBOX_NAME,
                *share,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        for share in shares
        if share
    ]
    counts: dict[str, int] = {}
    for process in processes:
        output, _ = process.communicate()
        for line in output.decode().splitlines():
            outcome = json.loads(line)["outcome"]
            counts[outcome] = counts.get(outcome, 0) + 1
    return counts


class Command(BaseCommand):
    help = "Measure email ingestion throughput on a directory of generated mixed messages."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--messages", type=int, default=10_000)
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--keep", action="store_true", help="keep the created tickets")

    def handle(self, *args: Any, **options: Any) -> None:
        team = Team.objects.order_by("pk").first()
        category = Category.objects.filter(is_active=True).order_by("pk").first()
        if team is None or category is None:
            self.stdout.write("bench_ingest: no team or category (seed the desk first)")
            return
        self._cleanup()  # what an interrupted earlier run left behind
        Mailbox.objects.create(
            name=MAILBOX_NAME,
            email_address="support@bench.example",
            host="localhost",
            username="bench",
            team=team,
            category=category,
            is_active=False,
        )
        last_ticket = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        last_client = Client.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        folder = Path(tempfile.mkdtemp(prefix="sd-bench-ingest-"))
        try:
            write_messages(folder, options["messages"])
            senders = sorted(str(path) for path in folder.iterdir())
            workers = max(1, options["workers"])
            started = time.perf_counter()
            counts = _run_workers([senders[n::workers] for n in range(workers)])
            elapsed = time.perf_counter() - started
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        total = sum(counts.values())
        rate = total / elapsed if elapsed else 0.0
        summary = ", ".join(f"{count:,} {outcome}" for outcome, count in sorted(counts.items()))
        self.stdout.write(
            f"Email ingestion: {total:,} mixed messages in {elapsed:.1f} s with {workers} "
            f"worker process(es) = {rate:.0f} msgs/s (target ≥ 100/s) — {summary}"
        )
        if not options["keep"]:
            self._cleanup(last_ticket=last_ticket, last_client=last_client)

    def _cleanup(self, last_ticket: int | None = None, last_client: int | None = None) -> None:
        with transaction.atomic():
            mailbox = Mailbox.objects.filter(name=MAILBOX_NAME).first()
            if mailbox is None:
                return
            ticket_ids = list(
                InboundEmail.objects.filter(mailbox=mailbox, ticket__isnull=False).values_list(
                    "ticket_id", flat=True
                )
            )
            InboundEmail.objects.filter(mailbox=mailbox).delete()
            tickets = Ticket.objects.filter(pk__in=list(ticket_ids))
            if last_ticket is not None:
                tickets = tickets.filter(pk__gt=last_ticket)
            for attachment in Attachment.objects.filter(message__ticket__in=tickets):
                attachment.file.delete(save=False)
            tickets.delete()
            Client.objects.filter(email__endswith="@bench.example", tickets__isnull=True).delete()
            mailbox.delete()
