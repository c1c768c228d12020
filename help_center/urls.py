from django.contrib.sitemaps.views import sitemap
from django.urls import path

from help_center import views
from help_center.sitemaps import SITEMAPS

app_name = "help_center"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("suggestions/", views.suggestions, name="suggestions"),
    path("suggestions/<uuid:token>/solved/", views.deflection_solved, name="solved"),
    path("images/<int:article>/<str:filename>", views.image, name="image"),
    path("preview/<int:pk>/<str:language>/", views.preview, name="preview"),
    path("<slug:slug>/", views.category, name="category"),
    path("<str:language>/<slug:slug>/", views.article, name="article"),
    path("<str:language>/<slug:slug>/feedback/", views.feedback, name="feedback"),
]
