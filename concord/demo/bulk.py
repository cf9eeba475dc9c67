"""Fast inserts for seeding: COPY (PostgreSQL) or `executemany` over plain dicts.

A seeded year is about a million rows. `bulk_create` builds a model instance per row and
compiles SQL per batch (on SQLite, batches of 999 parameters): some 100 µs a row, most of a
100,000-case run. Here a row is a dict of attnames; each value goes through the backend's own
adapter where the database needs a conversion (dates, decimals, JSON, encrypted fields), so what
is stored is what the ORM would have stored. Unlike the ORM, `auto_now` fields take the value
given, which is the point: seeded rows keep their story's times.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import connections, models, router
from django.db.backends.base.base import BaseDatabaseWrapper

# Field types whose Python values every backend stores as they are.
_PLAIN = (
    models.CharField,
    models.SlugField,
    models.TextField,
    models.IntegerField,
    models.PositiveIntegerField,
    models.BigIntegerField,
    models.FloatField,
    models.BooleanField,
    models.ForeignKey,
)


class Table:
    """INSERT rows of one model. A row may leave out fields with a default (a callable default
    is evaluated once, when the table is set up)."""

    def __init__(self, model: type[models.Model]) -> None:
        # Connections belong to threads: resolve the alias's connection at each insert.
        self.alias = router.db_for_write(model)
        connection = connections[self.alias]
        self.fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in self.fields)
        marks = ", ".join(["%s"] * len(self.fields))
        self.table = quote(model._meta.db_table)
        self.sql = f"INSERT INTO {self.table} ({columns}) VALUES ({marks})"
        # PostgreSQL loads fastest through COPY (psycopg 3 adapts the same values for it).
        self.copy = connection.vendor == "postgresql"
        self.copy_sql = f"COPY {self.table} ({columns}) FROM STDIN"
        # Exact types only: a subclass (EncryptedTextField) converts its values.
        self.prepare: list[Callable | None] = [
            None if type(f) in _PLAIN else _converter(f, connection) for f in self.fields
        ]
        defaults = [f.get_default() for f in self.fields]
        self.spec = [
            (f.attname, prepare, default)
            for f, prepare, default in zip(self.fields, self.prepare, defaults, strict=True)
        ]

    def insert(self, rows: Iterable[dict]) -> None:
        spec = self.spec
        params = [
            tuple(
                prepare(row.get(name, default)) if prepare else row.get(name, default)
                for name, prepare, default in spec
            )
            for row in rows
        ]
        if not params:
            return
        with connections[self.alias].cursor() as cursor:
            if self.copy:
                with cursor.copy(self.copy_sql) as copy:
                    for row in params:
                        copy.write_row(row)
            else:
                cursor.executemany(self.sql, params)

    def analyze(self) -> None:
        """Refresh the planner's statistics, which a bulk load leaves stale on both backends."""
        with connections[self.alias].cursor() as cursor:
            cursor.execute(f"ANALYZE {self.table}")


def _converter(field: models.Field, connection: BaseDatabaseWrapper) -> Callable:
    """The backend's own adapter for a field, without the checks a form value would need.
    Adapters convert values only: they run no queries, so any thread may use them."""
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.JSONField):
        return lambda value: ops.adapt_json_value(value, field.encoder)
    if isinstance(field, models.DecimalField):
        digits, places = field.max_digits, field.decimal_places
        return lambda value: ops.adapt_decimalfield_value(value, digits, places)
    return lambda value: field.get_db_prep_save(value, connection)
