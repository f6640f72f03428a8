import pytest
from django.core.exceptions import ValidationError

from qa.models import Answer, Pick, Round

from .factories import AnswerFactory, MemberFactory, PickFactory, QuestionFactory, RoundFactory

pytestmark = pytest.mark.django_db


def error_codes(error):
    return [e.code for errors in error.error_dict.values() for e in errors]


def test_round_str_and_url():
    assert str(RoundFactory(number=7, title="")) == "7주차"
    assert str(RoundFactory(number=8, title="네트워크")) == "네트워크"
    assert RoundFactory(number=9).get_absolute_url() == "/rounds/9/"


def test_visible_rounds_exclude_drafts():
    RoundFactory(number=1, state=Round.State.CLOSED)
    RoundFactory(number=2, state=Round.State.DRAFT)
    RoundFactory(number=3, state=Round.State.QUESTIONS_OPEN)
    assert sorted(Round.objects.visible().values_list("number", flat=True)) == [1, 3]


def test_round_clean_refuses_end_before_start():
    round_ = RoundFactory.build(starts_on="2024-03-08", ends_on="2024-03-01")
    with pytest.raises(ValidationError) as excinfo:
        round_.clean()
    assert excinfo.value.error_dict["ends_on"][0].code == "ends_before_start"


def test_with_counts(make_round):
    round_ = make_round(members=3, questions_each=4)
    PickFactory(question=round_.questions.get(author__name=f"r{round_.number}-m0", position=3))
    counted = Round.objects.with_counts().get(pk=round_.pk)
    assert (counted.question_count, counted.pick_count, counted.answer_count) == (12, 4, 3)
    empty = Round.objects.with_counts().get(pk=RoundFactory().pk)
    assert (empty.question_count, empty.pick_count, empty.answer_count) == (0, 0, 0)


def test_add_question_refuses_one_past_the_rounds_limit():
    round_ = RoundFactory(question_limit=2)
    bee, sky = MemberFactory(name="bee"), MemberFactory(name="sky")
    round_.add_question(bee, "첫 질문")
    round_.add_question(bee, "둘째 질문")
    with pytest.raises(ValidationError) as excinfo:
        round_.add_question(bee, "셋째 질문")
    assert excinfo.value.code == "question_limit"
    assert [q.text for q in round_.questions.filter(author=bee).order_by("position")] == [
        "첫 질문",
        "둘째 질문",
    ]
    # The limit is each member's own: bee's full list leaves sky's room untouched.
    assert round_.add_question(sky, "sky의 질문").position == 1


def test_question_html_is_rendered_on_save_and_rebuilt_on_edit():
    question = QuestionFactory(text="**L4**와 L7의 차이")
    assert question.text_html == "<p><strong>L4</strong>와 L7의 차이</p>\n"
    question.text = "`VIP`는 무엇인가?"
    question.save(update_fields=["text"])
    question.refresh_from_db()
    assert question.text_html == "<p><code>VIP</code>는 무엇인가?</p>\n"


def test_answer_html_is_sanitized_on_save():
    answer = AnswerFactory(body="<img src=x onerror=alert(1)> [a](javascript:alert(1))")
    answer.refresh_from_db()
    assert "onerror" not in answer.body_html
    assert "javascript" not in answer.body_html


def test_pick_copies_round_and_author_from_its_question():
    question = QuestionFactory()
    pick = PickFactory(question=question, picker=MemberFactory())
    assert (pick.round_id, pick.question_author_id) == (question.round_id, question.author_id)


def test_question_pick_by_curators_and_members():
    question = QuestionFactory()
    bee = MemberFactory(name="bee")
    assert question.pick().picker is None
    assert question.pick(bee).picker == bee
    assert question.picks.count() == 2


