"""Code blocks highlighted with Pygments' lexers, written as the short-class spans that
qa.markdown lets through its sanitizer.

Highlighting is most of a Markdown render's time (a 10 KB answer with two Python blocks: 1.6 ms
of 2.7), so it takes two shortcuts, both checked against stock Pygments in
qa/tests/test_markdown.py:

- A plain RegexLexer's rules are tried as one combined pattern per state instead of one
  Python call per rule; the tokens are the same. Lexers that do their own processing, and any
  lexer whose rules this module does not understand, run Pygments' own loop, as does any text
  on which the combined one fails.
- A small formatter writes the spans HtmlFormatter(nowrap=True) would.
"""

import html
import logging
import re
from functools import lru_cache, partial

from pygments.lexer import RegexLexer
from pygments.lexers import get_lexer_by_name
from pygments.token import STANDARD_TYPES, Error, Whitespace, _TokenType
from pygments.util import ClassNotFound

logger = logging.getLogger(__name__)

# Pygments' RegexLexer tries the rules of its current state one by one, a Python call each:
# some 35 failed calls per token of Python. One pattern per state, the rules as alternatives in
# their order, does the same search inside the regex engine; the first rule to match still wins.
_LEADING_FLAGS = re.compile(r"\(\?([aiLmsux]+)\)")
# Group numbers change inside a combined pattern, so a rule that refers back to a group (or has
# named ones) keeps its own pattern.
_GROUP_REFERENCE = re.compile(r"\\[1-9]|\(\?P=|\(\?\(")


def _uncaptured(source):
    """`source` with its capturing groups made non-capturing."""
    out, i, in_class = [], 0, False
    while i < len(source):
        char = source[i]
        if char == "\\":
            out.append(source[i : i + 2])
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            # A "]" right after "[" or "[^" is a literal, not the end of the class.
            end = i + 1 + (source[i + 1 : i + 2] == "^")
            end += source[end : end + 1] == "]"
            out.append(source[i:end])
            i, in_class = end, True
            continue
        elif char == "(" and source[i + 1 : i + 2] != "?":
            char = "(?:"
        out.append(char)
        i += 1
    return "".join(out)


def _alternative(pattern, flags):
    """A rule's pattern as one alternative of a combined pattern, or None if it cannot be one.

    Its own groups become non-capturing, so an alternative that starts with a literal or a
    character class is skipped by the engine on the first character; an empty group at the end
    tells which rule matched. Tokens only need the whole match; a rule with a callback gets a
    match of its own pattern, groups and all.
    """
    source = pattern.pattern
    if (
        not isinstance(source, str)
        # Mostly a Unicode identifier class, milliseconds to compile again each time it is
        # included; Pygments' own compiled pattern costs only a Python call per use.
        or len(source) > 2000
        or pattern.groupindex
        or _GROUP_REFERENCE.search(source)
        or (flags | pattern.flags) & re.VERBOSE
    ):
        return None
    if lead := _LEADING_FLAGS.match(source):
        # Global flags are only allowed at the start of the whole pattern; scope them instead.
        source = f"(?{lead[1]}:{source[lead.end() :]})"
    source = f"(?:{_uncaptured(source)})()"
    try:
        compiled = re.compile(source, flags)
    except re.error:
        return None
    if compiled.groups != 1 or re.compile(pattern.pattern, flags).flags != pattern.flags:
        return None
    return source


class _CombinedStates(dict):
    """A regex lexer's states, each as steps of (match, rules by marker group, None) or
    (match, None, rule). A state is combined when the lexer first enters it: compiling all of
    Python's takes some 30 ms, and most code never enters most of them."""

    def __init__(self, lexer):
        super().__init__()
        self.lexer = lexer

    def __missing__(self, name):
        flags = self.lexer.flags
        steps, run = [], []
        for rule in self.lexer._tokens[name]:
            alternative = _alternative(rule[0].__self__, flags)
            if alternative is not None:
                run.append((alternative, rule))
                continue
            if run:
                steps.append(_combined_step(run, flags))
                run = []
            steps.append((rule[0], None, rule))
        if run:
            steps.append(_combined_step(run, flags))
        steps = self[name] = tuple(steps)
        return steps


def _combined_step(run, flags):
    pattern = re.compile("|".join(alternative for alternative, _ in run), flags)
    return pattern.match, (None, *(rule for _, rule in run)), None


def _combined_states(lexer):
    if type(lexer).get_tokens_unprocessed is not RegexLexer.get_tokens_unprocessed:
        return None  # the lexer post-processes tokens in its own method
    for rules in lexer._tokens.values():
        for rule in rules:
            if not isinstance(getattr(rule[0], "__self__", None), re.Pattern):
                return None
    return _CombinedStates(lexer)


