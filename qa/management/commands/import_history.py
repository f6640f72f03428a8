from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from qa.history import imported_message, plan_import, save_plan
from qa.roundfile import HistoryError


class Command(BaseCommand):
    help = (
        "Import a group's whole repository of weekly Markdown files (a folder, or a .zip such "
        "as GitHub's Download ZIP): round files, week folders or member folders. Everything is "
        "written in one transaction or not at all; a plan with warnings needs --accept-warnings."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the repository's folder or .zip file")
        parser.add_argument(
            "--dry-run", action="store_true", help="show what would be created, write nothing"
        )
        parser.add_argument(
            "--accept-warnings", action="store_true",
            help="import even though the plan has warnings (read them first)",
        )  # fmt: skip
        parser.add_argument(
            "--first-round", type=int,
            help="number of the first numbered week's round; default: the weeks' own numbers",
        )  # fmt: skip

    def handle(self, *args, path, dry_run, accept_warnings, first_round, **options):
        try:
            plan = plan_import(path, first_round=first_round)
            for line in plan.describe():
                self.stdout.write(line)
            if dry_run:
                self.stdout.write(_("Dry run: nothing was written."))
                return
            if plan.warnings and not accept_warnings:
                raise CommandError(
                    _(
                        "The plan has %(count)d warnings (above); nothing was written. Fix the "
                        "files, or import with --accept-warnings if the plan is right."
                    )
                    % {"count": len(plan.warnings)}
                )
            rounds = save_plan(plan)
        except HistoryError as err:
            raise CommandError(str(err)) from None
        self.stdout.write(self.style.SUCCESS(imported_message(plan, rounds)))
