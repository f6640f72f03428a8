"""Operations shared by migrations (the leading underscore keeps Django from loading it as one)."""

from django.db import migrations


class RunSQLOnPostgreSQL(migrations.RunSQL):
    """RunSQL that other databases skip: for PostgreSQL's own index kinds, operators and
    triggers."""

    vendor = "postgresql"

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class RunSQLOnSQLite(RunSQLOnPostgreSQL):
    """RunSQL for SQLite alone: the same thing in its own dialect."""

    vendor = "sqlite"
