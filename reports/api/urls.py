from django.urls import path

from reports.api import views

app_name = "reports-api"

urlpatterns = [
    path("compliance/", views.ComplianceReportView.as_view(), name="compliance"),
    path("backlog/", views.BacklogReportView.as_view(), name="backlog"),
]
