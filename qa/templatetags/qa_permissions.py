"""Template access to the models' permission methods, which take the user as an argument."""

from dataclasses import dataclass

from django import template

from qa.models import Reaction, member_of

register = template.Library()


@register.filter
def can_edit(obj, user):
    """A question or an answer."""
    return obj.can_edit(user)


@register.filter
def can_delete(obj, user):
    """A follow-up question."""
    return obj.can_delete(user)


@register.filter
def can_promote(follow_up, user):
    """The promotion button, for a follow-up not promoted yet."""
    return follow_up.promoted_to_id is None and follow_up.can_promote(user)


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


@dataclass(frozen=True)
class ReactionButton:
    kind: str
    emoji: str
    meaning: str
    count: int
    pressed: bool  # the reader's own


@dataclass(frozen=True)
class Reactions:
    """An answer's 👍 💡 ❓ as one reader sees them: buttons if they may react, else counts."""

    offered: bool
    buttons: tuple

    @property
    def shown(self):
        return self.offered or any(button.count for button in self.buttons)


@register.simple_tag(takes_context=True)
def reactions(context, answer):
    return reactions_for(context["user"], context.get("request"), answer)


def reactions_for(user, request, answer):
    """What the answer's reaction buttons show the reader."""
    offered, counts, pressed = reactions_key(user, request, answer)
    buttons = tuple(
        ReactionButton(
            kind=kind,
            emoji=emoji,
            meaning=Reaction.MEANINGS[kind],
            count=count,
            pressed=kind in pressed,
        )
        for (kind, emoji), count in zip(Reaction.Kind.choices, counts)
    )
    return Reactions(offered, buttons)


def reactions_key(user, request, answer):
    """All reactions_for() tells, as plain values: whether the reader may react, the counts
    and the kinds they pressed. Also the key of the buttons' part kept for readers who see the
    same (qa_fragments.SAME_FOR_READERS), so no buttons are built for a part already kept."""
    offered = answer.can_react(user)
    pressed = _pressed_by_reader(user, request, answer) if offered else set()
    kinds = Reaction.Kind.values
    return (
        offered,
        tuple(answer.reaction_count(kind) for kind in kinds),
        tuple(kind for kind in kinds if (answer.pk, kind) in pressed),
    )


def _pressed_by_reader(user, request, answer):
    """The reader's reactions in the answer's round, looked up once per request for all the
    buttons of a page (each answer's are a live part of its own)."""
    member = member_of(user)
    memo = getattr(request, "_qa_reactions", None)
    if memo is None:
        memo = {}
        if request is not None:
            request._qa_reactions = memo
    key = (member.pk, answer.round_id)
    if key not in memo:
        memo[key] = Reaction.objects.pressed_by(member, answer.round_id)
    return memo[key]


def _no_reactions(user, answer, **values):
    return not (
        answer.can_react(user) or any(answer.reaction_count(kind) for kind in Reaction.Kind.values)
    )


# When a reader's part of a page (qa_fragments' live_include) would show nothing: the
# template's own outer condition, checked without rendering it. A board has a live part per
# question and per answer, and most readers may act on few of them.
def _no_question_actions(user, question, **values):
    # The round first: in most rounds most readers may do nothing with any question, and the
    # three checks below would each find that out again (raising and catching PermissionDenied).
    if not question.round.may_act_on_questions(user):
        return True
    return not (pick_offer(question, user) or group_pick_offer(question, user) or can_edit(question, user))


def _no_follow_up_actions(user, follow_up, **values):
    return not (
        can_edit(follow_up, user) or can_delete(follow_up, user) or can_promote(follow_up, user)
    )


SHOWS_NOTHING = {
    "qa/_question_actions.html": _no_question_actions,
    "qa/_reactions.html": _no_reactions,
    "qa/_answer_edit_link.html": lambda user, answer, **values: not answer.can_edit(user),
    "qa/_answer_link.html": lambda user, question, **values: not question.can_answer(user),
    "qa/_reveal_link.html": lambda user, question, **values: (
        user.is_authenticated and not question.can_answer(user)
    ),
    "qa/_add_question.html": lambda user, round, **values: not round.can_add_question(user),
    "qa/_curator_footer.html": lambda user, **values: not user.is_staff,
    # Visitors and accounts without a member have nothing of their own: no query at all.
    "qa/_new_for_you.html": lambda user, **values: member_of(user) is None,
    "qa/_follow_up_actions.html": _no_follow_up_actions,
    "qa/_follow_up_form.html": lambda user, answer, **values: not answer.can_follow_up(user),
}
