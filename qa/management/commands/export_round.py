from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from qa.exporter import export_filename, export_round
from qa.models import Round


class Command(BaseCommand):
    help = (
        "Write a round as a weekly Markdown file, the format import_round reads: to standard "
        "output, to -o FILE, or every round into a directory with --all DIR."
    )

    def add_arguments(self, parser):
        parser.add_argument("number", nargs="?", type=int, help="the round number")
        parser.add_argument("-o", "--output", help="write to this file instead of standard output")
        parser.add_argument(
            "--all", dest="directory", help="write every round to DIR, one week-NN.md per round"
        )

    def handle(self, *args, number, output, directory, **options):
        if directory:
            if number is not None or output:
                raise CommandError(_("Give either a round number or --all DIR, not both."))
            self._export_all(Path(directory))
            return
        if number is None:
            raise CommandError(_("Give a round number, or --all DIR for every round."))
        round_ = Round.objects.filter(number=number).first()
        if round_ is None:
            raise CommandError(_("There is no round %(number)d.") % {"number": number})
        text = export_round(round_)
        if output:
            self._write(Path(output), text)
            self.stdout.write(_("Wrote %(path)s.") % {"path": output})
        else:
            self.stdout.write(text, ending="")

    def _export_all(self, directory):
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise CommandError(str(err)) from None
        rounds = Round.objects.order_by("number")
        for round_ in rounds:
            self._write(directory / export_filename(round_), export_round(round_))
        self.stdout.write(
            _("Wrote %(count)d rounds to %(path)s.") % {"count": len(rounds), "path": directory}
        )

    def _write(self, path, text):
        try:
            # newline="" keeps LF line ends on every platform, as the export defines them.
            with path.open("w", encoding="utf-8", newline="") as file:
                file.write(text)
        except OSError as err:
            raise CommandError(str(err)) from None