@pytest.mark.parametrize(
    "case, code",
    [
        ("own", "own_question"),
        ("twice", "duplicate_pick one_per_list"),
        ("same_list", "one_per_list"),
        ("curators_twice", "duplicate_pick"),
    ],
)
def test_pick_rules_are_validation_errors_with_codes(case, code):
    first = QuestionFactory(position=1)
    second = QuestionFactory(round=first.round, author=first.author, position=2)
    bee = MemberFactory(name="bee")
    if case == "own":
        attempt = lambda: first.pick(first.author)  # noqa: E731
    elif case == "twice":
        first.pick(bee)
        attempt = lambda: first.pick(bee)  # noqa: E731
    elif case == "same_list":
        first.pick(bee)
        attempt = lambda: second.pick(bee)  # noqa: E731
    else:
        first.pick()
        attempt = lambda: first.pick()  # noqa: E731
    before = Pick.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        attempt()
    assert error_codes(excinfo.value) == code.split()
    assert Pick.objects.count() == before


def test_save_answer_twice_edits_the_first():
    question = QuestionFactory()
    question.pick()
    bee = MemberFactory(name="bee")
    first = question.save_answer(bee, "초안")
    second = question.save_answer(bee, "## 고친 답변")
    assert first.pk == second.pk
    assert Answer.objects.get().body == "## 고친 답변"
    assert Answer.objects.get().body_html == "<h2>고친 답변</h2>\n"


def test_only_picked_questions_take_answers():
    question = QuestionFactory()
    with pytest.raises(ValidationError) as excinfo:
        question.save_answer(MemberFactory(), "답변")
    assert error_codes(excinfo.value) == ["not_picked"]
    assert not Answer.objects.exists()


def test_board_orders_lists_by_first_appearance_and_questions_by_position():
    round_ = RoundFactory()
    chloe, bee = MemberFactory(name="클로이"), MemberFactory(name="bee")
    QuestionFactory(round=round_, author=chloe, position=2, text="c2")
    QuestionFactory(round=round_, author=bee, position=1, text="b1")
    QuestionFactory(round=round_, author=chloe, position=1, text="c1")
    picked = QuestionFactory(round=round_, author=bee, position=2, text="b2")
    picked.pick(chloe)
    member_lists, picked_questions = round_.board()
    assert [(m.name, [q.text for q in qs]) for m, qs in member_lists] == [
        ("클로이", ["c1", "c2"]),
        ("bee", ["b1", "b2"]),
    ]
    assert picked_questions == [picked]
    assert [p.picker_name for p in picked_questions[0].picks_on_board] == ["클로이"]


def test_crlf_from_a_browser_is_stored_as_lf():
    question = QuestionFactory(text="첫 줄\r\n둘째 줄")
    question.pick()
    answer = question.save_answer(MemberFactory(), "|a|b|\r\n|--|--|\r\n|1|2|\r\n")
    answer.refresh_from_db()
    question.refresh_from_db()
    assert question.text == "첫 줄\n둘째 줄"
    assert answer.body == "|a|b|\n|--|--|\n|1|2|\n"
    assert "<table>" in answer.body_html


def test_the_in_progress_index_covers_the_in_progress_states():
    # for_board() relies on it to find this week's round with one probe.
    [index] = [i for i in Round._meta.indexes if i.name == "qa_round_in_progress"]
    assert set(dict(index.condition.children)["state__in"]) == Round.IN_PROGRESS


def test_moving_a_question_keeps_numbered_labels_in_order_and_names_with_their_question():
    round_ = RoundFactory(number=1)
    author = MemberFactory(name="sky")
    first, second, bonus = (
        QuestionFactory(round=round_, author=author, position=n, label=label, text=text)
        for n, label, text in [(1, "Q1.", "TCP?"), (2, "Q2.", "UDP?"), (3, "보너스", "QUIC?")]
    )

    def listed():
        return [(q.label, q.text) for q in author.questions.order_by("position")]

    second.move(-1)
    assert listed() == [("Q1.", "UDP?"), ("Q2.", "TCP?"), ("보너스", "QUIC?")]
    bonus.move(-1)
    assert listed() == [("Q1.", "UDP?"), ("보너스", "QUIC?"), ("Q2.", "TCP?")]
