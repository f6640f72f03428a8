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

Some of Pygments' lexers backtrack exponentially: 70 bytes of Scala can take minutes. So
lexing runs under a time limit, and a block over it, or over MAX_CHARS, is left plain.
"""

import html
import multiprocessing
import signal
import threading
from collections import OrderedDict
from contextlib import contextmanager
from functools import lru_cache

from pygments import lex
from pygments.lexers import get_lexer_by_name
from pygments.token import STANDARD_TYPES
from pygments.util import ClassNotFound

# About 35 ms of lexing on a quiet machine; longer blocks are logs and dumps, not answers.
MAX_CHARS = 20_000
CACHE_BYTES = 4 * 1024 * 1024


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


def _highlight(language, code):
    return _format(lex(code, _lexer(language.lower())))


class _TimedOut(Exception):
    pass


def _time_out(signum, frame):
    raise _TimedOut


@contextmanager
def _time_limit(seconds):
    """Raise _TimedOut in this (main) thread after `seconds`.

    SIGALRM interrupts even a regular expression's match: CPython's re checks for signals
    while it backtracks. Any timer already set is put back, less the time spent here.
    """
    previous_handler = signal.signal(signal.SIGALRM, _time_out)
    previous_delay, _ = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        remaining, _ = signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous_handler)
        if previous_delay:
            signal.setitimer(
                signal.ITIMER_REAL, max(previous_delay - (seconds - remaining), 0.001)
            )


def _serve(connection):
    while True:
        language, code = connection.recv()
        connection.send(_highlight(language, code))


class _Child:
    """Lexing in a child process, for threads, which cannot take a signal: a lexer over its
    time is killed with the process, and the next block starts a new one."""

    def __init__(self):
        self.lock = threading.Lock()
        self.process = self.connection = None

    def highlight(self, language, code, seconds):
        with self.lock:
            if self.process is None:
                # forkserver, not fork: a thread must not fork a process holding other
                # threads' locks (a database connection, the logging module's).
                context = multiprocessing.get_context("forkserver")
                self.connection, theirs = context.Pipe()
                self.process = context.Process(target=_serve, args=(theirs,), daemon=True)
                self.process.start()
                theirs.close()
            self.connection.send((language, code))
            if self.connection.poll(seconds):
                return self.connection.recv()
            self.process.kill()
            self.process.join()
            self.connection.close()
            self.process = self.connection = None
            raise _TimedOut


_child = _Child()


class _Cache:
    """The last highlighted blocks, up to `size` bytes of code and HTML."""

    def __init__(self, size):
        self.size = size
        self.used = 0
        self.blocks = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            found = self.blocks.get(key)
            if found is not None:
                self.blocks.move_to_end(key)
            return found

    def put(self, key, value):
        cost = len(key[1]) + len(value)
        with self.lock:
            if key in self.blocks or cost > self.size // 4:
                return
            self.blocks[key] = value
            self.used += cost
            while self.used > self.size:
                (_, code), old = self.blocks.popitem(last=False)
                self.used -= len(code) + len(old)

    def clear(self):
        with self.lock:
            self.blocks.clear()
            self.used = 0


_cache = _Cache(CACHE_BYTES)
clear_cache = _cache.clear


def highlighted(language, code, seconds=1.0):
    """`code` as HTML spans with Pygments' short class names, or None when lexing it would take
    longer than `seconds` or the block is longer than MAX_CHARS. `language` must be one
    can_highlight() knows."""
    # The editor's live preview renders the whole answer again at every pause in typing.
    key = (language.lower(), code)
    found = _cache.get(key)
    if found is not None:
        return found
    if len(code) > MAX_CHARS or seconds <= 0:
        return None
    try:
        if threading.current_thread() is threading.main_thread():
            with _time_limit(seconds):
                result = _highlight(language, code)
        else:
            result = _child.highlight(language, code, seconds)
    except _TimedOut:
        return None
    _cache.put(key, result)
    return result
