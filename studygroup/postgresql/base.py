"""Django's PostgreSQL backend, with test databases created under a chosen LC_CTYPE.

pg_trgm takes trigrams only from characters the database's LC_CTYPE calls letters, and under
"C" Hangul is none: Korean search stays correct but never uses its index. A test database
copies the server's default locale, and Django's TEST settings cannot name one for
PostgreSQL (TEST["COLLATION"] is MySQL's only), so TEST["LC_CTYPE"] is read here.
"""

from django.db.backends.postgresql import base, creation


class DatabaseCreation(creation.DatabaseCreation):
    def sql_table_creation_suffix(self):
        suffix = super().sql_table_creation_suffix()
        ctype = self.connection.settings_dict["TEST"].get("LC_CTYPE")
        if not ctype:
            return suffix
        # A locale other than template1's needs TEMPLATE template0 (set next to LC_CTYPE).
        literal = "'{}'".format(ctype.replace("'", "''"))
        return f"{suffix or 'WITH'} LC_CTYPE {literal}"


class DatabaseWrapper(base.DatabaseWrapper):
    creation_class = DatabaseCreation
