from django.urls import path

from feature_requests import views

app_name = "feature_requests"

urlpatterns = [
    path("", views.board, name="board"),
    path("new/", views.feature_request_new, name="new"),
    path("similar/", views.similar, name="similar"),
    path("notices/", views.notices, name="notices"),
    path("unsubscribe/<str:token>/", views.unsubscribe_link, name="unsubscribe"),
    path("<int:pk>/", views.feature_request_detail, name="detail"),
    path("<int:pk>/vote/", views.vote, name="vote"),
    path("<int:pk>/unvote/", views.unvote, name="unvote"),
    path("<int:pk>/subscribe/", views.subscribe, name="subscribe"),
    path("<int:pk>/unsubscribe/", views.unsubscribe, name="unfollow"),
    path("<int:pk>/comment/", views.comment, name="comment"),
]
