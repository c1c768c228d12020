from django.urls import path

from sla.api import views

app_name = "sla-api"

urlpatterns = [
    path("preview/", views.DeadlinePreviewView.as_view(), name="preview"),
    path("policy/", views.ActivePolicyView.as_view(), name="policy"),
]
