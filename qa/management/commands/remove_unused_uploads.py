from datetime import timedelta

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand

from qa.models import Upload
from qa.models.uploads import unused_files


class Command(BaseCommand):
    help = (
        "Delete editor images that no question, answer or earlier version of an answer shows, "
        "once they are older than the grace period. Run it daily from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--grace-hours",
            type=float,
            default=24,
            help="keep younger files, which an answer being written may still use (default 24)",
        )
        parser.add_argument("--dry-run", action="store_true", help="list, delete nothing")

    def handle(self, *args, grace_hours, dry_run, **options):
        count = freed = 0
        for path, size in unused_files(timedelta(hours=grace_hours)):
            self.stdout.write(path)
            count += 1
            freed += size
            if not dry_run:
                # The row first: a file without its row is found again next time.
                Upload.objects.filter(file=path).delete()
                default_storage.delete(path)
        verb = "would free" if dry_run else "freed"
        self.stdout.write(f"{count} unused uploads, {verb} {freed / 1024 / 1024:.1f} MB")
