"""Views of the tickets app, one module per area; each module has its own ``urlpatterns``."""
