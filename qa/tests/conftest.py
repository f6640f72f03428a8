import pytest
from django.test import Client

from qa.models import Round

from .factories import AnswerFactory, MemberFactory, PickFactory, QuestionFactory, RoundFactory


def build_round(members=4, questions_each=3, number=None, state=Round.State.ANSWERING):
    """A round shaped like a real week: each member lists questions, one per list is picked
    by the next member, and the picker answers it."""
    round_ = RoundFactory(state=state, **({"number": number} if number else {}))
    people = [MemberFactory(name=f"r{round_.number}-m{i}") for i in range(members)]
    for i, author in enumerate(people):
        questions = [
            QuestionFactory(round=round_, author=author, position=p, label=f"{p}.")
            for p in range(1, questions_each + 1)
        ]
        picker = people[(i + 1) % members]
        PickFactory(question=questions[1], picker=picker)
        AnswerFactory(question=questions[1], author=picker)
    return round_


@pytest.fixture
def make_round(db):
    return build_round


@pytest.fixture
def staff_client(django_user_model):
    user = django_user_model.objects.create_superuser("curator", "curator@example.com", "pw-12345!")
    client = Client()
    client.force_login(user)
    return client
