from django.urls import path

from tickets import views

app_name = "tickets"

urlpatterns = [
    path("", views.home, name="home"),
    path("preferences/", views.preferences, name="preferences"),
    path("tickets/new/", views.ticket_new, name="new"),
    path("tickets/<str:reference>/", views.ticket_detail, name="detail"),
    path("tickets/<str:reference>/reply/", views.ticket_reply, name="reply"),
    path("tickets/<str:reference>/confirm/", views.ticket_confirm_resolved, name="confirm"),
    path("tickets/<str:reference>/reopen/", views.ticket_reopen, name="reopen"),
    path("tickets/<str:reference>/share/", views.ticket_share, name="share"),
]
