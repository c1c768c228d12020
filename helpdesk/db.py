"""Abstract models shared by the apps."""

from django.db import connections, models, router
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Creation and last-change instants (UTC) of a row."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


def bulk_update_rows(objs, fields: list[str], *, batch_size: int = 1000) -> int:
    """UPDATE many rows, one parameterised statement run with executemany.

    Django's `bulk_update` builds a CASE expression per field whose size grows with the
    batch, which costs seconds per ten thousand rows; a prepared UPDATE per row sent with
    executemany stays linear on SQLite and is pipelined by psycopg on PostgreSQL. Values go
    through each field's own database preparation, so durations and datetimes are stored
    exactly as `save()` would store them. Sends no signals, like `bulk_update`.
    """
    objs = list(objs)
    if not objs:
        return 0
    model = type(objs[0])
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in columns)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"
    with connection.cursor() as cursor:
        for start in range(0, len(objs), batch_size):
            cursor.executemany(
                sql,
                [
                    [
                        field.get_db_prep_save(getattr(obj, field.attname), connection)
                        for field in columns
                    ]
                    + [obj.pk]
                    for obj in objs[start : start + batch_size]
                ],
            )
    return len(objs)
