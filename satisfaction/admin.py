from django.contrib import admin

from satisfaction.models import Rating


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    """Ratings are the customer's words: read here, never edited."""

    list_display = ["ticket", "score", "rated_at", "rated_by"]
    list_filter = ["score"]
    list_select_related = ["ticket", "rated_by"]
    search_fields = ["ticket__reference", "comment"]
    date_hierarchy = "rated_at"
    fields = ["ticket", "survey", "score", "comment", "rated_at", "rated_by"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
