"""What the tests of topics, review and interviews share: the default topics, closed rounds."""

from qa.models import Round, Topic
from qa.models.topics import DEFAULT_TOPICS

from .factories import AnswerFactory, MemberFactory, PickFactory, QuestionFactory, RoundFactory


def default_topics():
    """The topics migration 0016 adds (a transactional test's flush removes them)."""
    return {
        slug: Topic.objects.get_or_create(slug=slug, defaults={"name": name, "keywords": words})[0]
        for slug, name, words in DEFAULT_TOPICS
    }


def closed_round_with_answers(questions=3, answers_each=2, number=None, texts=None):
    """A closed round of one author's `questions`, each picked and answered by others."""
    round_ = RoundFactory(state=Round.State.CLOSED, **({"number": number} if number else {}))
    author = MemberFactory(name=f"author{round_.number}")
    made = []
    for position in range(1, questions + 1):
        text = texts[position - 1] if texts else f"{round_.number}주차 질문 {position}"
        question = QuestionFactory(round=round_, author=author, position=position, text=text)
        # One pick per member's list in a round: each question has a picker of its own.
        picker = MemberFactory(name=f"r{round_.number}-picker{position}")
        PickFactory(question=question, picker=picker)
        for n in range(answers_each):
            answerer = picker if n == 0 else MemberFactory(name=f"answerer{n}")
            AnswerFactory(question=question, author=answerer, body=f"답변 {n}: {text}")
        made.append(question)
    return round_, made
