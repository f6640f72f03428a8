"""The one Markdown renderer: stored HTML, editor preview and export checks all call it.

cmarkgfm is GitHub's own GFM parser, so answers look exactly as they do on
GitHub. It runs with raw HTML allowed (GitHub allows `<br>` in a table cell),
which is safe only because nh3 sanitizes every byte of the result afterwards.
Code highlighting happens *before* sanitizing so the sanitizer stays the last
word: Pygments may only add `<span class="...">` with its own short class names
(qa.highlighting). Emoji shortcodes (`:pushpin:`) become their emoji there too, as GitHub's
do: cmark-gfm leaves them to GitHub's later filters.
"""

import html
import json
import re
import time
from html.parser import HTMLParser
from pathlib import Path

import cmarkgfm
import nh3
from cmarkgfm.cmark import Options
from pygments.token import STANDARD_TYPES

from .highlighting import can_highlight, highlighted

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div",
    "dl", "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins",
    "input", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "span", "strong",
    "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr",
    "ul", "var",
}  # fmt: skip

ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "td": {"align"},
    "th": {"align"},
    "code": {"class"},
    "pre": {"class"},
    "span": {"class"},
    "details": {"open"},
}

# Pygments' short token classes ("k", "s2", ...) plus the wrapper class; nothing else
# a writer types as raw HTML can borrow the page's styles.
PYGMENTS_CLASSES = set(STANDARD_TYPES.values()) - {""}
LANGUAGE_CLASS = re.compile(r"^language-[A-Za-z0-9_+#.-]{1,40}$")

URL_SCHEMES = {"http", "https", "mailto"}

# cmark escapes code text, so "</code>" cannot occur inside a block.
CODE_BLOCK = re.compile(
    r'<pre lang="(?P<lang>[^"]+)"><code>(?P<code>.*?)</code></pre>', re.DOTALL
)


# All the highlighting of one text, however many blocks it has: past it, blocks stay plain.
HIGHLIGHT_SECONDS = 1.0


def _highlighter(seconds):
    deadline = time.monotonic() + seconds

    def highlight_block(match):
        language = html.unescape(match["lang"]).strip()
        lang_class = html.escape(f"language-{language}")
        body = None
        if LANGUAGE_CLASS.match(f"language-{language}") and can_highlight(language):
            code = html.unescape(match["code"])
            body = highlighted(language, code, seconds=deadline - time.monotonic())
        if body is None:
            return f'<pre><code class="{lang_class}">{match["code"]}</code></pre>'
        return f'<pre class="highlight"><code class="{lang_class}">{body}</code></pre>'

    return highlight_block


# GitHub's shortcodes and their emoji, from gemoji (`make gemoji` writes the file).
with open(Path(__file__).with_name("gemoji.json"), encoding="utf-8") as _names:
    EMOJI = json.load(_names)

# A name between colons; the closing colon is only looked at, so that in ":nope:pushpin:" the
# unknown ":nope" leaves its colon to the name after it, as GitHub's pattern of known names does.
_SHORTCODE = r":(?P<name>[a-z0-9_+-]{1,40})(?=:)"
_MAYBE_SHORTCODE = re.compile(r":[a-z0-9_+-]{1,40}:")
# What a shortcode is never replaced in, each matched whole and kept: code (GitHub skips pre,
# code and tt) and any tag whose attributes could hold a colon. Tags without quotes or colons
# (<p>, </td>) cannot, and are not matched, which keeps the scan cheap. No part reads past
# the next "<" that could start the same thing again, so raw HTML left open (a thousand
# "<code>" never closed) costs one pass, not one per tag.
_EMOJI_SCAN = re.compile(
    r"<(?P<code>pre|code|tt)\b[^<>]*>[^<]*(?:<(?!/?(?P=code)\b)[^<]*)*</(?P=code)\s*>"
    r"""|<[!/?a-zA-Z][^<>"':]*(?::|(?=["']))[^<>"']*(?:(?:"[^"<]*"|'[^'<]*')[^<>"']*)*>"""
    f"|{_SHORTCODE}"
)
# Nor in a URL written out as text, autolinked or not: its run of text without a blank or a
# tag so far holds one of these.
_URL_MARK = re.compile(r"://|www\.|mailto:", re.IGNORECASE)
_RUN_ENDS = " \n\t<>"


