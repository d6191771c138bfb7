from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from supportdesk import views
from teams import views_api_tokens
from teams.views import LoginView

handler400 = "supportdesk.views.bad_request"
handler403 = "supportdesk.views.permission_denied"
handler404 = "supportdesk.views.page_not_found"
handler500 = "supportdesk.views.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("preferences/", views.preferences, name="preferences"),
    path("preferences/language/", views.set_language, name="set_language"),
    path("administration/", views.administration, name="administration"),
    path("no-role/", views.no_role, name="no_role"),
    path("accounts/login/", LoginView.as_view(), name="account_login"),
    path("accounts/", include("allauth.urls")),
    path("tickets/", include("tickets.urls")),
    path("teams/", include("teams.urls")),
    path("metrics/", include("metrics.urls")),
    path("django-admin/", admin.site.urls),
    *views_api_tokens.urlpatterns,
    path("api/v1/", include("supportdesk.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api_schema"), name="api_redoc"),
]
