"""Database helpers shared by the apps: abstract models, bulk writes, paging ids first."""

from collections.abc import Callable

from django.core.paginator import Paginator
from django.db import connections, models, router
from django.db.models.sql.constants import LOUTER
from django.db.models.sql.datastructures import BaseTable
from django.utils.functional import cached_property
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


def commit_callback_queued(callback: Callable, *, using: str = "default") -> bool:
    """Whether `callback` waits for the current transaction's commit already: work done
    once per transaction, however many saves ask for it. Django keeps the queue in
    `connection.run_on_commit` (savepoint ids, function, robust); a callback dropped with a
    rolled-back savepoint is no longer in it."""
    return any(entry[1] is callback for entry in connections[using].run_on_commit)


def rows_by_ids_first(queryset, start: int, stop: int) -> list:
    """Rows `start:stop` of an ordered queryset, paged on its own table first.

    The page's ids are read with only the columns the order and the filters need (an index
    serves the order, no joined row is sorted: SQLite would otherwise sort every joined row
    of a million-ticket table), then the page's rows are read in full, with their joins and
    prefetches, and returned in the same order.
    """
    ids = list(queryset.values_list("pk", flat=True)[start:stop])
    if not ids:
        return []
    rows = {row.pk: row for row in queryset.order_by().filter(pk__in=ids)}
    return [rows[pk] for pk in ids if pk in rows]


def rows_count(queryset, *, limit: int | None = None) -> int:
    """How many rows `queryset` has (at most `limit + 1` when a limit is given).

    A queryset narrowed by one condition only, which can count its own rows
    (`count_alone(using, limit)`, say a full-text match counted in its index), is counted by it:
    checking each of 50,000 matches against the tickets table to count them cost most of
    a searched page at a million tickets. Any other queryset is counted by the database.
    """
    condition = _sole_condition(queryset.query)
    if condition is not None:
        return condition.count_alone(queryset.db, limit=limit)
    if limit is None:
        return queryset.count()
    return queryset.order_by().values("pk")[: limit + 1].count()


def _sole_condition(query):
    """The query's only condition if it can count its rows alone, else None: no join,
    grouping, distinct, slice or combination may change what it counts (the joins of
    `select_related`, many-to-one and kept when empty, do not)."""
    if (
        query.distinct
        or query.combinator
        or query.is_sliced
        or query.group_by is not None
        or query.extra
        or query.extra_tables
        or query.where.negated
        or len(query.where.children) != 1
        or not all(map(_keeps_rows, query.alias_map.values()))
    ):
        return None
    condition = query.where.children[0]
    return condition if hasattr(condition, "count_alone") else None


def _keeps_rows(table) -> bool:
    """A table of the FROM clause that neither repeats nor drops the base table's rows."""
    if isinstance(table, BaseTable):
        return True
    field = table.join_field
    if field.one_to_many or field.many_to_many:
        return False
    return table.join_type == LOUTER or not table.nullable


class IdsFirstPaginator(Paginator):
    """A paginator whose pages are read ids first (`rows_by_ids_first`); the admin, the API
    and the portal's ticket lists use it. Counts go through `rows_count`."""

    @cached_property
    def count(self) -> int:
        if not isinstance(self.object_list, models.QuerySet):
            return super().count
        return rows_count(self.object_list)

    def page(self, number):
        if not isinstance(self.object_list, models.QuerySet):
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(rows_by_ids_first(self.object_list, bottom, top), number, self)


class CappedCountPaginator(IdsFirstPaginator):
    """Pages read ids first, and a count that stops at `count_cap` matches.

    A back-office list is worked from its first pages; knowing that a filter matches
    370,000 tickets rather than "more than 10,000" is worth no one's wait, and counting
    them reads that many index entries on every page (a tenth of a second at a million
    tickets). The list says "more than 10,000" (`count_capped`) and pages through those.
    The API keeps exact counts (its clients may rely on them).
    """

    count_cap = 10_000

    @cached_property
    def count(self) -> int:
        if not isinstance(self.object_list, models.QuerySet):
            return super().count
        return rows_count(self.object_list, limit=self.count_cap)

    @property
    def count_capped(self) -> bool:
        return self.count > self.count_cap


class SearchCountPaginator(CappedCountPaginator):
    """A searched list's paginator: its count stops at 1,000 matches.

    A search matching more than a thousand tickets is one to narrow, and on PostgreSQL
    counting matches visits each one's document (a row per match; 10,000 of them cost
    25 ms more at a million tickets). The count is taken by the search's first query
    (search/postgres.py), so the cap is one more than it needs to read.
    """

    count_cap = 1_000
