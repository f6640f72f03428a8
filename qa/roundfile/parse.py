"""One Markdown file of a group's repository, read as CommonMark tokens with source lines.

Three kinds of file, each a function here:

- a **question file**: members' lists (a name as a heading, a **bold** or a plain line, then
  a list or a ``` block of questions, 👀 on the picked ones), or one list with no name above
  it: the group's questions;
- an **answer file**: one member's answers, each section headed by the question it answers;
- a **member file**: one member's own questions, each followed by its answer.

Everything structural comes from markdown-it's tokens (headings, lists, fences are what
CommonMark says they are); text is cut from the source lines the tokens map to, so answers
keep their Markdown byte for byte. Nothing here touches the database.
"""

import functools
import json
import re
import textwrap
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext
from markdown_it import MarkdownIt

PICK_MARKER = "👀"
VARIATION_SELECTOR = "\ufe0f"
NAME_MAX = 50
LABEL_MAX = 20

# Blocks only: a heading's or a short paragraph's inline content is parsed when it is read
# (_children), not the inline content of every answer paragraph.
# markdown-it stops reading at its nesting limit (20 by default, a 10-deep list) and drops the
# rest of the file, so a deep list in one answer would swallow the next question's section;
# at NESTING_MAX (each level takes a few Python frames) a file nested deeper still is refused,
# never read short. The round-file parser (weekfile) reads with the same limit.
NESTING_MAX = 300
_MARKDOWN = (
    MarkdownIt("commonmark", {"maxNesting": NESTING_MAX})
    .enable("table")
    .disable("inline")
)
_INLINE = MarkdownIt("commonmark")
# `Q1.` `Q.` `1.` `1)` `질문 3.` at the start of a question, split from its text.
LABEL = re.compile(
    r"(?P<label>[Qq]\s?\d{1,3}[.):]|[Qq][.):]|질문\s?\d{1,3}[.):]?|\d{1,3}[.)])(?=\s|$)\s*"
)
_LABEL_NUMBER = re.compile(r"\d+")
_TAG = re.compile(r"^\[(?P<tag>[^\]\n]{1,20})\]\s*")
_SPACE = re.compile(r"\s+")
# Signs that a line is program text, not a question a person wrote.
_CODE_LINE = re.compile(
    r"[;{}]\s*$|=>|^\s*(?:function|const|let|var|def|class|return|import|#include)\b"
)
_SENTENCE_END = re.compile(r"(?:[.:!?。]|다|요|죠|함|음)$")


class HistoryError(Exception):
    """An import that cannot go on; str() names the file and line."""

    def __init__(self, message, path=None, line=None):
        super().__init__(message)
        self.message, self.path, self.line = message, path, line

    def __str__(self):
        return str(Note(self.path, self.line, self.message))


@dataclass(frozen=True)
class Note:
    """A warning or a skipped file, with where it is."""

    path: str | None
    line: int | None
    message: str

    def __str__(self):
        where = self.path or ""
        if self.line:
            where = gettext("%(path)s, line %(line)d") % {"path": where, "line": self.line}
        return f"{where}: {self.message}" if where else self.message


@dataclass(eq=False)  # told apart by identity: two questions may read the same
class Question:
    label: str
    text: str
    picked: bool
    line: int
    path: str = ""
    # Who picked it, from an exported file: member names, None for the curators. Files
    # written by hand say only that it is picked (the curators' pick).
    pickers: list | None = None

    @property
    def number(self):
        """The number in its label (3 from `Q3.`), or None."""
        match = _LABEL_NUMBER.search(self.label)
        return int(match[0]) if match else None


@dataclass
class MemberList:
    name: str | None  # None: the group's list, with no member as author
    line: int
    questions: list = field(default_factory=list)


@dataclass
class QuestionFile:
    title: str
    lists: list
    notes: list
    uses_picks: bool | None = None  # said by an exported file; None: from its 👀


@dataclass
class Section:
    """A heading and the Markdown under it, as an answer file or a member file has them."""

    heading: str  # the heading's plain text, label included
    line: int
    body: str
    label: str = ""
    text: str = ""  # the heading's text without its label
    index: int | None = None  # the question's place in the week, from an exported file


@dataclass
class AnswerFile:
    title: str
    member: str | None  # from the exported file's member comment, else None
    sections: list
    notes: list


