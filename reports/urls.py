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
    path(
        "statement/<slug:organization>/<int:year>-<int:month>.csv",
        views.statement_csv,
        name="statement_csv",
    ),
    path(
        "statement/<slug:organization>/<int:year>-<int:month>.pdf",
        views.statement_pdf,
        name="statement_pdf",
    ),
]
