from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeatureRequestsConfig(AppConfig):
    name = "feature_requests"
    verbose_name = _("Feature requests")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from feature_requests.selectors import register_sqlite_fold

        connection_created.connect(register_sqlite_fold, dispatch_uid="feature_requests_fold")
