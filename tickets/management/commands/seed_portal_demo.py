"""``manage.py seed_portal_demo``: client-portal and satisfaction demo data, after ``seed_demo``.

Idempotent (run it any number of times):

1. A second portal sign-in, ``client.zh@client.example`` (password ``SupportDesk-demo-2026``,
   interface and mail in Traditional Chinese, email verified), linked to its client record,
   with one open request answered by an agent (through the real services, so its mails are
   written and queued like any other).
2. Satisfaction ratings for about 40 % of the resolved and closed tickets that have none yet,
   drawn deterministically from the ticket id (mostly 4 and 5, a few low scores with comments).
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from teams.access import Role
from teams.demo import DEMO_PASSWORD
from teams.models import User
from tickets.models import Category, Client, SatisfactionRating, Ticket
from tickets.services.portal import portal_ticket_submit
from tickets.services.tickets import message_add_reply

PORTAL_ZH_EMAIL = "client.zh@client.example"
RATED_SHARE = 0.4
SCORES = (5, 5, 5, 5, 5, 5, 5, 5, 5, 4, 4, 4, 4, 4, 4, 3, 3, 2, 2, 1)
COMMENTS = {
    1: ("Took days and nobody called me back.", "等了幾天都沒有人回覆。"),
    2: ("The answer did not match my question.", "回覆與我的問題不太相關。"),
    3: ("Solved, but slowly.", ""),
    5: ("Quick and friendly, thank you!", "處理得又快又好，多謝！"),
}


class Command(BaseCommand):
    help = "Add portal sign-ins and satisfaction ratings to the demo desk (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            created = self._portal_client()
        rated = self._ratings()
        self.stdout.write(
            f"Portal demo: {PORTAL_ZH_EMAIL} {'created' if created else 'present'}; "
            f"{rated} satisfaction ratings added."
        )

    def _portal_client(self) -> bool:
        user = User.objects.filter(email=PORTAL_ZH_EMAIL).first()
        if user is not None:
            return False
        user = User.objects.create(
            email=PORTAL_ZH_EMAIL,
            full_name="陳美玲",
            language="zh-hant",
            time_zone="Asia/Hong_Kong",
            password=make_password(DEMO_PASSWORD),
        )
        user.groups.add(Group.objects.get(name=Role.CLIENT.value))
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        client, _created = Client.objects.get_or_create(
            email=PORTAL_ZH_EMAIL,
            defaults={"name": "陳美玲", "language": "zh-hant", "region": "HK"},
        )
        client.user = user
        client.save(update_fields=["user"])
        category = Category.objects.filter(is_active=True).order_by("position").first()
        if category is None:
            return True
        ticket = portal_ticket_submit(
            client=client,
            category=category,
            subject="手機應用程式無法顯示持倉",
            description="今日開市後，手機應用程式的持倉頁面一直空白，請協助。",
        )
        agent = User.objects.filter(email="agent.zh@supportdesk.example").first()
        if agent is not None and agent.memberships.filter(team=ticket.team).exists():
            message_add_reply(
                actor=agent,
                ticket=ticket,
                body="陳小姐您好，我們正在檢查您的帳戶，請先更新應用程式至最新版本再試。",
                set_status=Ticket.Status.PENDING_CLIENT,
            )
        return True

    def _ratings(self) -> int:
        candidates = (
            Ticket.objects.filter(resolved_at__isnull=False)
            .exclude(csat_ratings__isnull=False)
            .values_list("pk", "resolved_at", "language")
        )
        ratings = []
        for ticket_id, resolved_at, language in candidates.iterator(chunk_size=2000):
            rng = random.Random(ticket_id)  # noqa: S311 - demo data
            if rng.random() >= RATED_SHARE:
                continue
            score = rng.choice(SCORES)
            english, chinese = COMMENTS.get(score, ("", ""))
            comment = (chinese if language == "zh-hant" else english) if rng.random() < 0.5 else ""
            ratings.append(
                SatisfactionRating(
                    ticket_id=ticket_id,
                    resolved_at=resolved_at,
                    score=score,
                    comment=comment,
                    created_at=resolved_at + timedelta(minutes=rng.randint(5, 60 * 30)),
                )
            )
        SatisfactionRating.objects.bulk_create(ratings, ignore_conflicts=True, batch_size=2000)
        return len(ratings)
