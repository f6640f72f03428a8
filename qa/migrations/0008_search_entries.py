# Search reads a narrow copy of every question's and answer's text (SearchEntry), indexed on
# PostgreSQL by GIN over its grams: one- and two-letter Korean words included, which
# the trigram indexes of 0002 could not serve. Those indexes are dropped; nothing reads them.

import django.db.models.deletion
from django.db import migrations, models

from qa.migrations._operations import RunSQLOnPostgreSQL

TRIGRAM_INDEXES = [
    ("qa_question_search_trgm", "qa_question"),
    ("qa_answer_search_trgm", "qa_answer"),
]


# Frozen copies of qa.models.search_entries' functions as they were when this migration was
# written: a migration must fill the same values however the live code changes later
# (`rebuild_derived` brings them up to date).
def fold(text):
    return " ".join(text.casefold().split())


def text_grams(folded):
    pieces = set(folded)
    pieces.update(map("".join, zip(folded, folded[1:])))
    return " ".join(sorted(piece for piece in pieces if " " not in piece))


def fill_entries(apps, schema_editor):
    # Numbered in the order the texts were written, questions and answers together.
    SearchEntry = apps.get_model("qa", "SearchEntry")
    models_by_kind = {
        "question": apps.get_model("qa", "Question"),
        "answer": apps.get_model("qa", "Answer"),
    }
    order = sorted(
        (created, kind, pk)
        for kind, model in models_by_kind.items()
        for created, pk in model.objects.values_list("created", "pk")
    )
    for start in range(0, len(order), 500):
        chunk = order[start : start + 500]
        rows = {
            kind: model.objects.only("round_id", "author_id", "search_text").in_bulk(
                [pk for _created, k, pk in chunk if k == kind]
            )
            for kind, model in models_by_kind.items()
        }
        entries = []
        for _created, kind, pk in chunk:
            row = rows[kind][pk]
            text = fold(row.search_text)
            entries.append(
                SearchEntry(
                    round_id=row.round_id,
                    author_id=row.author_id,
                    text=text,
                    grams=text_grams(text),
                    **{f"{kind}_id": pk},
                )
            )
        SearchEntry.objects.bulk_create(entries)


class Migration(migrations.Migration):
    dependencies = [
        ("qa", "0007_answer_round_required"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchEntry",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("text", models.TextField()),
                ("grams", models.TextField()),
                (
                    "answer",
                    models.OneToOneField(
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="search_entry",
                        to="qa.answer",
                    ),
                ),
                (
                    "author",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="qa.member",
                    ),
                ),
                (
                    "question",
                    models.OneToOneField(
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="search_entry",
                        to="qa.question",
                    ),
                ),
                (
                    "round",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="qa.round",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("answer__isnull", True), ("question__isnull", False)),
                            models.Q(("answer__isnull", False), ("question__isnull", True)),
                            _connector="OR",
                        ),
                        name="qa_searchentry_question_or_answer",
                    )
                ],
            },
        ),
        RunSQLOnPostgreSQL(
            # An answer's text and grams would stay inline up to 2 KB a row; moved out of line,
            # a search reading 40,000 candidates reads a third of the pages.
            sql="ALTER TABLE qa_searchentry SET (toast_tuple_target = 128)",
            reverse_sql=migrations.RunSQL.noop,
        ),
        migrations.RunPython(fill_entries, migrations.RunPython.noop, elidable=True),
        RunSQLOnPostgreSQL(
            # string_to_array() in a function the planner knows to be costly: it is, for a row
            # whose grams must be fetched out of line. Believing it cheap, the planner walked
            # the primary key testing 20,000 rows (0.5 s) instead of reading the GIN index.
            # PL/pgSQL, since an SQL function would be inlined and lose its cost; the lookup
            # `contains_all` writes the same expression.
            sql=[
                "CREATE FUNCTION qa_grams(grams text) RETURNS text[]"
                " LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE COST 1000"
                " AS $$ BEGIN RETURN string_to_array(grams, ' '); END $$",
                # A short pending list: every search reads it whole until inserts or vacuum
                # merge it into the index.
                "CREATE INDEX qa_searchentry_grams ON qa_searchentry"
                " USING gin (qa_grams(grams)) WITH (gin_pending_list_limit = 512)",
            ],
            reverse_sql=["DROP INDEX qa_searchentry_grams", "DROP FUNCTION qa_grams(text)"],
        ),
        RunSQLOnPostgreSQL(
            sql=[f"DROP INDEX {name}" for name, _table in TRIGRAM_INDEXES],
            reverse_sql=[
                f"CREATE INDEX {name} ON {table} USING gin (UPPER(search_text) gin_trgm_ops)"
                for name, table in TRIGRAM_INDEXES
            ],
        ),
    ]
