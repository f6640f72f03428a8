from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from qa.history import export_history


class Command(BaseCommand):
    help = (
        "Write the whole board into DIR as a repository in the week-folders layout (a folder "
        "per week, questions.md and one answer file per member, images under images/), which "
        "import_history reads back and GitHub renders."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="an empty or new folder")

    def handle(self, *args, directory, **options):
        root = Path(directory)
        if root.exists() and any(root.iterdir()):
            raise CommandError(_("%(path)s is not empty.") % {"path": directory})
        files = export_history()
        try:
            for name, data in files.items():
                path = root / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
        except OSError as err:
            raise CommandError(str(err)) from None
        self.stdout.write(
            _("Wrote %(count)d files to %(path)s.") % {"count": len(files), "path": directory}
        )