def normalize_text(data):
    """Text of a file: UTF-8, LF line ends, no byte-order mark; HistoryError otherwise."""
    if isinstance(data, bytes):
        if b"\x00" in data:
            raise HistoryError(gettext("This is a binary file, not a Markdown text file."))
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as err:
            raise HistoryError(
                gettext("This file is not UTF-8 text (byte 0x%(byte)02x). Save it as UTF-8.")
                % {"byte": data[err.start]},
                line=data[: err.start].count(b"\n") + 1,
            ) from None
    return data.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def name_key(name):
    """What two spellings of one member's name have in common: trimmed, NFKC, case folded."""
    return unicodedata.normalize("NFKC", name).strip().casefold()


def clean_name(name):
    return unicodedata.normalize("NFC", _SPACE.sub(" ", name).strip())


@functools.lru_cache(maxsize=4096)
def comparable(text):
    """Question text as compared between files: marks, labels and spacing aside."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"[*_`]", "", text)
    text = re.sub(r"[#>\[\]()!?.,:~\-]", " ", text)
    return _SPACE.sub(" ", text).strip().casefold()


_QUESTION_END = re.compile(r"(?:[?？]|시오|인가|는가|을까|를까|나요|가요|까요|세요|하라)\W*$")


def reads_as_question(text):
    """Whether a heading reads as a question (a label, or a question's ending), not a topic."""
    label, rest = split_label(_without_tag(text))
    return bool(label) or bool(_QUESTION_END.search(rest))


def split_label(text):
    """(label, rest) of a question's first line: `Q1. 무엇` → (`Q1.`, `무엇`)."""
    if match := LABEL.match(text):
        return match["label"], text[match.end() :]
    return "", text


def without_marker(text):
    """(text without a leading or trailing 👀, whether it had one)."""
    found = False
    if text.startswith(PICK_MARKER):
        text, found = text[len(PICK_MARKER) :].removeprefix(VARIATION_SELECTOR).lstrip(), True
    for end in (PICK_MARKER + VARIATION_SELECTOR, PICK_MARKER):
        if text.endswith(end):
            text, found = text[: -len(end)].rstrip(), True
            break
    return text, found


def trim_blank_lines(text):
    lines = text.split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines)


def _blocks(text, path=""):
    """Top-level blocks: (kind, first line index, end line index, tokens of the block)."""
    tokens = _MARKDOWN.parse(text)
    for token in tokens:
        if token.level >= NESTING_MAX - 1:
            raise HistoryError(
                gettext("Lists or quotes are nested too deeply here to be read."),
                path=path,
                line=token.map[0] + 1 if token.map else None,
            )
    blocks, i = [], 0
    while i < len(tokens):
        token = tokens[i]
        if token.nesting == 1:
            depth, j = 1, i + 1
            while depth:
                depth += tokens[j].nesting
                j += 1
            blocks.append(
                (token.type.removesuffix("_open"), token.map[0], token.map[1], tokens[i:j])
            )
            i = j
        else:
            if token.map:
                blocks.append((token.type, token.map[0], token.map[1], [token]))
            i += 1
    return blocks


def _children(inline):
    if not inline.children and inline.content:
        inline.children = _INLINE.parseInline(inline.content)[0].children
    return inline.children or []


def plain(inline):
    """The plain text of an inline token: escapes undone, emphasis marks dropped."""
    parts = []
    for child in _children(inline):
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(child.content)
    return "".join(parts).strip()


def has_markup(inline):
    """Whether an inline token has emphasis, code, HTML or a link in it; a name in bold
    (`**bee**`, the way many files write names) has none."""
    kinds = [c.type for c in _children(inline) if c.type != "text" or c.content]
    if kinds[:1] == ["strong_open"] and kinds[-1:] == ["strong_close"]:
        kinds = kinds[1:-1]
    return any(kind not in ("text", "softbreak", "hardbreak") for kind in kinds)


def implausible_name(name, inline=None):
    """Why `name` cannot be a member's name, or None when it can."""
    if inline is not None and has_markup(inline) or re.search(r"[<>`{}]", name):
        return gettext("“%(name)s” reads like markup or code, not a member name.")
    if len(name) > NAME_MAX:
        return gettext("“%(name)s” is longer than a member name (%(max)d characters).")
    if len(name.split()) > 3 or _SENTENCE_END.search(name):
        return gettext("“%(name)s” reads like a sentence, not a member name.")
    return None


def _lines(text):
    return text.split("\n")


