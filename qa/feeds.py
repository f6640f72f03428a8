from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import Answer, Round
from .text import without_control_characters

FEED_LENGTH = 30


class CleanAtom1Feed(Atom1Feed):
    """Atom, with the control characters XML cannot carry dropped from each entry: text saved
    before they were refused must not make the feed fail for everyone."""

    def add_item(self, title, link, description, **kwargs):
        title, description = map(without_control_characters, (title, description or ""))
        for name in ("author_name", "unique_id"):
            if kwargs.get(name):
                kwargs[name] = without_control_characters(kwargs[name])
        super().add_item(title, link, description, **kwargs)


class LatestAnswersFeed(Feed):
    feed_type = CleanAtom1Feed
    title = _("StudyBoard: new answers")
    subtitle = _("Answers to the questions picked with 👀, newest first.")
    link = reverse_lazy("qa:home")

    def items(self):
        # Feeds are read without a session, so drafts stay out even for curators, and the
        # answers blind answering hides stay out as they do for visitors.
        answers = (
            Answer.objects.visible_in(Round.objects.visible()).revealed_to(None).for_listing()
        )
        return answers.order_by("-created", "-pk")[:FEED_LENGTH]

    def item_title(self, answer):
        return gettext("%(name)s's question — answer by %(author)s") % {
            "name": answer.question.asker_name,
            "author": answer.author.name,
        }

    def item_description(self, answer):
        return answer.body_html  # sanitized when saved; the feed escapes it as text/html

    def item_author_name(self, answer):
        return answer.author.name

    def item_pubdate(self, answer):
        return answer.created

    def item_updateddate(self, answer):
        return answer.updated


class LatestRoundsFeed(Feed):
    feed_type = CleanAtom1Feed
    title = _("StudyBoard: new rounds")
    subtitle = _("Each week's questions, as soon as a round is published.")
    link = reverse_lazy("qa:round-list")

    def items(self):
        return Round.objects.visible().order_by("-number")[:FEED_LENGTH]

    def item_title(self, round_):
        return round_.display_title

    def item_description(self, round_):
        week = gettext("Week %(number)s") % {"number": round_.number}
        return f"{week} · {round_.get_state_display()}"

    def item_pubdate(self, round_):
        return round_.created

    def item_updateddate(self, round_):
        return round_.updated
