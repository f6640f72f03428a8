"""Pages cached in parts for signed-in readers: {% shared_part %} and {% live_include %}.

    {% shared_part "content" %} ... {% live_include "qa/_answer_link.html" question=question %} ... {% end_shared_part %}

A shared part is rendered once per version of the page (qa.pagecache.SharedParts) for a
stand-in reader who is signed in (or not) and nothing more: no member, no staff rights, no
CSRF token. So whatever a shared part shows is the same for everyone, and a template that
forgets a live_include shows too little, never someone else's buttons. Each live_include
inside it is rendered for the real reader on every request, from the values it was given at
the time, kept beside the part without their texts.
"""

import copy
import secrets

from django import template
from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from qa import pagecache
from qa.models import display_name, member_of

from .qa_permissions import (
    SHOWS_NOTHING,
    can_answer,
    can_edit,
    group_pick_offer,
    pick_offer,
    reactions_key,
)

register = template.Library()

SLOTS = "_qa_live_slots"


def _question_actions(user, request, question, on_board=False, first=False, last=False, **more):
    """The question actions' key in SAME_FOR_READERS."""
    if more or request is None:
        return None
    offers = (pick_offer(question, user), group_pick_offer(question, user))
    rights = (*offers, can_edit(question, user))
    place = (request.get_full_path(), on_board, first, last)
    return (question.pk, question.round.number, rights, place)


# Live parts whose HTML is the same for every reader and request with the same key (in the
# same language), so each worker renders each once: the header's, which show who the reader
# is, and the board's, which show what the reader may do with a question or an answer. The
# key names everything the template reads, the reader's rights as the permission filters
# answer them; None renders the part for the request: a visitor's sign-in link (it names
# the page), or values the key does not name (a template given more reads more).
# test_page_parts checks these against fresh renders.
SAME_FOR_READERS = {
    "qa/_reader_nav.html": lambda user, request, **more: (
        None if more else (member_of(user) is not None, user.is_staff)
    ),
    "qa/_account.html": lambda user, request, **more: (
        display_name(user) if user.is_authenticated and not more else None
    ),
    "qa/_curator_footer.html": lambda user, request, **more: None if more else user.is_staff,
    "qa/_question_actions.html": _question_actions,
    "qa/_answer_link.html": lambda user, request, question, **more: (
        None if more else (question.pk, can_answer(question, user))
    ),
    "qa/_answer_edit_link.html": lambda user, request, answer, **more: (
        None if more else (answer.pk, answer.can_edit(user))
    ),
    # The buttons with their counts and the reader's pressed state, and the address the forms
    # lead back to: readers who pressed the same see the same.
    "qa/_reactions.html": lambda user, request, answer, **more: (
        None
        if more or request is None
        else (answer.pk, reactions_key(user, request, answer), request.get_full_path())
    ),
}
# Live parts that say how long ago something happened: a page showing one is kept for its
# reader only briefly (qa.pagecache.cached_page()).
CHANGES_WITH_TIME = frozenset({"qa/_new_for_you.html"})
# How many parts a worker keeps: a board's questions in their few states, for several boards.
KEPT_FOR_READERS = 5000
# {% csrf_token %} in such a part is rendered with the stand-in whole pages kept for a reader
# use (qa.pagecache), which each request replaces with its reader's own token.
TOKEN_STAND_IN = pagecache.CSRF_STAND_IN
_rendered_for_readers = {}

# What a live part never reads (the shared part shows them): the bulk of a question or an
# answer, left out of what is kept for the live parts.
TEXTS = frozenset({"text", "text_html", "search_text", "body", "body_html"})


class SignedInReader(AnonymousUser):
    """Whoever is signed in, as far as a shared part may know: no member, no rights."""

    is_authenticated = True
    is_anonymous = False


class SharedRequest:
    """The request as a shared part may see it: its address and query, not its reader.

    The reader is the stand-in; the session, cookies and headers (which carry the CSRF
    cookie) are not there at all, so a template cannot show them by mistake.
    """

    HIDDEN = frozenset({"session", "COOKIES", "META", "headers", "auth", "_messages"})

    def __init__(self, request, reader):
        self._request, self.user = request, reader

    def __getattr__(self, name):
        if name in self.HIDDEN:
            raise AttributeError(name)
        return getattr(self._request, name)


class _Slots:
    def __init__(self):
        self.token = secrets.token_hex(16)
        self.slots = []

    def add(self, template_name, values):
        self.slots.append((template_name, _without_texts(values)))
        return f"<!--{self.token}-->"


@register.tag
def shared_part(parser, token):
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError(f"{bits[0]} takes the part's name")
    nodelist = parser.parse(("end_shared_part",))
    parser.delete_first_token()
    return SharedPartNode(parser.compile_filter(bits[1]), nodelist)


