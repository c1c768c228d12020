from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("statement/", views.statement_pick, name="statement_pick"),
    path(
        "statement/<slug:organization>/<int:year>-<int:month>/",
        views.statement,
        name="statement",
    ),
]
