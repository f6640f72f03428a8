"""Realistic boards in bulk, for trying the app at scale and for `make bench`.

Everything comes from one seeded random generator, so the same arguments always give
the same rounds, texts and picks. Rows are bulk-inserted a few rounds at a time through
the models' write path (`objects.add()`), which stores them as save() would.
"""

import datetime
import random
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Max

from ..models import Answer, Member, Pick, Question, Round, SearchEntry
from . import corpus

ROUNDS_PER_BATCH = 10
FIRST_MONDAY = datetime.date(2022, 1, 3)


@dataclass
class Totals:
    rounds: int = 0
    members: int = 0
    questions: int = 0
    picks: int = 0
    answers: int = 0


def member_names(count):
    """The corpus's nicknames, numbered once they run out (bee, ..., bee2, ...)."""
    names = corpus.MEMBER_NAMES
    return [
        names[i % len(names)] + (str(i // len(names) + 1) if i >= len(names) else "")
        for i in range(count)
    ]


def answer_body(rng, topic):
    """A member's answer: a few sections of prose, lists, maybe a table and code, sources.

    Between about 0.5 and 6 KB, like the answers in the groups' weekly files.
    """
    parts = []
    headings = rng.sample(topic["headings"], rng.randint(1, len(topic["headings"])))
    paragraphs = iter(rng.sample(topic["paragraphs"], len(topic["paragraphs"])))
    for number, heading in enumerate(headings):
        parts.append(f"### {heading}")
        parts.append(next(paragraphs))
        if rng.random() < 0.6:
            bullets = rng.sample(topic["bullets"], rng.randint(2, 5))
            parts.append("\n".join(f"- {item}" for item in bullets))
        if number == 0 and rng.random() < 0.5:
            table = topic["table"]
            lines = [table["header"], ["---"] * len(table["header"]), *table["rows"]]
            parts.append("\n".join("| " + " | ".join(row) + " |" for row in lines))
        if number == len(headings) - 1 and topic.get("code") and rng.random() < 0.5:
            code = topic["code"]
            parts.append(f"```{code['language']}\n{code['source'].strip()}\n```")
        if rng.random() < 0.4:
            parts.append(next(paragraphs))
    sources = rng.sample(topic["sources"], rng.randint(1, len(topic["sources"])))
    parts.append("출처\n\n" + "\n".join(f"- [{title}]({url})" for title, url in sources))
    return "\n\n".join(parts) + "\n"


def generate(rounds, members, questions_per_member=4, answers_per_question=3, seed=1):
    """Add `rounds` rounds after the newest one; returns the Totals inserted.

    Each round: every member posts `questions_per_member` questions, one of each list
    gets a 👀 from the next member, and `answers_per_question` other members answer it.
    """
    if answers_per_question > members - 1:
        raise ValueError("answers_per_question must be smaller than members")
    rng = random.Random(seed)
    totals = Totals()
    names = member_names(members)
    existing = set(Member.objects.filter(name__in=names).values_list("name", flat=True))
    Member.objects.bulk_create([Member(name=n) for n in names if n not in existing])
    totals.members = members - len(existing)
    people = list(Member.objects.filter(name__in=names).order_by("pk"))
    first = (Round.objects.aggregate(last=Max("number"))["last"] or 0) + 1
    numbers = range(first, first + rounds)
    for start in range(0, rounds, ROUNDS_PER_BATCH):
        batch = numbers[start : start + ROUNDS_PER_BATCH]
        with transaction.atomic():
            _add_rounds(rng, batch, people, questions_per_member, answers_per_question, totals)
    # The newest round takes answers, as a group's current week does.
    Round.objects.filter(number=numbers[-1]).update(state=Round.State.ANSWERING)
    # Fresh statistics, or the planner keeps its row estimates from before the load
    # (seen: a version subquery scanning every answer instead of using the index).
    with connection.cursor() as cursor:
        for model in (Member, Round, Question, Pick, Answer, SearchEntry):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        if connection.vendor == "postgresql":
            # Merge the rows waiting in the grams index's pending list, which every search
            # would otherwise read whole until autovacuum comes by.
            cursor.execute("SELECT gin_clean_pending_list('qa_searchentry_grams'::regclass)")
    return totals


def _add_rounds(rng, numbers, people, questions_per_member, answers_per_question, totals):
    rounds = Round.objects.bulk_create(
        [
            Round(
                number=n,
                title=f"{n}주차",
                starts_on=FIRST_MONDAY + datetime.timedelta(weeks=n - 1),
                ends_on=FIRST_MONDAY + datetime.timedelta(weeks=n - 1, days=6),
                state=Round.State.CLOSED,
                question_limit=max(4, questions_per_member),
            )
            for n in numbers
        ]
    )
    questions, picked = [], []  # picked: (question, its topic, the round's member order, index)
    for round_ in rounds:
        order = rng.sample(people, len(people))
        for index, author in enumerate(order):
            topics = rng.sample(corpus.TOPICS, questions_per_member)
            chosen = rng.randrange(questions_per_member)
            for position, topic in enumerate(topics, start=1):
                question = Question(
                    round=round_,
                    author=author,
                    position=position,
                    label=f"{position}.",
                    text=rng.choice(topic["questions"]),
                )
                questions.append(question)
                if position - 1 == chosen:
                    picked.append((question, topic, order, index))
    Question.objects.add(questions)
    picks, answers = [], []
    for question, topic, order, index in picked:
        # The next member in the round's order picks; they never pick their own list.
        picks.append(
            Pick(question=question, picker=order[(index + 1) % len(order)])
        )
        for step in range(1, answers_per_question + 1):
            answers.append(
                Answer(
                    question=question,
                    author=order[(index + step) % len(order)],
                    body=answer_body(rng, topic),
                )
            )
    Pick.objects.add(picks)
    Answer.objects.add(answers)
    totals.rounds += len(rounds)
    totals.questions += len(questions)
    totals.picks += len(picks)
    totals.answers += len(answers)
