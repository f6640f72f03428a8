"""What each member still owes in a round, told by e-mail and in the group's chat
(`remind_round`).

A member owes questions while the round is open for questions: up to its number per member,
counted for everyone with an active account and everyone with a list. A member owes answers
while the round is answering: each picked question of someone else's they have not answered,
as the board's answer matrix counts them (qa.board).
"""

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext, ngettext

from .board import answer_matrix
from .models import Member

# What one message may hold: Discord refuses content past 2,000 characters, and Slack
# advises keeping a message's text under 4,000.
WEBHOOK_LIMITS = {"discord": 2000, "slack": 4000}
WEBHOOK_HOSTS = {"discord": ("discord.com", "discordapp.com"), "slack": ("hooks.slack.com",)}


class ReminderError(Exception):
    """A reminder could not be sent; the message says why, for the person running it."""


@dataclass(frozen=True)
class Dues:
    member: Member
    questions: int  # more questions the member's list takes
    answers: tuple  # picked questions of others the member has not answered

    @property
    def email(self):
        return self.member.email


def dues(round_):
    """Everyone who owes something in `round_`, in the board's order."""
    member_lists, picked = round_.board()
    if round_.is_open_for_questions():
        counts = {author.pk: len(questions) for author, questions in member_lists}
        owed = {pk: round_.question_limit - count for pk, count in counts.items()}
        members = _with_accounts(Q(pk__in=counts) | Q(user__is_active=True))
        order = [*counts, *sorted(set(members) - set(counts), key=lambda pk: members[pk].name)]
        owing = [(pk, owed.get(pk, round_.question_limit)) for pk in order]
        return [Dues(members[pk], count, ()) for pk, count in owing if count > 0]
    if round_.is_open_for_answers():
        rows = [row for row in answer_matrix(member_lists, picked) if row.owed]
        members = _with_accounts(Q(pk__in=[row.member.pk for row in rows]))
        return [
            Dues(
                members[row.member.pk],
                0,
                tuple(cell.question for cell in row.cells if not cell.answer and not cell.own),
            )
            for row in rows
        ]
    return []


def _with_accounts(condition):
    return {m.pk: m for m in Member.objects.filter(condition).select_related("user")}


def site_url(path):
    """`path` as an absolute address on settings.SITE_URL."""
    base = settings.SITE_URL.rstrip("/")
    if urlsplit(base).scheme not in ("http", "https") or not urlsplit(base).netloc:
        raise ReminderError(
            gettext(
                "Set SITE_URL to the board's address, such as https://board.example.com: "
                "reminders link to it."
            )
        )
    return base + path


def _when(moment):
    local = timezone.localtime(moment)
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} ({formats.date_format(local, 'T')})"


def _deadline_line(round_):
    deadline = round_.deadline
    if deadline is None:
        return ""
    return f"{deadline.label}: {_when(deadline.at)} · {deadline.left_text()}"


def _owed_lines(one, round_):
    """What one member owes, a line each, with the link where they do it."""
    lines = []
    if one.questions:
        lines.append(
            ngettext(
                "%(count)d more question (up to %(limit)d each this week)",
                "%(count)d more questions (up to %(limit)d each this week)",
                one.questions,
            )
            % {"count": one.questions, "limit": round_.question_limit}
        )
        lines.append("  " + site_url(reverse("qa:question-add", args=[round_.number])))
    if one.answers:
        lines.append(
            ngettext("%(count)d answer", "%(count)d answers", len(one.answers))
            % {"count": len(one.answers)}
        )
        for question in one.answers:
            lines.append(
                "- "
                + gettext("%(name)s's question %(label)s %(title)s")
                % {"name": question.author.name, "label": question.display_label,
                   "title": question.title}  # fmt: skip
            )
            lines.append("  " + site_url(reverse("qa:question-answer", args=[question.pk])))
    return lines