def _tokens_unprocessed(lexer, states, text, stack=("root",)):
    """RegexLexer.get_tokens_unprocessed over combined states, step for step the same."""
    pos = 0
    statestack = list(stack)
    steps = states[statestack[-1]]
    while True:
        for match, rules, rule in steps:
            m = match(text, pos)
            if m:
                own_match, action, new_state = rule or rules[m.lastindex]
                if action is not None:
                    if type(action) is _TokenType:
                        yield pos, action, m.group()
                    else:
                        m = own_match(text, pos)
                        yield from action(lexer, m)
                pos = m.end()
                if new_state is not None:
                    if isinstance(new_state, tuple):
                        for state in new_state:
                            if state == "#pop":
                                if len(statestack) > 1:
                                    statestack.pop()
                            elif state == "#push":
                                statestack.append(statestack[-1])
                            else:
                                statestack.append(state)
                    elif isinstance(new_state, int):
                        # Pop, but keep at least one state on the stack.
                        if abs(new_state) >= len(statestack):
                            del statestack[1:]
                        else:
                            del statestack[new_state:]
                    elif new_state == "#push":
                        statestack.append(statestack[-1])
                    else:
                        raise AssertionError(f"wrong state def: {new_state!r}")
                    steps = states[statestack[-1]]
                break
        else:
            if pos >= len(text):
                break
            if text[pos] == "\n":
                # At the end of a line no rule matched: start over from "root".
                statestack = ["root"]
                steps = states["root"]
                yield pos, Whitespace, "\n"
            else:
                yield pos, Error, text[pos]
            pos += 1


@lru_cache(maxsize=64)
def _lexer(language):
    """Pygments' lexer for `language` (None if it has none), and a faster copy of it or None."""
    try:
        lexer = get_lexer_by_name(language)
    except ClassNotFound:
        return None, None
    if (states := _combined_states(lexer)) is None:
        return lexer, None
    # get_tokens() still does Pygments' own input clean-up (newlines, trailing newline).
    fast = get_lexer_by_name(language)
    fast.get_tokens_unprocessed = partial(_tokens_unprocessed, fast, states)
    return lexer, fast


def can_highlight(language):
    return _lexer(language.lower())[0] is not None


def tokens(language, code):
    """Pygments' tokens of `code`, by the combined patterns where they serve."""
    lexer, fast = _lexer(language.lower())
    if fast is not None:
        try:
            return list(fast.get_tokens(code))
        except Exception:  # a rule shape this module misreads must not lose a writer's save
            logger.exception("Combined lexing failed for %s; using Pygments' own", language)
    return list(lexer.get_tokens(code))


_SPANS = {}


def _span(ttype):
    # HtmlFormatter writes "n n-Foo" for a token type without a short name of its own, and the
    # sanitizer keeps only the "n"; write that directly.
    while ttype not in STANDARD_TYPES:
        ttype = ttype.parent
    name = STANDARD_TYPES[ttype]
    return f'<span class="{name}">' if name else ""


def _format(tokens):
    """What HtmlFormatter(nowrap=True) writes for `tokens`: a span per run of tokens with the
    same class, closed at the end of each line."""
    out = []
    write = out.append
    current = None  # the span open on this line ("" for plain text), None at a line's start
    spans = _SPANS
    for ttype, value in tokens:
        try:
            span = spans[ttype]
        except KeyError:
            span = spans[ttype] = _span(ttype)
        # Most tokens have nothing to escape, and testing is cheaper than three replaces.
        if "&" in value or "<" in value or ">" in value:
            value = html.escape(value, quote=False)
        for number, piece in enumerate(value.split("\n") if "\n" in value else (value,)):
            if number:  # a line ends, and the span open on it
                if current:
                    write("</span>")
                write("\n")
                current = None
            if piece:
                if span != current:
                    if current:
                        write("</span>")
                    write(span)
                    current = span
                write(piece)
    if current is not None:
        write("</span>\n" if current else "\n")
    return "".join(out)


@lru_cache(maxsize=256)
def _highlighted(language, code):
    # The editor's live preview renders the whole answer again at every pause in typing.
    return _format(_lexer(language.lower()).get_tokens(code))


@lru_cache(maxsize=256)
def highlighted(language, code):
    """`code` as HTML spans with Pygments' short class names; `language` must be one
    can_highlight() knows."""
    # The editor's live preview renders the whole answer again at every pause in typing.
    return _format(tokens(language, code))
