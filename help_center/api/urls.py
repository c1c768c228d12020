from rest_framework.routers import SimpleRouter

from help_center.api import views

app_name = "help-center-api"

router = SimpleRouter()
router.register("help-center/articles", views.ArticleViewSet, basename="article")
urlpatterns = router.urls
