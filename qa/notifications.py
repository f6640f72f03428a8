"""E-mail telling a member that someone else answered their question or followed up on
their answer.

Mail goes out once the write is committed (transaction.on_commit): a write that is rolled
back mails nobody, and a mail that cannot be sent is logged, never taking the write with it.
Only new writes by members call these (an edit, an import or one's own answer to one's own
question tells nobody), and only to a member who has not turned the mail off on their
profile and has an active account with an address. The question's author may read every
answer to their question even while answering is blind, so the mail shows nothing they
could not see.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.text import Truncator
from django.utils.translation import gettext

from .models import Member
from .reminders import ReminderError, site_url

logger = logging.getLogger(__name__)

# Characters of the answer or follow-up quoted in the mail; the link leads to the rest.
EXCERPT_LENGTH = 400


def answer_posted(answer):
    """Tell the question's author about `answer`, a new one, once it is committed."""
    _after_commit(
        answer.question.author_id,
        answer.author_id,
        lambda recipient: answer_email(answer, recipient),
    )


def follow_up_posted(follow_up):
    """Tell the answer's author about `follow_up`, a new one, once it is committed."""
    _after_commit(
        follow_up.answer.author_id,
        follow_up.author_id,
        lambda recipient: follow_up_email(follow_up, recipient),
    )


def _after_commit(recipient_id, writer_id, build):
    if recipient_id is None or recipient_id == writer_id:  # the group's question, or one's own
        return
    transaction.on_commit(lambda: _send(recipient_id, build))


def _send(recipient_id, build):
    # Read when the write is in: a profile saved in the meantime has the last word.
    recipient = Member.objects.select_related("user").filter(pk=recipient_id).first()
    if recipient is None or not recipient.notify_by_email or not recipient.email:
        return
    try:
        # In the group's language: whoever wrote it may have had another one.
        with translation.override(settings.LANGUAGE_CODE):
            message = build(recipient)
        message.send()
    except ReminderError as error:  # no SITE_URL to link to
        logger.warning("notification to member %s not sent: %s", recipient_id, error)
    except Exception:  # noqa: BLE001  (SMTP fails in many ways; the write stands regardless)
        logger.exception("notification to member %s not sent", recipient_id)


def answer_email(answer, recipient):
    question = answer.question
    return _email(
        recipient,
        subject=gettext("%(name)s answered your question: %(title)s")
        % {"name": answer.author.name, "title": question.title},
        intro=gettext("%(name)s answered your question in %(round)s.")
        % {"name": answer.author.name, "round": question.round.display_title},
        question=question,
        excerpt=answer.search_text,
        link=site_url(answer.get_absolute_url()),
        link_text=gettext("Read the answer"),
    )


def follow_up_email(follow_up, recipient):
    question = follow_up.answer.question
    return _email(
        recipient,
        subject=gettext("%(name)s followed up on your answer: %(title)s")
        % {"name": follow_up.author.name, "title": question.title},
        intro=gettext("%(name)s followed up on your answer to %(question)s in %(round)s.")
        % {"name": follow_up.author.name, "question": question.whose_text,
           "round": question.round.display_title},  # fmt: skip
        question=question,
        excerpt=follow_up.body,
        link=site_url(follow_up.get_absolute_url()),
        link_text=gettext("Read the follow-up"),
    )


def _email(recipient, subject, intro, question, excerpt, link, link_text):
    context = {
        "recipient": recipient,
        "intro": intro,
        "question": question.title,
        "excerpt": Truncator(excerpt.strip()).chars(EXCERPT_LENGTH),
        "link": link,
        "link_text": link_text,
        "profile": site_url(reverse("qa:profile")),
    }
    message = EmailMultiAlternatives(
        subject=f"[StudyBoard] {subject}",
        body=render_to_string("qa/notification_email.txt", context),
        to=[recipient.email],
    )
    message.attach_alternative(render_to_string("qa/notification_email.html", context), "text/html")
    return message
