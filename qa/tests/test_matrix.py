import re

import pytest

from qa.board import answer_matrix
from qa.models import Answer, Member, Question

from .factories import AnswerFactory, MemberFactory, PickFactory, QuestionFactory, RoundFactory


def board_data():
    """Round.board()'s shape, unsaved: four lists, three picked questions, four answers."""
    names = ["sky", "bee", "choi", "클로이", "guest"]
    sky, bee, choi, chloe, guest = (Member(pk=pk, name=n) for pk, n in enumerate(names, 1))

    def question(pk, author, *answerers):
        q = Question(pk=pk, author=author)
        q.answers_on_board = [
            Answer(pk=pk * 10 + i, question=q, author=a) for i, a in enumerate(answerers)
        ]
        return q

    picked = [question(1, sky, bee, choi), question(2, bee, sky, guest), question(3, choi)]
    member_lists = [(m, []) for m in [sky, bee, choi, chloe]]
    return member_lists, picked


def cells(row):
    return ["✓" if c.answer else "own" if c.own else "." for c in row.cells]


def test_matrix_is_members_by_picked_questions_without_the_database():
    member_lists, picked = board_data()
    matrix = answer_matrix(member_lists, picked)
    assert [(r.member.name, cells(r), r.answered, r.owed) for r in matrix] == [
        ("sky", ["own", "✓", "."], 1, 1),
        ("bee", ["✓", "own", "."], 1, 1),
        ("choi", ["✓", ".", "own"], 1, 1),
        ("클로이", [".", ".", "."], 0, 3),
        ("guest", [".", "✓", "."], 1, 2),  # answered without a list of their own
    ]
    assert matrix[0].cells[1].answer.pk == 20


def test_matrix_of_a_board_without_picks_has_empty_rows():
    member_lists, _picked = board_data()
    assert [r.cells for r in answer_matrix(member_lists, [])] == [[], [], [], []]


@pytest.mark.django_db
def test_board_shows_who_still_owes_answers(client):
    round_ = RoundFactory(number=4)
    sky, bee, choi = (MemberFactory(name=n) for n in ["sky", "bee", "choi"])
    skys = QuestionFactory(round=round_, author=sky, position=1, label="Q4.")
    bees = QuestionFactory(round=round_, author=bee, position=1, label="1.")
    QuestionFactory(round=round_, author=choi, position=1)
    PickFactory(question=skys, picker=bee)
    PickFactory(question=bees, picker=choi)
    answer = AnswerFactory(question=skys, author=bee)
    html = client.get(round_.get_absolute_url()).content.decode()
    matrix = html[html.index('class="answer-matrix"') : html.index("</table>")]
    assert f'<a href="#picked-{skys.pk}">sky Q4.</a>' in matrix
    assert f'<a href="#picked-{bees.pk}">bee 1.</a>' in matrix
    rows = re.findall(r"<tr>(.*?)</tr>", matrix, re.DOTALL)[1:]
    summary = [
        (re.search(r'href="/members/(\w+)/"', row)[1],
         re.findall(r"matrix__cell--(\w+)", row),
         re.findall(r'<td class="num">(\d+)</td>', row)[0])
        for row in rows
    ]  # fmt: skip
    assert summary == [
        ("sky", ["own", "missing"], "1"),
        ("bee", ["answered", "own"], "0"),
        ("choi", ["missing", "missing"], "2"),
    ]
    assert f'href="#answer-{answer.pk}"' in matrix


@pytest.mark.django_db
def test_board_without_picks_has_no_matrix(client):
    round_ = RoundFactory(number=1)
    QuestionFactory(round=round_)
    assert 'class="answer-matrix"' not in client.get(round_.get_absolute_url()).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("members", [4, 30])
def test_matrix_of_a_real_board_has_a_row_and_a_column_for_each_member(
    client, make_round, members
):
    # It adds no queries to the board: the board's count in test_scale.PAGES includes it.
    round_ = make_round(members=members, questions_each=3)
    response = client.get(round_.get_absolute_url())
    matrix = response.context["matrix"]
    assert len(matrix) == members
    assert all(len(row.cells) == members and row.answered == 1 for row in matrix)
    assert response.content.decode().count("matrix__cell--answered") == members
