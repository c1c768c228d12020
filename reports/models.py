"""No tables of its own: an unmanaged model gives the reports a place in the admin index."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Report(models.Model):
    """The admin's "Reports" entry; the reports themselves are computed from tickets and clocks."""

    class Meta:
        managed = False
        default_permissions = ()
        ordering = ["pk"]
        verbose_name = _("report")
        verbose_name_plural = _("SLA reports")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)
