"""Queries every signed-in request or member page runs, compiled once instead of each time."""

from django.db import connections, router
from django.db.models.query import get_related_populators


class OneRowQuery:
    """A QuerySet's query for the row whose `field` is a given value, compiled once per
    database, run with each value as the QuerySet would: the compiler's converters,
    Model.from_db() and select_related()'s populators.

    For the lookups on every request: building and compiling a query took the ORM twice as
    long as running it and making the objects (docs/PERFORMANCE.md).
    """

    def __init__(self, queryset, field, sentinel):
        self._queryset = queryset  # a callable: models are not ready when this is made
        self._field = field
        # A value of the field's type, found again in the compiled SQL's parameters, where
        # each lookup's own value goes.
        self._sentinel = sentinel
        self._model = None
        self._compiled = {}

    def get(self, value):
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
        compiler = queryset.filter(**{field: sentinel}).query.get_compiler(queryset.db)
        # as_sql() also lays out the columns (select, klass_info), which get() reads.
        self.sql, params = compiler.as_sql()
        if list(params) != [sentinel]:
            raise ValueError(f"{queryset.model.__name__}: {field} alone, not {params}")
        self.compiler = compiler
        columns = compiler.klass_info["select_fields"]
        self.start, self.end = columns[0], columns[-1] + 1
        select = compiler.select
        self.names = [column[0].target.attname for column in select[self.start : self.end]]
        self.populators = get_related_populators(compiler.klass_info, select, queryset.db)
        self.model = queryset.model
        options = self.model._meta
        self.field = options.pk if field == "pk" else options.get_field(field)

    def get(self, alias, value):
        # As the ORM prepares a lookup's value: "7" for an id is 7.
        value = self.field.to_python(value)
        with connections[alias].cursor() as cursor:
            cursor.execute(self.sql, [value])
            rows = cursor.fetchmany(2)
        if len(rows) != 1:
            return None
        for row in self.compiler.results_iter([rows]):
            obj = self.model.from_db(alias, self.names, row[self.start : self.end])
            for populator in self.populators:
                populator.populate(row, obj)
            return obj
