from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from qa.models import Question, QuestionTopic, Topic
from qa.models.topics import suggest


class Command(BaseCommand):
    help = (
        "Add the default topics (네트워크, 운영체제, ...) when there is no topic yet, then give every "
        "question without topics those its text suggests, as a new question gets them: for "
        "questions imported or written before topics existed. Questions with topics keep them; "
        "running it twice changes nothing the second time."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="change nothing; say how many would get topics"
        )

    def handle(self, *args, dry_run, **options):
        if not dry_run:
            added = Topic.objects.add_defaults()
            if added:
                self.stdout.write(_("%(count)d topics were added.") % {"count": len(added)})
        topics = list(Topic.objects.all())
        questions = Question.objects.filter(topics__isnull=True).only("pk", "search_text")
        links = [
            QuestionTopic(question_id=question.pk, topic=topic)
            for question in questions.iterator(chunk_size=500)
            for topic in suggest(topics, question.search_text)
        ]
        count = len({link.question_id for link in links})
        if dry_run:
            self.stdout.write(_("%(count)d questions would get topics.") % {"count": count})
            return
        with transaction.atomic():
            QuestionTopic.objects.bulk_create(links, batch_size=500, ignore_conflicts=True)
        self.stdout.write(self.style.SUCCESS(_("%(count)d questions got topics.") % {"count": count}))
