"""rebuild_derived: stored values derived again from what people wrote, and --check."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from qa import markdown
from qa.models import Answer, Pick, Question, Round, SearchEntry

pytestmark = pytest.mark.django_db


def rebuild(*args):
    out = StringIO()
    call_command("rebuild_derived", *args, stdout=out)
    return out.getvalue()


def check():
    """--check's listing, and whether it passed (exit status 0)."""
    out = StringIO()
    try:
        call_command("rebuild_derived", "--check", stdout=out)
    except CommandError as error:
        assert error.returncode == 1
        return out.getvalue(), False
    return out.getvalue(), True


def test_the_demo_round_and_generated_data_are_clean():
    call_command("load_demo", stdout=StringIO())
    assert check()[1]
    call_command("generate_demo_data", rounds=3, members=4, stdout=StringIO())
    assert check()[1]


def test_check_names_blanked_html_and_the_rebuild_repairs_it(make_round):
    round_ = make_round()
    answers = list(Answer.objects.order_by("pk")[:2])
    expected = {a.pk: a.body_html for a in answers}
    question = Question.objects.order_by("pk").first()
    with connection.cursor() as cursor:
        table = Answer._meta.db_table
        cursor.execute(f"UPDATE {table} SET body_html = '' WHERE id IN (%s, %s)", list(expected))
        cursor.execute(
            f"DELETE FROM {SearchEntry._meta.db_table} WHERE question_id = %s", [question.pk]
        )
    listing, passed = check()
    assert not passed
    assert f"answer {answers[0].pk}: stored HTML" in listing
    assert f"answer {answers[1].pk}: stored HTML" in listing
    assert f"question {question.pk}: search entry" in listing
    assert Answer.objects.get(pk=answers[0].pk).body_html == ""  # --check changed nothing
    revision = Round.objects.get(pk=round_.pk).revision

    rebuild()

    assert {a.pk: a.body_html for a in Answer.objects.filter(pk__in=expected)} == expected
    assert SearchEntry.objects.filter(question=question).exists()
    # Cached pages show the repaired text: the board's version moved on.
    assert Round.objects.get(pk=round_.pk).revision > revision
    listing, passed = check()
    assert passed and "answer " not in listing and "question " not in listing
    # A second run finds nothing to do, so no board's version moves.
    revision = Round.objects.get(pk=round_.pk).revision
    rebuild()
    assert Round.objects.get(pk=round_.pk).revision == revision


def test_a_changed_sanitizer_reaches_html_already_stored(make_round, monkeypatch):
    make_round()
    answer = Answer.objects.first()
    answer.body = "| a | b |\n|---|---|\n| 1 | 2 |\n"
    answer.save()
    assert "<table>" in Answer.objects.get(pk=answer.pk).body_html
    monkeypatch.setattr(markdown, "ALLOWED_TAGS", markdown.ALLOWED_TAGS - {"table"})

    listing, passed = check()
    assert not passed and f"answer {answer.pk}: stored HTML" in listing
    rebuild()

    assert "<table>" not in Answer.objects.get(pk=answer.pk).body_html
    assert check()[1]


def test_copied_rounds_are_repaired(make_round):
    round_, other = make_round(), make_round()
    pick = Pick.objects.filter(round=round_).first()
    answer = Answer.objects.filter(round=round_).first()
    # As a bulk update that forgot the copies would leave them.
    Pick.objects.filter(pk=pick.pk).update(round=other)
    Answer.objects.filter(pk=answer.pk).update(round=other)

    listing, passed = check()
    assert not passed
    assert f"pick {pick.pk}: round" in listing
    assert f"answer {answer.pk}: round, search entry" not in listing  # the entry kept its round
    assert f"answer {answer.pk}: round" in listing
    rebuild()

    assert Pick.objects.get(pk=pick.pk).round == round_
    assert Answer.objects.get(pk=answer.pk).round == round_
    assert check()[1]


def test_dry_run_lists_without_changing(make_round):
    make_round()
    Answer.objects.update(search_text="")
    output = rebuild("--dry-run")
    assert "search text" in output
    assert not Answer.objects.exclude(search_text="").exists()
