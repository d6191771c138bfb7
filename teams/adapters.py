from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    """Staff accounts are created by administrators; nobody signs up on the sign-in page.
    (Clients register through the client portal, which has its own flow.)"""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False
