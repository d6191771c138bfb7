from metrics.views import board, desk

app_name = "metrics"
urlpatterns = [
    *board.urlpatterns,
    *desk.urlpatterns,
]
