from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from qa.models import Answer, Member, Pick, Question, Round, SearchEntry, fold

pytestmark = pytest.mark.django_db


def generate(**options):
    call_command("generate_demo_data", stdout=StringIO(), **options)


def texts(numbers):
    questions = Question.objects.filter(round__number__in=numbers).order_by("round__number", "pk")
    answers = Answer.objects.filter(question__round__number__in=numbers).order_by(
        "question__round__number", "pk"
    )
    return (
        [(q.author.name, q.position, q.text) for q in questions.select_related("author")],
        [(a.author.name, a.body) for a in answers.select_related("author")],
    )


def test_rounds_members_questions_picks_and_answers_add_up():
    generate(rounds=3, members=4, answers_per_question=2, seed=7)
    assert Round.objects.count() == 3
    assert Member.objects.count() == 4
    assert Question.objects.count() == 3 * 4 * 4  # four questions per member by default
    assert Pick.objects.count() == 3 * 4  # one 👀 in each member's list
    assert Answer.objects.count() == 3 * 4 * 2
    states = dict(Round.objects.values_list("number", "state"))
    assert states == {1: "closed", 2: "closed", 3: "answering"}


def test_the_same_seed_gives_the_same_rounds_and_another_seed_does_not():
    generate(rounds=2, members=3, answers_per_question=1, seed=7)
    generate(rounds=2, members=3, answers_per_question=1, seed=7)  # rounds 3 and 4
    generate(rounds=2, members=3, answers_per_question=1, seed=8)  # rounds 5 and 6
    assert texts([1, 2]) == texts([3, 4])
    assert texts([1, 2]) != texts([5, 6])


def test_generated_rows_keep_every_rule_of_the_board():
    generate(rounds=2, members=5, answers_per_question=4, seed=3)
    for pick in Pick.objects.select_related("question"):
        assert pick.picker_id != pick.question.author_id
        pick.full_clean()  # the named constraints, checked the way the admin checks them
    for answer in Answer.objects.select_related("question"):
        assert answer.question.picks.exists()
        assert answer.author_id != answer.question.author_id
        answer.validate_constraints()
    lists = Question.objects.values("round", "author").distinct().count()
    assert lists == 2 * 5


def test_answers_are_realistic_markdown_rendered_as_save_would():
    generate(rounds=4, members=6, answers_per_question=5, seed=1)
    answers = list(Answer.objects.all())
    assert any("<table>" in a.body_html for a in answers)
    assert any('<pre class="highlight">' in a.body_html for a in answers)
    assert all('<a href="http' in a.body_html for a in answers)  # every answer cites sources
    sizes = sorted(len(a.body.encode()) for a in answers)
    assert 300 < sizes[0] and sizes[-1] < 12_000
    sample = answers[0]
    stored = (sample.body_html, sample.search_text)
    sample.derive()
    assert (sample.body_html, sample.search_text) == stored
    questions = Question.objects.values_list("text", flat=True)
    assert any(any("가" <= ch <= "힣" for ch in text) for text in questions)  # Korean
    assert any(text.isascii() for text in questions)  # and English


def test_every_generated_text_is_searchable():
    generate(rounds=2, members=4, answers_per_question=2, seed=5)
    entries = SearchEntry.objects.select_related("question", "answer")
    assert entries.count() == Question.objects.count() + Answer.objects.count()
    for entry in entries:
        row = entry.question or entry.answer
        assert (entry.round_id, entry.author_id) == (row.round_id, row.author_id)
        assert entry.text == fold(row.search_text)


def test_new_rounds_come_after_the_existing_ones_and_reuse_members():
    call_command("load_demo", stdout=StringIO())
    generate(rounds=2, members=3, answers_per_question=1, seed=1)
    assert list(Round.objects.order_by("number").values_list("number", flat=True)) == [1, 2, 3]
    members = set(Member.objects.values_list("name", flat=True))
    generate(rounds=1, members=3, answers_per_question=1, seed=1)
    assert set(Member.objects.values_list("name", flat=True)) == members
    assert Round.objects.get(number=4).questions.count() == 3 * 4


@pytest.mark.parametrize(
    "options, message",
    [
        ({"members": 1}, "--members"),
        ({"members": 3, "answers_per_question": 3}, "--answers-per-question"),
        ({"members": 3, "answers_per_question": 1, "questions_per_member": 99}, "--questions-per"),
    ],
)
def test_impossible_requests_are_refused_before_anything_is_written(options, message):
    with pytest.raises(CommandError, match=message):
        call_command("generate_demo_data", rounds=1, **options)
    assert not Round.objects.exists()
