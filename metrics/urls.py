from metrics.views import board, dashboards, reports, sla, trends

app_name = "metrics"
urlpatterns = [
    *board.urlpatterns,
    *dashboards.urlpatterns,
    *trends.urlpatterns,
    *reports.urlpatterns,
    *sla.urlpatterns,
]
