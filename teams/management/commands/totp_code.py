"""``manage.py totp_code EMAIL``: print the user's current TOTP code (for demos and tests)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from teams.demo import totp_code_now, totp_secret_of
from teams.models import User


class Command(BaseCommand):
    help = "Print the current 6-digit TOTP code of a user's authenticator (demo accounts)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="The user's email address.")

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["email"].strip().lower()
        user = User.objects.filter(email=email).first()
        if user is None:
            raise CommandError(f"No user with email address {email!r}.")
        secret = totp_secret_of(user)
        if secret is None:
            raise CommandError(
                f"{email} has no TOTP authenticator (two-factor authentication is not set up)."
            )
        code, _seconds_left = totp_code_now(secret)
        self.stdout.write(code)
