from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class QaConfig(AppConfig):
    name = "qa"
    verbose_name = _("Study board")

    def ready(self):
        from . import signals  # noqa: F401  (connects the receivers)
        from .checks import check_search_locale

        # A database check: run by `migrate` and `check --database`, never without a database.
        checks.register(check_search_locale, checks.Tags.database)
