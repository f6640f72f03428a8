import factory
from django.contrib.auth import get_user_model

from qa.models import Answer, FollowUp, Member, Pick, Question, Reaction, Round


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("correct horse battery staple")


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"member{n}")


class RoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Round

    number = factory.Sequence(lambda n: n + 1)
    title = factory.LazyAttribute(lambda r: f"{r.number}주차")
    state = Round.State.ANSWERING
    # Most tests are about something else than blind answering, which hides answers in an
    # answering round; its own tests turn it on.
    blind_answers = False


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    round = factory.SubFactory(RoundFactory)
    author = factory.SubFactory(MemberFactory)
    position = factory.Sequence(lambda n: n + 1)
    label = factory.LazyAttribute(lambda q: f"{q.position}.")
    text = factory.Sequence(lambda n: f"로드 밸런싱이 필요한 이유 {n}")


class PickFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pick

    question = factory.SubFactory(QuestionFactory)
    picker = None


class AnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Answer

    question = factory.SubFactory(QuestionFactory)
    author = factory.SubFactory(MemberFactory)
    body = "## 답변\n\n|구분|L4|L7|\n|--|--|--|\n|계층|전송|응용|\n"


class ReactionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reaction

    answer = factory.SubFactory(AnswerFactory)
    member = factory.SubFactory(MemberFactory)
    kind = Reaction.Kind.THANKS


class FollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUp

    answer = factory.SubFactory(AnswerFactory)
    author = factory.SubFactory(MemberFactory)
    body = factory.Sequence(lambda n: f"L4에서는 왜 그런가요? {n}")