def _item_text(lines, item_tokens):
    """A list item's Markdown with its marker taken off and its lines dedented under it."""
    start, end = item_tokens[0].map
    first = lines[start]
    marker = item_tokens[0].markup + ("." if item_tokens[0].info else "")
    if item_tokens[0].info:  # an ordered item: the number is in info
        marker = item_tokens[0].info + item_tokens[0].markup
    lead = len(first) - len(first.lstrip())
    body_first = first[lead + len(marker) :]
    indent = lead + len(marker) + (len(body_first) - len(body_first.lstrip()) or 1)
    rest = []
    for line in lines[start + 1 : end]:
        stripped = len(line) - len(line.lstrip(" "))
        rest.append(line[min(indent, stripped) :])
    return trim_blank_lines("\n".join([body_first.strip(), *rest]).rstrip())


def _list_items(block_tokens):
    """The top-level items of a list block, each as its tokens."""
    items, depth, current = [], 0, None
    for token in block_tokens[1:-1]:
        if token.type == "list_item_open" and depth == 0:
            current = [token]
        elif current is not None:
            current.append(token)
        depth += token.nesting
        if token.type == "list_item_close" and depth == 0:
            items.append(current)
            current = None
    return items


def question_from(text, line, path):
    """A Question from its Markdown: label split off, 👀 read, lines after the first dedented."""
    text, picked = without_marker(text.strip())
    first, _, rest = text.partition("\n")
    label, first = split_label(first.strip())
    first, marked = without_marker(first.strip())
    rest_lines = [line.rstrip() for line in rest.split("\n")]
    text = "\n".join([first, *rest_lines]).strip("\n") if rest else first
    text, marked_end = without_marker(text)
    return Question(label.strip(), text.strip(), picked or marked or marked_end, line, path)


def _questions_of_list(lines, block_tokens, path, notes):
    questions = []
    for item in _list_items(block_tokens):
        line = item[0].map[0] + 1
        question = question_from(_item_text(lines, item), line, path)
        if item[0].info and not question.label:  # an ordered list's own number is the label
            question.label = item[0].info + item[0].markup
        if not question.text:
            notes.append(Note(path, line, gettext("This question has no text.")))
            continue
        if len(question.label) > LABEL_MAX:
            question.text, question.label = f"{question.label} {question.text}", ""
        if "```" in question.text or "~~~" in question.text:
            notes.append(Note(path, line, gettext("This question holds a code block.")))
        questions.append(question)
    return questions


def _questions_of_fence(token, path):
    """Questions in a ``` block, one per line at the block's indent; deeper lines continue."""
    raw = token.content.split("\n")
    base = min((len(x) - len(x.lstrip()) for x in raw if x.strip()), default=0)
    questions, pending_pick = [], False
    for offset, line in enumerate(raw):
        number = token.map[0] + 2 + offset
        stripped = line.strip()
        if not stripped:
            if questions and not pending_pick:
                questions[-1][1].append("")
            continue
        if stripped in (PICK_MARKER, PICK_MARKER + VARIATION_SELECTOR):
            pending_pick = True
            continue
        if questions and not pending_pick and len(line) - len(line.lstrip()) > base:
            questions[-1][1].append(line.rstrip())
            continue
        questions.append((number, [stripped], pending_pick))
        pending_pick = False
    result = []
    for number, text_lines, picked in questions:
        first, *rest = text_lines
        # Lines that continue a question are indented under it: relative to its first line.
        text = "\n".join([first, textwrap.dedent("\n".join(rest))]) if rest else first
        question = question_from(text, number, path)
        question.picked = question.picked or picked
        result.append(question)
    return result


def _looks_like_code(token):
    if token.info.strip():
        return True
    code_lines = [x for x in token.content.split("\n") if _CODE_LINE.search(x)]
    return len(code_lines) >= 1


EXPORT_COMMENT = "<!-- studyboard-export -->"
USES_PICKS_COMMENT = re.compile(r"<!-- studyboard-uses-picks: (?P<value>yes|no) -->")
PICKS_COMMENT = re.compile(r"\n?<!-- studyboard-picks: (?P<json>\[.*?\]) -->$")


def _pickers(question):
    """Take an exported question's pickers out of its text."""
    if match := PICKS_COMMENT.search(question.text):
        try:
            pickers = json.loads(match["json"])
        except ValueError:
            return
        if all(p is None or isinstance(p, str) for p in pickers):
            question.text = question.text[: match.start()].rstrip()
            question.pickers = [clean_name(p) if p else None for p in pickers]


