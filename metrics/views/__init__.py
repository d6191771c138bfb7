"""Views of the metrics app, one module per page or area; each exports ``urlpatterns``."""