def _with_emoji(raw):
    """cmark's HTML with each known shortcode in text replaced by its emoji."""
    if _MAYBE_SHORTCODE.search(raw) is None:  # most texts: no pair of colons around a name
        return raw
    out, done = [], 0
    # The run of text up to the last name looked at: where it starts, whether it is a URL.
    # Each name reads only the text since the last one, so a long run costs one pass.
    looked, run_start, in_url = 0, 0, False
    for match in _EMOJI_SCAN.finditer(raw):
        name, at = match["name"], match.start()
        if name is None or at < done:
            continue  # kept as it is; or a name whose colon the previous emoji took
        emoji = EMOJI.get(name)
        if emoji is None:
            continue
        if at == 0 or raw[at - 1] in _RUN_ENDS:  # most names: a run of their own
            run_end = at - 1
        else:
            run_end = max(raw.rfind(end, looked, at) for end in _RUN_ENDS)
        if run_end >= 0:
            run_start = run_end + 1
            in_url = _URL_MARK.search(raw, run_start, at) is not None
        elif not in_url:  # the same run: only the new text, and a mark across its start
            in_url = _URL_MARK.search(raw, max(looked - 6, run_start), at) is not None
        looked = at
        if not in_url:
            out += (raw[done:at], emoji)
            done = match.end() + 1  # and the closing colon
    out.append(raw[done:])
    return "".join(out)


def _attribute_filter(tag, attribute, value):
    # Called for every kept attribute, mostly the hundreds of single-class spans of highlighted
    # code: let those through before any splitting.
    if attribute != "class" or (tag == "span" and value in PYGMENTS_CLASSES):
        return value
    if tag == "span":
        kept = [c for c in value.split() if c in PYGMENTS_CLASSES]
    elif tag == "pre":
        kept = [c for c in value.split() if c == "highlight"]
    else:  # code
        kept = [c for c in value.split() if LANGUAGE_CLASS.match(c)]
    return " ".join(kept) or None


# The sanitizer's HTML parser takes quadratic time in nesting depth (50,000 nested quotes:
# 11 s). Real answers nest a few levels; GitHub gives up at a hundred or so too.
MAX_DEPTH = 100
TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*?(/?)>")
VOID_TAGS = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


def _too_deep(raw):
    depth = 0
    # Only up to the last ">": a "<" with no ">" after it would have the pattern read on to
    # the end of the text for each one, quadratic time ("<b" 24,000 times took a minute).
    for closing, tag, self_closing in TAG.findall(raw, 0, raw.rfind(">") + 1):
        if closing:
            depth -= 1
        elif not self_closing and tag.lower() not in VOID_TAGS:
            depth += 1
            if depth > MAX_DEPTH:
                return True
    return False


def render_markdown(text):
    """Render user Markdown to sanitized HTML, the way GitHub shows it."""
    if not text:
        return ""
    raw = cmarkgfm.github_flavored_markdown_to_html(
        text, options=Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_GITHUB_PRE_LANG
    )
    if _too_deep(raw):
        # Shown as written rather than not at all; escaped, so it needs no sanitizing.
        return f'<pre class="unrendered"><code>{html.escape(text, quote=False)}</code></pre>\n'
    raw = CODE_BLOCK.sub(_highlighter(HIGHLIGHT_SECONDS), _with_emoji(raw))
    return nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style", "iframe", "object", "embed", "template"},
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_attribute_filter,
        url_schemes=URL_SCHEMES,
        # GFM task lists: a checkbox that can only ever be shown, never used.
        tag_attribute_values={"input": {"type": {"checkbox"}, "checked": {"", "checked"}}},
        set_tag_attribute_values={"input": {"disabled": "disabled"}},
        link_rel="nofollow noopener",
        strip_comments=True,
    )


# Tags that separate words when shown; inline ones (strong, code, a...) may sit inside a word.
BLOCK_TAGS = {
    "blockquote", "br", "dd", "details", "div", "dl", "dt", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "li", "ol", "p", "pre", "summary", "table", "tbody", "td", "tfoot", "th",
    "thead", "tr", "ul",
}  # fmt: skip


class _TextCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_starttag(self, tag, attrs):
        if tag in BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data):
        self.parts.append(data)


def plain_text(rendered):
    """The words a reader sees in rendered HTML, on one line: no Markdown marks, no link URLs."""
    collector = _TextCollector()
    collector.feed(rendered)
    collector.close()
    return " ".join("".join(collector.parts).split())
