from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext

from qa.models import Round


class Command(BaseCommand):
    help = (
        "Move each round whose date has passed to its next state (questions due: answering; "
        "answers due: closed) and open the next scheduled round. Run it from cron every few "
        "minutes; running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="list the moves, make none")

    def handle(self, *args, dry_run, **options):
        moves = Round.objects.advance(timezone.now(), dry_run=dry_run)
        for round_, old, new in moves:
            self.stdout.write(
                gettext("Week %(number)d: %(old)s → %(new)s")
                % {
                    "number": round_.number,
                    "old": Round.State(old).label,
                    "new": Round.State(new).label,
                }
            )
        if not moves:
            self.stdout.write(gettext("No round is due to move."))
        elif dry_run:
            self.stdout.write(gettext("Dry run: nothing was changed."))
