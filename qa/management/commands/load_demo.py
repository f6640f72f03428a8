from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from qa.importer import RoundFileError, parse_round, plan_import
from qa.models import Round

DEMO_FILE = Path(__file__).resolve().parents[2] / "demo" / "week-01.md"


class Command(BaseCommand):
    help = (
        "Load the sample week (qa/demo/week-01.md) as round 1 through the importer, "
        "when the database has no rounds yet. `make run` calls it."
    )

    def handle(self, *args, **options):
        if Round.objects.exists():
            self.stdout.write(_("The database already has rounds; the demo round was not loaded."))
            return
        try:
            # An answering round without blind answering (the importer's rounds have none):
            # the sample's answers were written in the open, and the README's screenshot
            # shows them to whoever opens the demo.
            parsed = parse_round(DEMO_FILE.read_bytes(), filename=DEMO_FILE.name)
            round_ = plan_import(
                parsed, number=1, answerer="sky", state=Round.State.ANSWERING
            ).save()
        except RoundFileError as err:
            raise CommandError(str(err)) from None
        self.stdout.write(
            self.style.SUCCESS(
                _("Loaded the demo round %(number)d from %(file)s.")
                % {"number": round_.number, "file": DEMO_FILE.name}
            )
        )
