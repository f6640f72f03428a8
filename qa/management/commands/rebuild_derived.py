from django.core.management.base import BaseCommand, CommandError
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from qa.models import Answer, FollowUp, Pick, Question

# What each derived attribute is called in the listing.
LABELS = {
    "text": "line breaks",
    "body": "line breaks",
    "text_html": "stored HTML",
    "body_html": "stored HTML",
    "search_text": "search text",
    "round_id": "round",
    "question_author_id": "question's author",
    "search entry": "search entry",
}


def _question(*fields):
    return Prefetch("question", queryset=Question.objects.only(*fields))


class Command(BaseCommand):
    help = (
        "Derive every stored value again (HTML, search text and entries, copied rounds) from "
        "what people wrote, store what differs and count it on its board. Run after each "
        "release; running it twice changes nothing the second time."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="change nothing; list what is stale and exit with status 1 if anything is",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="change nothing; list what is stale"
        )
        parser.add_argument("--batch-size", type=int, default=500, dest="batch_size")

    def handle(self, *args, check, dry_run, batch_size, **options):
        self.verbosity = options["verbosity"]
        listing = check or dry_run
        kinds = [
            ("question", Question.objects.all()),
            ("pick", Pick.objects.prefetch_related(_question("round_id", "author_id"))),
            ("answer", Answer.objects.prefetch_related(_question("round_id"))),
            (
                "follow-up",
                FollowUp.objects.prefetch_related(
                    Prefetch("answer", queryset=Answer.objects.only("round_id"))
                ),
            ),
        ]
        stale = 0
        for kind, rows in kinds:
            stale += self.rebuild(kind, rows, batch_size, listing)
        if check and stale:
            raise CommandError(_("%(count)d rows are stale.") % {"count": stale}, returncode=1)
        if listing:
            message = _("%(count)d rows are stale; nothing was changed.") % {"count": stale}
        else:
            message = _("%(count)d rows were stale and are rebuilt.") % {"count": stale}
        self.stdout.write(self.style.SUCCESS(message) if not stale else message)

    def rebuild(self, kind, rows, batch_size, listing):
        """Refresh `rows` batch by batch in primary key order; the number of stale rows."""
        total = rows.count()
        done = stale = 0
        last = 0
        while batch := list(rows.filter(pk__gt=last).order_by("pk")[:batch_size]):
            last = batch[-1].pk
            found = rows.model.objects.refresh(batch, dry_run=listing)
            if listing or self.verbosity > 1:
                for row, names in found.items():
                    labels = ", ".join(sorted({LABELS[name] for name in names}))
                    # On a terminal the line replaces the progress bar, which follows it.
                    clear = "\r\033[K" if self.stdout.isatty() else ""
                    self.stdout.write(f"{clear}{kind} {row.pk}: {labels}")
            stale += len(found)
            done += len(batch)
            self.progress(kind, done, total)
        if self.stdout.isatty() and self.verbosity:
            self.stdout.write("")
        return stale

    def progress(self, kind, done, total):
        if self.stdout.isatty() and self.verbosity:
            width = 30
            filled = width * done // max(total, 1)
            bar = "#" * filled + "-" * (width - filled)
            self.stdout.write(f"\r{kind:>8} [{bar}] {done}/{total}", ending="")
            self.stdout.flush()