def email_for(one, round_):
    """The e-mail telling one member what they owe."""
    if one.questions:
        subject = ngettext(
            "Week %(number)d: %(count)d more question",
            "Week %(number)d: %(count)d more questions",
            one.questions,
        ) % {"number": round_.number, "count": one.questions}
    else:
        subject = ngettext(
            "Week %(number)d: %(count)d answer to write",
            "Week %(number)d: %(count)d answers to write",
            len(one.answers),
        ) % {"number": round_.number, "count": len(one.answers)}
    body = [
        gettext("%(name)s, this is what you still owe in %(round)s.")
        % {"name": one.member.name, "round": round_.display_title},
        "",
        *_owed_lines(one, round_),
        "",
    ]
    if deadline := _deadline_line(round_):
        body += [deadline, ""]
    body.append(gettext("This week's board: %(url)s") % {"url": site_url(round_.get_absolute_url())})
    return EmailMessage(
        subject=f"[StudyBoard] {subject}", body="\n".join(body) + "\n", to=[one.email]
    )


def summary(round_, owing):
    """The group's summary for the chat: everyone who owes something and what."""
    lines = [round_.display_title]
    if deadline := _deadline_line(round_):
        lines.append(deadline)
    lines.append("")
    for one in owing:
        owed = _owed_lines(one, round_)
        lines.append(f"{one.member.name}: {owed[0]}")
        lines += owed[1:]
    lines += ["", site_url(round_.get_absolute_url())]
    return "\n".join(lines)


def send_emails(messages):
    """Send `messages` over one connection of the configured backend; how many went."""
    if not messages:
        return 0
    try:
        return get_connection(fail_silently=False).send_messages(messages)
    except (OSError, ValueError) as error:  # smtplib's errors are OSErrors
        raise ReminderError(
            gettext("Sending e-mail failed: %(error)s") % {"error": error or type(error).__name__}
        ) from error


def webhook_kind(url, kind=""):
    """"discord" or "slack": `kind` when given, else told by the URL's host."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ReminderError(gettext("REMINDER_WEBHOOK_URL must be an http or https address."))
    if kind:
        if kind not in WEBHOOK_LIMITS:
            raise ReminderError(
                gettext('REMINDER_WEBHOOK_KIND is "discord" or "slack", not "%(kind)s".')
                % {"kind": kind}
            )
        return kind
    for name, hosts in WEBHOOK_HOSTS.items():
        if any(parts.hostname == host or parts.hostname.endswith("." + host) for host in hosts):
            return name
    raise ReminderError(
        gettext(
            "Cannot tell whether %(host)s is a Discord or a Slack webhook: set "
            "REMINDER_WEBHOOK_KIND to discord or slack."
        )
        % {"host": parts.hostname}
    )


def webhook_payloads(kind, text):
    """The JSON bodies that post `text` to a webhook of `kind`, each within its limit."""
    if kind == "slack":
        # Slack reads these three as markup (<!channel>, <url|text>); escaped, they are text.
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return [{"text": chunk} for chunk in _chunks(text, WEBHOOK_LIMITS[kind])]
    # No member name, however written, pings anyone.
    return [
        {"content": chunk, "allowed_mentions": {"parse": []}}
        for chunk in _chunks(text, WEBHOOK_LIMITS[kind])
    ]


def _chunks(text, limit):
    """`text` in pieces of at most `limit` characters, cut between lines where it can be."""
    chunks, current = [], ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                chunks.append(current)
                current = ""
            chunks.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            chunks.append(current)
            candidate = line
        current = candidate
    if current.strip():
        chunks.append(current)
    return chunks


def post_webhook(url, payloads, timeout):
    """POST each payload to the webhook, in order; a refusal or no answer is a ReminderError
    naming the host only, since the URL itself is the webhook's secret."""
    host = urlsplit(url).hostname
    for payload in payloads:
        request = urllib.request.Request(
            url,
            data=json.dumps(payload, ensure_ascii=False).encode(),
            headers={"Content-Type": "application/json", "User-Agent": "StudyBoard reminders"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                response.read()
        except urllib.error.HTTPError as error:
            raise ReminderError(
                gettext("The webhook at %(host)s refused the message: HTTP %(status)d %(body)s")
                % {"host": host, "status": error.code, "body": error.read(200).decode(errors="replace")}
            ) from error
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", None) or error or type(error).__name__
            raise ReminderError(
                gettext("The webhook at %(host)s did not answer: %(reason)s")
                % {"host": host, "reason": reason}
            ) from error
    return len(payloads)
