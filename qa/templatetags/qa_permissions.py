"""Template access to the models' permission methods, which take the user as an argument."""

from django import template

from qa.models import member_of

register = template.Library()


@register.filter
def can_edit(obj, user):
    """A question or an answer."""
    return obj.can_edit(user)


@register.filter
def can_add_question(round_, user):
    return round_.can_add_question(user)


@register.filter
def pick_offer(question, user):
    """The reader's own 👀 button: "unpick" to take theirs back, "pick" to give one, or ""."""
    member = member_of(user)
    if member and question.pick_of(member):
        return "unpick" if question.can_unpick(user) else ""
    return "pick" if question.can_pick(user) else ""


@register.filter
def group_pick_offer(question, user):
    """The curators' 👀 button, as pick_offer() is the reader's own."""
    if question.pick_of(None):
        return "unpick" if question.can_unpick_for_group(user) else ""
    return "pick" if question.can_pick_for_group(user) else ""


@register.filter
def can_answer(question, user):
    return question.can_answer(user)


# When a reader's part of a page (qa_fragments' live_include) would show nothing: the
# template's own outer condition, checked without rendering it. A board has a live part per
# question and per answer, and most readers may act on few of them.
def _no_question_actions(user, question, **values):
    # The round first: in most rounds most readers may do nothing with any question, and the
    # three checks below would each find that out again (raising and catching PermissionDenied).
    if not question.round.may_act_on_questions(user):
        return True
    return not (pick_offer(question, user) or group_pick_offer(question, user) or can_edit(question, user))


SHOWS_NOTHING = {
    "qa/_question_actions.html": _no_question_actions,
    "qa/_answer_edit_link.html": lambda user, answer, **values: not answer.can_edit(user),
    "qa/_answer_link.html": lambda user, question, **values: not question.can_answer(user),
    "qa/_add_question.html": lambda user, round, **values: not round.can_add_question(user),
    "qa/_curator_footer.html": lambda user, **values: not user.is_staff,
}
