from django.urls import path

from satisfaction import views

app_name = "satisfaction"

urlpatterns = [
    path("answer/<str:token>/", views.answer, name="answer"),
    path("tickets/<str:reference>/rate/", views.rate, name="rate"),
]
