from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from sla import views as sla_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/sla/", include("sla.api.urls")),
    path("api/reports/", include("reports.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include("tickets.api.urls")),
    path("api/", include("feature_requests.api.urls")),
    path("api/", include("help_center.api.urls")),
    path("account/tokens/", include("accounts.urls")),
    path("feature-requests/", include("feature_requests.urls")),
    path("", include("communications.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("agreement/", sla_views.agreement, name="agreement"),
    path("reports/", include("reports.urls")),
    path("satisfaction/", include("satisfaction.urls")),
    path("help/", include("help_center.urls")),
    path("", include("tickets.urls")),
]

# Under /api/ errors answer in the API's JSON shape; elsewhere Django's HTML pages.
handler400 = "helpdesk.api_errors.bad_request"
handler403 = "helpdesk.api_errors.permission_denied"
handler404 = "helpdesk.api_errors.page_not_found"
handler500 = "helpdesk.api_errors.server_error"
