from rest_framework.routers import SimpleRouter

from feature_requests.api import views

app_name = "feature-requests-api"

router = SimpleRouter()
router.register("feature-requests", views.FeatureRequestViewSet, basename="feature-request")
urlpatterns = router.urls
