"""Every named database constraint refuses what it names, on SQLite and PostgreSQL.

Rows go straight to the database (QuerySet.create/update or save without full_clean), so it
is the database, not model validation, that says no.
"""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction

from qa.models import Answer, Member, Pick, Question, Round

from .factories import AnswerFactory, MemberFactory, PickFactory, QuestionFactory, RoundFactory

pytestmark = pytest.mark.django_db


def assert_refused(constraint, write, *, unique=False):
    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        write()
    message = str(excinfo.value)
    # PostgreSQL names every constraint; SQLite names check constraints but reports a
    # unique violation by its columns.
    if connection.vendor == "postgresql" or not unique:
        assert constraint in message


def test_member_name_is_unique():
    Member.objects.create(name="sky")
    assert_refused("qa_member_unique_name", lambda: Member.objects.create(name="sky"), unique=True)


def test_member_name_is_not_blank():
    assert_refused("qa_member_name_not_blank", lambda: Member.objects.create(name=""))


def test_round_number_is_unique():
    RoundFactory(number=3)
    assert_refused(
        "qa_round_unique_number", lambda: Round.objects.create(number=3, title="x"), unique=True
    )


def test_round_number_starts_at_one():
    assert_refused("qa_round_number_positive", lambda: Round.objects.create(number=0))


def test_round_cannot_end_before_it_starts():
    assert_refused(
        "qa_round_ends_after_start",
        lambda: Round.objects.create(
            number=1, starts_on=datetime.date(2024, 3, 8), ends_on=datetime.date(2024, 3, 1)
        ),
    )
    Round.objects.create(
        number=2, starts_on=datetime.date(2024, 3, 1), ends_on=datetime.date(2024, 3, 1)
    )


def test_round_state_is_one_of_the_choices():
    round_ = RoundFactory()
    assert_refused(
        "qa_round_state_valid",
        lambda: Round.objects.filter(pk=round_.pk).update(state="published"),
    )


def test_question_position_is_unique_in_an_authors_list():
    question = QuestionFactory(position=1)
    assert_refused(
        "qa_question_unique_author_position",
        lambda: Question.objects.create(
            round=question.round, author=question.author, position=1, text="또 다른 질문"
        ),
        unique=True,
    )
    # The same position in another member's list is fine.
    Question.objects.create(round=question.round, author=MemberFactory(), position=1, text="ok")


def test_question_position_starts_at_one():
    question = QuestionFactory.build(position=0)
    question.round.save()
    question.author.save()
    assert_refused("qa_question_position_positive", question.save)


def test_question_text_is_not_blank():
    question = QuestionFactory.build(text="")
    question.round.save()
    question.author.save()
    assert_refused("qa_question_text_not_blank", question.save)


def test_member_picks_a_question_once():
    pick = PickFactory(picker=MemberFactory())
    assert_refused(
        "qa_pick_unique_picker_question",
        lambda: Pick(question=pick.question, picker=pick.picker).save(),
        unique=True,
    )


def test_curators_pick_a_question_once():
    pick = PickFactory(picker=None)
    assert_refused(
        "qa_pick_unique_curator_question",
        lambda: Pick(question=pick.question, picker=None).save(),
        unique=True,
    )


def test_curator_and_member_picks_of_one_question_coexist():
    pick = PickFactory(picker=None)
    Pick(question=pick.question, picker=MemberFactory()).save()
    assert pick.question.picks.count() == 2


def test_member_picks_one_question_per_list_per_round():
    first = QuestionFactory(position=1)
    second = QuestionFactory(round=first.round, author=first.author, position=2)
    picker = MemberFactory()
    Pick(question=first, picker=picker).save()
    assert_refused(
        "qa_pick_one_per_list_per_round",
        lambda: Pick(question=second, picker=picker).save(),
        unique=True,
    )
    # Another round's list by the same author is a separate list.
    other_round = QuestionFactory(author=first.author, position=1)
    Pick(question=other_round, picker=picker).save()


def test_member_cannot_pick_own_question():
    question = QuestionFactory()
    assert_refused(
        "qa_pick_not_own_question", lambda: Pick(question=question, picker=question.author).save()
    )


def test_one_answer_per_member_per_question():
    answer = AnswerFactory()
    assert_refused(
        "qa_answer_unique_author_question",
        lambda: Answer.objects.create(question=answer.question, author=answer.author, body="둘째"),
        unique=True,
    )


def test_answer_body_is_not_blank():
    question = QuestionFactory()
    assert_refused(
        "qa_answer_body_not_blank",
        lambda: Answer.objects.create(question=question, author=MemberFactory(), body=""),
    )
