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
def can_pick(question, user):
    return question.can_pick(user)


@register.filter
def can_pick_for_group(question, user):
    return question.can_pick_for_group(user)


@register.filter
def can_answer(question, user):
    return question.can_answer(user)


@register.filter
def pick_of(question, user):
    """The user's own 👀 on a board question, if any."""
    member = member_of(user)
    return question.pick_of(member) if member else None


@register.filter
def group_pick(question):
    return question.pick_of(None)


@register.filter
def answer_of(question, user):
    return question.answer_of(member_of(user))
