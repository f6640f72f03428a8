"""What a round's board adds up: the answer matrix (who has answered which picked question)
and the counts its link preview tells."""

from dataclasses import dataclass

from .models import Answer, Member, Question


@dataclass(frozen=True)
class MatrixCell:
    question: Question
    answer: Answer | None
    own: bool  # the member's own question: nothing is owed
    # Whether the reader may read the answer: blind answering hides it, not that it exists.
    shown: bool = True


@dataclass(frozen=True)
class MatrixRow:
    member: Member
    cells: list

    @property
    def answered(self):
        return sum(1 for cell in self.cells if cell.answer)

    @property
    def owed(self):
        return sum(1 for cell in self.cells if not cell.answer and not cell.own)


def answer_matrix(member_lists, picked):
    """Members × picked questions, who has answered what, from Round.board()'s data alone.

    Rows are the members with a list on the board, then anyone else who answered (the
    group's list, with no author, has no row).
    """
    members = {author.pk: author for author, _questions in member_lists if author is not None}
    for question in picked:
        for answer in question.answers_on_board:
            members.setdefault(answer.author_id, answer.author)
    answers = {(a.question_id, a.author_id): a for q in picked for a in q.answers_on_board}
    # Round.board(reveal) says which answers the reader may read; without it, none is linked.
    shown = {a.pk for q in picked for a in getattr(q, "shown_answers", ())}

    def cell(question, member):
        answer = answers.get((question.pk, member.pk))
        own = question.author_id == member.pk
        return MatrixCell(question, answer, own, shown=answer is not None and answer.pk in shown)

    return [
        MatrixRow(member=member, cells=[cell(q, member) for q in picked])
        for member in members.values()
    ]



def board_counts(member_lists, picked):
    """How many questions, picked questions and answers the board shows."""
    return {
        "questions": sum(len(questions) for _author, questions in member_lists),
        "picked": len(picked),
        "answers": sum(len(question.answers_on_board) for question in picked),
    }
