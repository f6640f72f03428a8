from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from qa.importer import RoundFileError, parse_round, plan_import
from qa.models import PICK_MARKER, Round


class Command(BaseCommand):
    help = (
        "Import a weekly round Markdown file (members, their questions, 👀 picks and the "
        "# ANSWER part) as a round. Everything is written in one transaction or not at all."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the .md file")
        parser.add_argument(
            "--round", type=int, dest="number",
            help="round number; default: from the file name (3주차.md, week-03.md), "
            "else the next free number",
        )  # fmt: skip
        parser.add_argument("--title", help="default: the file's first # heading")
        parser.add_argument(
            "--answerer", help="the member who wrote answers that have no author line"
        )
        parser.add_argument("--picker", help="the member who picked; default: the curators")
        parser.add_argument(
            "--marker", default=PICK_MARKER, help=f"the pick marker (default {PICK_MARKER})"
        )
        parser.add_argument(
            "--state", choices=Round.State.values, default=Round.State.CLOSED,
            help="state of the new round (default: closed)",
        )  # fmt: skip
        parser.add_argument(
            "--dry-run", action="store_true", help="show what would be created, write nothing"
        )
        parser.add_argument(
            "--replace", action="store_true", help="delete a round with the same number first"
        )

    def handle(self, *args, path, number, title, answerer, picker, marker, state, **options):
        try:
            data = Path(path).read_bytes()
        except OSError as err:
            raise CommandError(_("Cannot read %(path)s: %(error)s") % {"path": path, "error": err})
        try:
            parsed = parse_round(data, filename=path, marker=marker)
            summary = plan_import(
                parsed,
                number=number,
                title=title,
                answerer=answerer,
                picker=picker,
                state=state,
                replace=options["replace"],
            )
            for line in summary.describe():
                self.stdout.write(line)
            if options["dry_run"]:
                self.stdout.write(_("Dry run: nothing was written."))
                return
            round_ = summary.save()
        except RoundFileError as err:
            raise CommandError(str(err)) from None
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Imported round %(number)d: %(questions)d questions, %(picks)d picks, "
                    "%(answers)d answers."
                )
                % {
                    "number": round_.number,
                    "questions": summary.question_count,
                    "picks": summary.pick_count,
                    "answers": len(summary.answers),
                }
            )
        )
