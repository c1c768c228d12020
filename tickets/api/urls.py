from rest_framework.routers import SimpleRouter

from tickets.api import views

app_name = "tickets-api"

router = SimpleRouter()
router.register("tickets", views.TicketViewSet, basename="ticket")
router.register("priority-levels", views.PriorityLevelViewSet, basename="priority-level")
urlpatterns = router.urls
