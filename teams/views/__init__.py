"""Views of the teams app, one module per area."""

from teams.views.accounts import LoginView

__all__ = ["LoginView"]
