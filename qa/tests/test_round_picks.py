"""Rounds without picks (Round.uses_picks off): every question may be answered, and the board
shows every answered question with its answers."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse

from qa.models import Answer, Member, Question, Round

from .factories import AnswerFactory, MemberFactory, QuestionFactory, RoundFactory
from .people import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_without_picks():
    return RoundFactory(number=1, uses_picks=False, state=Round.State.ANSWERING)


def test_new_rounds_use_picks():
    assert Round.objects.create(number=1).uses_picks is True


def test_any_question_takes_answers_in_a_round_without_picks(round_without_picks):
    question = QuestionFactory(round=round_without_picks, author=MemberFactory(name="bee"))
    client = sign_in("sky")
    user = Member.objects.get(name="sky").user
    assert Question.objects.get(pk=question.pk).can_answer(user) is True
    response = client.post(
        reverse("qa:question-answer", args=[question.pk]), {"body": "픽 없이 쓴 답", "version": "0"}
    )
    assert response.status_code == 302
    assert list(Answer.objects.values_list("author__name", "body")) == [("sky", "픽 없이 쓴 답")]


def test_a_round_with_picks_still_refuses_answers_to_unpicked_questions():
    question = QuestionFactory(round=RoundFactory(number=1), author=MemberFactory(name="bee"))
    answer = Answer(question=question, author=MemberFactory(name="sky"), body="답")
    with pytest.raises(ValidationError) as err:
        answer.full_clean()
    assert err.value.error_dict["__all__"][0].code == "not_picked"
    Round.objects.filter(pk=question.round_id).update(uses_picks=False)
    answer.question = Question.objects.get(pk=question.pk)
    answer.full_clean()  # the same answer, once the round goes without picks


def test_the_board_shows_every_answered_question_and_no_pick_prompt(
    client, round_without_picks, django_assert_max_num_queries
):
    bee, sky = MemberFactory(name="bee"), MemberFactory(name="sky")
    answered = QuestionFactory(
        round=round_without_picks, author=bee, position=1, text="답이 있는 질문"
    )
    QuestionFactory(round=round_without_picks, author=bee, position=2, text="답이 없는 질문")
    for n in range(5):
        other = QuestionFactory(round=round_without_picks, author=sky, position=n + 1)
        AnswerFactory(question=other, author=bee, body=f"sky에게 답 {n}")
    AnswerFactory(question=answered, author=sky, body="bee에게 답")
    _member_lists, shown = Round.objects.get(number=1).board()
    assert [q.text for q in shown] == ["답이 있는 질문", *[q.text for q in shown[1:]]]
    assert len(shown) == 6
    with django_assert_max_num_queries(8):
        html = client.get("/rounds/1/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert html.count('class="picked-question"') == 6
    assert "<p>bee에게 답</p>" in html and "<p>sky에게 답 4</p>" in html
    assert "No question has been picked" not in html


def test_a_round_without_picks_and_answers_says_so(client, round_without_picks):
    QuestionFactory(round=round_without_picks)
    html = client.get("/rounds/1/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No question has been answered yet." in html


def test_curators_switch_picks_off_in_the_admin(staff_client):
    round_ = RoundFactory(number=1)
    page = staff_client.get(f"/admin/qa/round/{round_.pk}/change/").content.decode()
    [checkbox] = re.findall(r'<input[^>]*name="uses_picks"[^>]*>', page)
    assert 'type="checkbox"' in checkbox and "checked" in checkbox
    assert Round._meta.get_field("uses_picks").editable


def test_the_groups_questions_keep_distinct_positions():
    round_ = RoundFactory(number=1)
    Question.objects.create(round=round_, author=None, position=1, text="공통 하나")
    with pytest.raises(IntegrityError):
        Question.objects.create(round=round_, author=None, position=1, text="공통 둘")


def test_a_round_without_picks_offers_no_eyes_and_refuses_new_picks(round_without_picks):
    question = QuestionFactory(round=round_without_picks, author=MemberFactory(name="bee"))
    member, curator = sign_in("sky"), sign_in("curator", staff=True)
    pick = reverse("qa:question-pick", args=[question.pk])
    for client in (member, curator):
        board = client.get(round_without_picks.get_absolute_url()).content.decode()
        assert f'action="{pick}"' not in board
    assert member.post(pick, {"pick": "1"}).status_code == 403
    assert curator.post(pick, {"pick": "1", "for": "group"}).status_code == 403
    assert not question.picks.exists()


def test_a_pick_made_before_picks_were_turned_off_can_still_be_taken_back(round_without_picks):
    question = QuestionFactory(round=round_without_picks, author=MemberFactory(name="bee"))
    question.set_pick(None, picked=True)
    curator = sign_in("curator", staff=True)
    pick = reverse("qa:question-pick", args=[question.pk])
    response = curator.post(pick, {"pick": "0", "for": "group"})
    assert response.status_code == 302
    assert not question.picks.exists()
