"""``manage.py create_api_token --user EMAIL --scope read|write [--expires DAYS] [--name NAME]``:
issue a personal API token for automation and print it (the only time it can be read)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from supportdesk.errors import ApplicationError
from teams.models import User
from teams.services.api_tokens import api_token_create


class Command(BaseCommand):
    help = "Create a personal API token for a user and print it once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="the user's email address")
        parser.add_argument("--scope", required=True, choices=["read", "write"])
        parser.add_argument("--expires", type=int, help="days until it expires (default: never)")
        parser.add_argument("--name", default="Automation", help="a name to recognise it by")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email=options["user"].strip().lower()).first()
        if user is None:
            raise CommandError(f"No user with the email address {options['user']}.")
        try:
            issued = api_token_create(
                user=user,
                scope=options["scope"],
                name=options["name"],
                expires_in_days=options["expires"],
            )
        except ApplicationError as error:
            raise CommandError(str(error.message)) from error
        self.stdout.write(issued.secret)
