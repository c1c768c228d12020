from django.urls import path

from communications import views

app_name = "communications"

urlpatterns = [
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
]
