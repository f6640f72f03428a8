import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from qa.demo import corpus
from qa.demo.generator import generate


def positive(value):
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Add realistic rounds of Korean and English questions, picks and Markdown answers, "
        "after the newest round. The same arguments and seed always give the same data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rounds", type=positive, default=200)
        parser.add_argument("--members", type=positive, default=12)
        parser.add_argument(
            "--questions-per-member", type=positive, default=4, dest="questions_per_member"
        )
        parser.add_argument(
            "--answers-per-question",
            type=int,
            default=3,
            dest="answers_per_question",
            help="Answers to each picked question, by other members (at most members - 1).",
        )
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, **options):
        members, answers = options["members"], options["answers_per_question"]
        if members < 2:
            raise CommandError(
                _("--members: a round needs at least two, who pick each other's questions.")
            )
        if not 0 <= answers <= members - 1:
            raise CommandError(
                _("--answers-per-question: from 0 to %(most)d (members - 1).")
                % {"most": members - 1}
            )
        if options["questions_per_member"] > len(corpus.TOPICS):
            raise CommandError(
                _("--questions-per-member: at most %(most)d.") % {"most": len(corpus.TOPICS)}
            )
        started = time.perf_counter()
        totals = generate(
            rounds=options["rounds"],
            members=members,
            questions_per_member=options["questions_per_member"],
            answers_per_question=answers,
            seed=options["seed"],
        )
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Added %(rounds)d rounds, %(members)d new members, %(questions)d questions, "
                    "%(picks)d picks and %(answers)d answers in %(seconds).1f s."
                )
                % {**vars(totals), "seconds": time.perf_counter() - started}
            )
        )