def parse_question_file(data, path=""):
    """Members' lists of questions, or the group's list with no names above it."""
    text = normalize_text(data)
    lines = _lines(text)
    notes, lists, title = [], [], ""
    # Our own export's questions may hold code blocks: they were on the board that way.
    exported = text.startswith(EXPORT_COMMENT)
    pending = None  # (name, line, inline token, under a list) of a candidate member name
    under_list = False  # the block before was a list of questions

    def stray(line, under):
        notes.append(_under_question(path, line) if under else _belongs_to_nothing(path, line))

    for kind, start, _end, tokens in _blocks(text, path):
        line = start + 1
        if kind in ("heading", "paragraph"):
            inline = tokens[1]
            name = plain(inline)
            if (
                kind == "heading"
                and tokens[0].tag == "h1"
                and not lists
                and not title
                and pending is None
            ):
                title = name
                continue
            if pending is not None:
                stray(pending[1], pending[3])
            pending = (name, line, inline, under_list) if "\n" not in inline.content else None
            if pending is None:
                stray(line, under_list)
            under_list = False
            continue
        if kind in ("bullet_list", "ordered_list") or (
            kind == "fence" and not _looks_like_code(tokens[0])
        ):
            questions = (
                _questions_of_fence(tokens[0], path)
                if kind == "fence"
                else _questions_of_list(lines, tokens, path, [] if exported else notes)
            )
            if exported:
                for question in questions:
                    _pickers(question)
            owner = _owner(pending, path, notes)
            if owner is False:
                notes.append(_belongs_to_nothing(path, line))
            elif lists and lists[-1].name == owner and owner is not None:
                lists[-1].questions.extend(questions)
            else:
                lists.append(MemberList(owner, pending[1] if pending else line, questions))
            pending, under_list = None, True
            continue
        if kind == "hr" or (kind == "html_block" and tokens[0].content.startswith("<!--")):
            continue
        if kind == "fence":
            notes.append(
                Note(path, line, gettext("A code block that is no list of questions; left out."))
            )
            if pending is not None:
                stray(pending[1], pending[3])
            pending = None
            continue
        stray(line, under_list)
        pending, under_list = None, False
    if pending is not None:
        stray(pending[1], pending[3])
    said = USES_PICKS_COMMENT.search(text) if exported else None
    uses_picks = said["value"] == "yes" if said else None
    return QuestionFile(title=title, lists=lists, notes=notes, uses_picks=uses_picks)


def _owner(pending, path, notes):
    """The member a list belongs to: None for the group's list, False for text read as a name
    that cannot be one (the list is then left out, and said so)."""
    if pending is None:
        return None
    name, line, inline, _under = pending
    if reason := implausible_name(name, inline):
        if len(name) > NAME_MAX:
            notes.append(Note(path, line, reason % {"name": name[:40] + "…", "max": NAME_MAX}))
            return False
        notes.append(Note(path, line, reason % {"name": name, "max": NAME_MAX}))
    return clean_name(name)


def _under_question(path, line):
    return Note(
        path,
        line,
        gettext(
            "Answer text under a question in a question file; left out. Answers go in each "
            "member's own answer file."
        ),
    )


def _belongs_to_nothing(path, line):
    return Note(path, line, gettext("This text belongs to no member or question; left out."))


MEMBER_COMMENT = re.compile(r"<!--\s*studyboard-member:\s*(?P<name>.*?)\s*-->")
QUESTION_COMMENT = re.compile(r"<!--\s*studyboard-question:\s*(?P<index>\d{1,6})\s*-->")


