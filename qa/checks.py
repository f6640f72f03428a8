import re

from django.core.checks import Warning
from django.db import connections

UTF8_LOCALE = re.compile(r"\.utf-?8\b", re.IGNORECASE)


def check_search_locale(app_configs, databases=None, **kwargs):
    """Korean search uses its trigram indexes only where the database calls Hangul letters."""
    warnings = []
    for alias in databases or ():
        connection = connections[alias]
        if connection.vendor != "postgresql":
            continue
        with connection.cursor() as cursor:
            cursor.execute("SELECT datctype FROM pg_database WHERE datname = current_database()")
            (ctype,) = cursor.fetchone()
        if not UTF8_LOCALE.search(ctype):
            warnings.append(
                Warning(
                    f"Database '{alias}' has LC_CTYPE {ctype!r}: pg_trgm takes no trigrams "
                    "from Hangul, so Korean search reads every row instead of its index.",
                    hint="Create the database with a UTF-8 LC_CTYPE, for example "
                    "`createdb --template=template0 --encoding=UTF8 --lc-ctype=C.UTF-8 NAME`, "
                    "and reload the data into it. Results stay correct meanwhile, only slower.",
                    id="qa.W001",
                )
            )
    return warnings