class SharedPartNode(template.Node):
    def __init__(self, name, nodelist):
        self.name, self.nodelist = name, nodelist

    def render(self, context):
        shared = context.get("shared")
        if shared is None:  # a view that caches nothing: everything is rendered for the reader
            return self.nodelist.render(context)
        name = self.name.resolve(context)
        part = shared.get(name)
        if part is None:
            part = self._render_shared(context, shared)
            shared.put(name, part)
        chunks, slots = part
        if not slots:
            return chunks[0]
        html = [chunks[0]]
        templates = {}
        reader = _unwrapped(context["user"])
        with context.push(user=reader):
            for (template_name, values), chunk in zip(slots, chunks[1:]):
                html += [_render_live(context, template_name, values, templates), chunk]
        # Not mark_safe(): it would copy a board's 200 KB once more, and the template's
        # NodeList marks what its nodes give as safe anyway.
        return "".join(html)

    def _render_shared(self, context, shared):
        reader = SignedInReader() if context["user"].is_authenticated else AnonymousUser()
        slots = _Slots()
        # "NOTPROVIDED": {% csrf_token %} renders nothing here; a form belongs in a live part.
        with context.push(
            user=reader,
            request=SharedRequest(context["request"], reader),
            perms=None,
            messages=(),
            csrf_token="NOTPROVIDED",
            **{SLOTS: slots},
            **shared.data(),
        ):
            html = self.nodelist.render(context)
        return html.split(f"<!--{slots.token}-->"), slots.slots


@register.tag
def live_include(parser, token):
    """{% live_include "template" name=value ... %}: rendered for the reader, always."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError(f"{bits[0]} takes a template name")
    values = template.base.token_kwargs(bits[2:], parser)
    if len(values) != len(bits) - 2:
        raise template.TemplateSyntaxError(f"{bits[0]} takes name=value arguments only")
    return LiveIncludeNode(parser.compile_filter(bits[1]), values)


class LiveIncludeNode(template.Node):
    def __init__(self, template_name, values):
        self.template_name, self.values = template_name, values

    def render(self, context):
        template_name = self.template_name.resolve(context)
        values = {name: value.resolve(context) for name, value in self.values.items()}
        slots = context.get(SLOTS)
        if slots is not None:
            return slots.add(template_name, values)
        return _render_live(context, template_name, values)


def _unwrapped(user):
    """The account itself, not request.user's lazy object: each live part asks it a lot."""
    if isinstance(user, SimpleLazyObject):
        user.is_authenticated  # noqa: B018  (loads it)
        return user._wrapped
    return user


def _render_live(context, template_name, values, templates=None):
    shows_nothing = SHOWS_NOTHING.get(template_name)
    if shows_nothing is not None and shows_nothing(context["user"], **values):
        return ""
    reader_key = SAME_FOR_READERS.get(template_name)
    key = reader_key(context["user"], context.get("request"), **values) if reader_key else None
    if key is None:
        html = _render_template(context, template_name, values, templates)
        if template_name in CHANGES_WITH_TIME and html.strip():
            context["request"].qa_changes_with_time = True
        return html
    key = (template_name, get_language(), key)
    html = _rendered_for_readers.get(key)
    if html is None:
        if len(_rendered_for_readers) >= KEPT_FOR_READERS:  # boards change; memory does not
            _rendered_for_readers.clear()
        stand_in = {**values, "csrf_token": TOKEN_STAND_IN}
        html = _render_template(context, template_name, stand_in, templates)
        _rendered_for_readers[key] = html
    if TOKEN_STAND_IN in html:  # asked only then: a token sets the reader's CSRF cookie
        token = context.get("csrf_token")
        if not token or token == "NOTPROVIDED":  # no request: {% csrf_token %} shows nothing
            return _render_template(context, template_name, values, templates)
        html = mark_safe(html.replace(TOKEN_STAND_IN, str(token)))
    return html


def _render_template(context, template_name, values, templates=None):
    templates = {} if templates is None else templates
    live = templates.get(template_name)
    if live is None:
        live = templates[template_name] = context.template.engine.get_template(template_name)
    with context.push(**{SLOTS: None}, **values):
        return live.render(context)


def _without_texts(value, memo=None):
    """A copy of `value` whose model instances (and those they hold) leave out TEXTS."""
    memo = {} if memo is None else memo
    if isinstance(value, (list, tuple)):
        return type(value)(_without_texts(item, memo) for item in value)
    if not isinstance(value, models.Model):
        return value
    if id(value) in memo:
        return memo[id(value)]
    slim = value.__class__.__new__(value.__class__)
    memo[id(value)] = slim
    for key, item in value.__dict__.items():
        if key in TEXTS or key == "_prefetched_objects_cache":
            continue
        if key == "_state":
            state = copy.copy(item)
            state.fields_cache = {
                field: _without_texts(related, memo) for field, related in item.fields_cache.items()
            }
            item = state
        else:
            item = _without_texts(item, memo)
        slim.__dict__[key] = item
    return slim
