from metrics.views import board, desk, sla

app_name = "metrics"
urlpatterns = [
    *board.urlpatterns,
    *desk.urlpatterns,
    *sla.urlpatterns,
]
