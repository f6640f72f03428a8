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
