# Search over the plain text readers see: a stored copy for questions and answers, filled for
# existing rows, and on PostgreSQL pg_trgm with GIN trigram indexes, so that substring search
# (UPPER(search_text) LIKE '%term%', what `icontains` sends) reads an index instead of the
# whole table. SQLite gets the fields only and searches by scanning.

from html.parser import HTMLParser

from django.contrib.postgres.operations import TrigramExtension as DjangoTrigramExtension
from django.db import migrations, models

from qa.migrations._operations import RunSQLOnPostgreSQL

INDEXES = [
    ("qa_question_search_trgm", "qa_question"),
    ("qa_answer_search_trgm", "qa_answer"),
]


class TrigramExtension(DjangoTrigramExtension):
    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        # Django checks the database vendor going forwards only.
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


# A frozen copy of qa.markdown.plain_text() as it was when this migration was written: a
# migration must fill the same values however the live code changes later (`rebuild_derived`
# brings them up to date).
BLOCK_TAGS = {
    "blockquote", "br", "dd", "details", "div", "dl", "dt", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "li", "ol", "p", "pre", "summary", "table", "tbody", "td", "tfoot", "th",
    "thead", "tr", "ul",
}  # fmt: skip


class TextCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_starttag(self, tag, attrs):
        if tag in BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data):
        self.parts.append(data)


def plain_text(rendered):
    collector = TextCollector()
    collector.feed(rendered)
    collector.close()
    return " ".join("".join(collector.parts).split())


def fill_search_text(apps, schema_editor):
    for model_name, html_field in [("Question", "text_html"), ("Answer", "body_html")]:
        model = apps.get_model("qa", model_name)
        batch = []
        for row in model.objects.only("pk", html_field).iterator(chunk_size=500):
            row.search_text = plain_text(getattr(row, html_field))
            batch.append(row)
            if len(batch) == 500:
                model.objects.bulk_update(batch, ["search_text"])
                batch = []
        model.objects.bulk_update(batch, ["search_text"])


class Migration(migrations.Migration):

    dependencies = [
        ("qa", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="question",
            name="search_text",
            field=models.TextField(default="", editable=False),
        ),
        migrations.AddField(
            model_name="answer",
            name="search_text",
            field=models.TextField(default="", editable=False),
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop, elidable=True),
        TrigramExtension(),
        RunSQLOnPostgreSQL(
            sql=[
                f"CREATE INDEX {name} ON {table} USING gin (UPPER(search_text) gin_trgm_ops)"
                for name, table in INDEXES
            ],
            reverse_sql=[f"DROP INDEX {name}" for name, _table in INDEXES],
        ),
    ]