def _sections(text, path, notes, *, title_allowed=True):
    """(title, sections): the file cut at its question headings, bodies as written."""
    lines = _lines(text)
    blocks = _blocks(text, path)
    headings = [(start, tokens) for kind, start, _end, tokens in blocks if kind == "heading"]
    title = ""
    if title_allowed and headings and headings[0][1][0].tag == "h1":
        later = [tokens[0].tag for _start, tokens in headings[1:]]
        if later and all(tag != "h1" for tag in later):
            title = plain(headings[0][1][1])
            headings = headings[1:]
    if not headings:
        return title, []
    marked = [
        (start, tokens) for start, tokens in headings if QUESTION_COMMENT.search(tokens[1].content)
    ]
    if marked:
        # An exported file: only the headings that name their question start a section, so
        # an answer may have headings of any level in it.
        cuts = marked
    else:
        level = min(tokens[0].tag for _start, tokens in headings)
        cuts = [(start, tokens) for start, tokens in headings if tokens[0].tag == level]
    first_cut = cuts[0][0]
    before = [
        (kind, start) for kind, start, _end, tokens in blocks
        if start < first_cut and not (kind == "heading" and plain(tokens[1]) == title)
        and not (kind == "html_block" and MEMBER_COMMENT.search(tokens[0].content))
        and kind != "hr"
    ]  # fmt: skip
    for _kind, start in before:
        notes.append(_belongs_to_nothing(path, start + 1))
    sections = []
    for index, (start, tokens) in enumerate(cuts):
        end = cuts[index + 1][0] if index + 1 < len(cuts) else len(lines)
        body_start = tokens[0].map[1]
        heading = plain(tokens[1])
        label, rest = split_label(_without_tag(heading))
        index = QUESTION_COMMENT.search(tokens[1].content)
        sections.append(
            Section(
                heading=heading,
                line=start + 1,
                body=trim_blank_lines("\n".join(lines[body_start:end])),
                label=label.strip(),
                text=rest.strip(),
                index=int(index["index"]) if index else None,
            )
        )
    return title, sections


def _without_tag(text):
    """`[JS] 클로저란?` → `클로저란?`: a bracketed topic before a question is no part of it."""
    return _TAG.sub("", text, count=1)


def parse_answer_file(data, path=""):
    """A member's answers: each section headed by the question it answers."""
    text = normalize_text(data)
    notes = []
    member = MEMBER_COMMENT.search(text)
    title, sections = _sections(text, path, notes)
    if not sections and text.replace(member[0] if member else "", "").strip():
        notes.append(
            Note(
                path,
                1,
                gettext("No section of this file is headed by a question; it is left out."),
            )
        )
    return AnswerFile(
        title=title,
        member=clean_name(member["name"].replace("--\\>", "-->")) if member else None,
        sections=sections,
        notes=notes,
    )


@dataclass
class MemberFile:
    title: str
    entries: list  # (Question, answer body)
    notes: list


def parse_member_file(data, path=""):
    """A member's own questions, each followed by its answer: a heading or a list item is the
    question, what follows it up to the next one the answer. A heading with nothing but
    questions under it (`## 네트워크`) is a topic that groups them."""
    text = normalize_text(data)
    lines = _lines(text)
    blocks = _blocks(text, path)
    notes, entries, title = [], [], ""
    current = None  # [Question, body start line index, list of (start, end) extra ranges]

    def close(until):
        if current is None:
            return
        question, body_lines = current
        body_lines.extend(lines[current_start[0] : until])
        entries.append((question, trim_blank_lines("\n".join(body_lines))))

    current_start = [0]
    in_heading_answer = False
    for index, (kind, start, end, tokens) in enumerate(blocks):
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        if kind == "heading":
            heading = plain(tokens[1])
            if tokens[0].tag == "h1" and not entries and current is None and not title:
                title = heading
                continue
            # A topic groups the questions under it; a heading that reads as a question is
            # one, even when its answer starts with a list.
            is_topic = following is not None and (
                (following[0] in ("bullet_list", "ordered_list") and not reads_as_question(heading))
                or (following[0] == "heading" and following[3][0].tag > tokens[0].tag)
            )
            if is_topic and not (
                in_heading_answer and current and tokens[0].tag > current[0].level
            ):
                close(start)
                current, in_heading_answer = None, False
                continue
            if current is not None and in_heading_answer and tokens[0].tag > current[0].level:
                continue  # a heading inside the answer
            close(start)
            question = question_from(_without_tag(heading), start + 1, path)
            question.level = tokens[0].tag
            current, in_heading_answer = (question, []), True
            current_start[0] = end
            continue
        if kind in ("bullet_list", "ordered_list") and not in_heading_answer:
            close(start)
            current = None
            for item in _list_items(tokens):
                item_start, item_end = item[0].map
                # The question is the item's first line; lazy continuation lines and
                # everything else in the item are its answer.
                first, *answer_lines = _item_text(lines, item).split("\n")
                close(item_start)
                question = question_from(first, item_start + 1, path)
                if item[0].info and not question.label:
                    question.label = item[0].info + item[0].markup
                question.level = "li"
                current = (question, answer_lines)
                current_start[0] = item_end
            continue
        if current is None:
            if kind != "hr":
                notes.append(_belongs_to_nothing(path, start + 1))
            continue
    close(len(lines))
    return MemberFile(title=title, entries=entries, notes=notes)
