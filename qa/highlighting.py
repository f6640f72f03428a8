"""Code blocks highlighted with Pygments' lexers, written as the short-class spans that
qa.markdown lets through its sanitizer.

Only Pygments' public API is used: a lexer from get_lexer_by_name(), its tokens from
pygments.lex(), and STANDARD_TYPES with each token type's parent for the class names. Three
things save time without changing the output:

- A lexer is kept per language: get_lexer_by_name() looks the name up in Pygments' lexer
  table and builds a new lexer on every call.
- A small formatter writes the spans HtmlFormatter(nowrap=True) would, already reduced to the
  one short class the sanitizer keeps (checked against HtmlFormatter in
  qa/tests/test_markdown.py).
- Highlighted blocks are cached, so unchanged code is not lexed again.
"""

import html
from functools import lru_cache

from pygments import lex
from pygments.lexers import get_lexer_by_name
from pygments.token import STANDARD_TYPES
from pygments.util import ClassNotFound


@lru_cache(maxsize=64)
def _lexer(language):
    """Pygments' lexer for the lower-cased `language`, or None if it has none."""
    try:
        return get_lexer_by_name(language)
    except ClassNotFound:
        return None


def can_highlight(language):
    return _lexer(language.lower()) is not None


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
def highlighted(language, code):
    """`code` as HTML spans with Pygments' short class names; `language` must be one
    can_highlight() knows."""
    # The editor's live preview renders the whole answer again at every pause in typing.
    return _format(lex(code, _lexer(language.lower())))
