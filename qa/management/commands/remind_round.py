import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext, ngettext

from qa.models import Round
from qa.reminders import (
    ReminderError, dues, email_for, post_webhook, send_emails, summary, webhook_kind,
    webhook_payloads,
)  # fmt: skip


class Command(BaseCommand):
    help = (
        "E-mail each member who still owes questions or answers in round N exactly what they "
        "owe, with links, and post the same summary to REMINDER_WEBHOOK_URL (Discord or Slack) "
        "when it is set."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "number", type=int, nargs="?", help="the round's number (default: this week's)"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="print what would be sent, send nothing"
        )

    def handle(self, *args, number, dry_run, **options):
        if number is None:
            round_ = Round.objects.in_progress().order_by("-number").first()
            if round_ is None:
                raise CommandError(gettext("No round is taking questions or answers."))
            number = round_.number
        round_ = Round.objects.filter(number=number).first()
        if round_ is None:
            raise CommandError(gettext("There is no week %(number)d.") % {"number": number})
        if not round_.is_in_progress():
            raise CommandError(
                gettext("Week %(number)d is “%(state)s”: members owe nothing in it.")
                % {"number": number, "state": round_.get_state_display()}
            )
        with translation.override(settings.LANGUAGE_CODE):
            try:
                self.remind(round_, dry_run)
            except ReminderError as error:
                raise CommandError(str(error)) from error

    def remind(self, round_, dry_run):
        owing = dues(round_)
        messages = [email_for(one, round_) for one in owing if one.email]
        unreachable = [one.member.name for one in owing if not one.email]
        url = settings.REMINDER_WEBHOOK_URL
        kind = webhook_kind(url, settings.REMINDER_WEBHOOK_KIND) if url and owing else ""
        payloads = webhook_payloads(kind, summary(round_, owing)) if kind else []
        if not owing:
            self.stdout.write(gettext("Nobody owes anything in this week."))
            return
        if dry_run:
            for message in messages:
                self.stdout.write(
                    f"To: {', '.join(message.to)}\nSubject: {message.subject}\n\n{message.body}"
                )
            for payload in payloads:
                self.stdout.write(f"{kind}: {json.dumps(payload, ensure_ascii=False)}")
        sent = len(messages) if dry_run else send_emails(messages)
        self.stdout.write(
            (
                ngettext("Would e-mail %(count)d member.", "Would e-mail %(count)d members.", sent)
                if dry_run
                else ngettext("E-mailed %(count)d member.", "E-mailed %(count)d members.", sent)
            )
            % {"count": sent}
        )
        if unreachable:
            self.stdout.write(
                gettext("Not e-mailed, without an account or an address: %(names)s")
                % {"names": ", ".join(unreachable)}
            )
        if payloads and not dry_run:
            post_webhook(url, payloads, settings.REMINDER_WEBHOOK_TIMEOUT)
            self.stdout.write(gettext("Posted the summary to the %(kind)s webhook.") % {"kind": kind})
