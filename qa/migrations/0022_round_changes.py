from django.db import migrations, models

from ._operations import RunSQLOnPostgreSQL, RunSQLOnSQLite

# Every statement that writes rounds adds a RoundChange in its own transaction, whatever runs
# it (qa.models.rounds.RoundChange). SQLite has no statement triggers: one per row there.
# SQLite drops a table's triggers when a migration rebuilds the table, so a later migration
# altering qa_round there must create them again; test_history.py fails until it does.
POSTGRESQL = """
CREATE FUNCTION qa_round_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO qa_roundchange (weight) VALUES (1);
    RETURN NULL;
END
$$;
CREATE TRIGGER qa_round_changed AFTER INSERT OR UPDATE OR DELETE ON qa_round
    FOR EACH STATEMENT EXECUTE FUNCTION qa_round_changed();
"""
SQLITE = [
    f"CREATE TRIGGER qa_round_{event.lower()}d AFTER {event} ON qa_round "
    "BEGIN INSERT INTO qa_roundchange (weight) VALUES (1); END"
    for event in ("INSERT", "UPDATE", "DELETE")
]


class Migration(migrations.Migration):
    dependencies = [
        ("qa", "0021_news_revision"),
    ]

    operations = [
        migrations.CreateModel(
            name="RoundChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("weight", models.PositiveBigIntegerField(default=1)),
            ],
            options={
                "verbose_name": "change to rounds",
                "verbose_name_plural": "changes to rounds",
            },
        ),
        RunSQLOnPostgreSQL(
            POSTGRESQL,
            "DROP TRIGGER qa_round_changed ON qa_round; DROP FUNCTION qa_round_changed();",
        ),
        RunSQLOnSQLite(
            SQLITE,
            [f"DROP TRIGGER qa_round_{event}d" for event in ("insert", "update", "delete")],
        ),
    ]
