"""Queries nearly every request runs: compiled once instead of each time, and on PostgreSQL
prepared once per connection instead of parsed and planned each time."""

from django.db import connections, router
from django.db.models import IntegerField
from django.db.models.query import get_related_populators


def fetch(alias, sql, params, size):
    """At most `size` rows of `sql`, a statement nearly every request runs.

    On PostgreSQL the statement is bound on the server, so psycopg prepares it once it has
    run prepare_threshold times on a connection (settings.py), and from then on it is only
    bound and executed: for a board's round, planning took the server three times as long as
    running it (docs/PERFORMANCE.md, "Fifth step"). Not on first use: preparing costs a
    round trip of its own, which a connection used for one request would pay every time.
    It goes through Django's cursor, so it is counted and logged like every query.
    """
    connection = connections[alias]
    postgresql = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgresql:
            _bind_on_server(cursor)
        cursor.execute(sql, params)
        if postgresql and connection.queries_logged:
            # Django logs the text psycopg ran, which a prepared statement leaves empty.
            connection.queries_log[-1]["sql"] = connection.ops.compose_sql(sql, params)
        return cursor.fetchmany(size)


def _bind_on_server(wrapper):
    """Swap the plain cursor inside Django's wrapper for one binding on the server.

    Django's cursors bind parameters on the client, which psycopg never prepares: Django's
    default, kept for every other query, as not all of the ORM's SQL can be prepared.
    """
    from django.db.backends.postgresql.base import ServerBindingCursor

    plain = wrapper.cursor
    wrapper.cursor = ServerBindingCursor(plain.connection)
    plain.close()


class OneRowQuery:
    """A QuerySet's query for its one row, compiled once per database and run with each
    value of `field` (or, without a field, as it is) as the QuerySet would run it: the
    compiler's converters, Model.from_db(), select_related()'s populators and annotations.

    For the lookups on nearly every request: building and compiling a query took the ORM
    twice as long as running it and making the objects (docs/PERFORMANCE.md).
    """

    def __init__(self, queryset, field=None, sentinel=None):
        self._queryset = queryset  # a callable: models are not ready when this is made
        self._field = field
        # A value of the field's type that no other parameter of the query has: found again
        # among the compiled SQL's parameters, it marks where each lookup's own value goes.
        self._sentinel = sentinel
        self._model = None
        self._compiled = {}

    def get(self, value=None):
        """The row's object, with what the QuerySet selects related cached on it; or None."""
        if self._model is None:
            self._model = self._queryset().model
        alias = router.db_for_read(self._model)
        compiled = self._compiled.get(alias)
        if compiled is None:
            queryset = self._queryset().using(alias)
            compiled = self._compiled[alias] = _Compiled(queryset, self._field, self._sentinel)
        return compiled.get(alias, value)


class _Compiled:
    def __init__(self, queryset, field, sentinel):
        queryset = queryset.order_by()  # one row: nothing to sort
        if field is not None:
            queryset = queryset.filter(**{field: sentinel})
        compiler = queryset.query.get_compiler(queryset.db)
        # as_sql() also lays out the columns (select, klass_info), which get() reads.
        self.sql, params = compiler.as_sql()
        self.params = list(params)
        self.slot = None
        if field is not None:
            slots = [
                i
                for i, param in enumerate(self.params)
                if not isinstance(param, bool) and param == sentinel
            ]
            if len(slots) != 1:
                raise ValueError(f"{sentinel!r} is not one of {self.params} once")
            self.slot = slots[0]
            self.field = _field(queryset.model, field)
            self.range = None
            if isinstance(self.field, IntegerField):
                kind = self.field.get_internal_type()
                self.range = connections[queryset.db].ops.integer_field_range(kind)
        self.compiler = compiler
        columns = compiler.klass_info["select_fields"]
        self.start, self.end = columns[0], columns[-1] + 1
        select = compiler.select
        self.names = [column[0].target.attname for column in select[self.start : self.end]]
        self.populators = get_related_populators(compiler.klass_info, select, queryset.db)
        self.annotations = list(compiler.annotation_col_map.items())
        self.model = queryset.model
        # What results_iter() would work out on every call (a third of a lookup's CPU).
        self.converters = compiler.get_converters([c[0] for c in select[: compiler.col_count]])

    def get(self, alias, value):
        params = self.params
        if self.slot is not None:
            params = params.copy()
            # As the ORM prepares a lookup's value: "7" for an id is 7, of the column's type,
            # and a number out of the column's range matches nothing.
            value = self.field.to_python(value)
            if self.range and not (self.range[0] <= value <= self.range[1]):
                return None
            params[self.slot] = self.field.get_db_prep_value(value, connections[alias])
        rows = fetch(alias, self.sql, params, 2)
        if len(rows) != 1:
            return None
        (row,) = self.compiler.apply_converters(rows, self.converters) if self.converters else rows
        obj = self.model.from_db(alias, self.names, row[self.start : self.end])
        for populator in self.populators:
            populator.populate(row, obj)
        for name, position in self.annotations:
            setattr(obj, name, row[position])
        return obj


def _field(model, path):
    """The field at the end of a lookup's path, such as "questions__pk"."""
    *relations, name = path.split("__")
    for relation in relations:
        model = model._meta.get_field(relation).related_model
    return model._meta.pk if name == "pk" else model._meta.get_field(name)
