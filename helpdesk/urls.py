from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from sla import views as sla_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/sla/", include("sla.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("", include("communications.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("agreement/", sla_views.agreement, name="agreement"),
    path("", include("tickets.urls")),
]
