"""``manage.py demo_logins``: print the demo sign-ins, with TOTP secrets and current codes."""

from typing import Any

from django.core.management.base import BaseCommand

from teams.demo import DEMO_LOGINS, DEMO_PASSWORD, totp_code_now, totp_secret_of
from teams.models import User


class Command(BaseCommand):
    help = (
        "List the demo sign-ins created by seed_demo: role, email, password and, for accounts "
        "with two-factor authentication, the TOTP secret and the current code."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        users = User.objects.in_bulk([login.email for login in DEMO_LOGINS], field_name="email")
        if not users:
            self.stdout.write(
                "No demo sign-ins in this database. Load the demo desk with "
                "`python manage.py seed_demo`."
            )
            return
        write = self.stdout.write
        write(self.style.MIGRATE_HEADING("SupportDesk demo sign-ins"))
        write(f"Password for every account below: {DEMO_PASSWORD}")
        write("")
        needs_totp = False
        for login in DEMO_LOGINS:
            user = users.get(login.email)
            if user is None:
                continue
            write(f"  {login.role:<14} {login.email:<34} {DEMO_PASSWORD}")
            write(f"  {'':<14} {user.full_name} — {login.description}")
            secret = totp_secret_of(user)
            if secret:
                needs_totp = True
                code, seconds_left = totp_code_now(secret)
                write(f"  {'':<14} TOTP secret {secret}")
                write(f"  {'':<14} current code {code} (valid for {seconds_left} more s)")
            write("")
        if needs_totp:
            write("Accounts with a TOTP secret ask for a 6-digit code after the password.")
            write("  Fresh code:  python manage.py totp_code EMAIL")
            write("  Or add the secret to an authenticator app as a setup key (time-based).")
