"""Weekly round files (layout 1 of a repository): the Markdown study groups keep, read.

The format is the one in qa/demo/week-01.md, with the variants groups write by hand:

    # 3주차 네트워크                 <- optional title: a `#` heading that names no member

    클로이                           <- a member: a plain line, a `#`-`###` heading or **bold**
    ```
    1. 로드 밸런싱이 필요한 이유      <- labels 1. 1) Q1. Q1) Q. 질문 1. or none, kept as written
    👀                               <- the pick marker on its own line before the question,
    2. blocking과 synchronous는...   <- or at the start or end of the question's line
    ```

    bee                              <- outside a fence: a numbered or bulleted list, or
    Q. L4와 L7의 차이 ✅              <- `Q.` paragraphs; lines directly under an item, or
       (more of the same question)   <- indented under it, continue that question

    ---
    # ANSWER                         <- or `# 답변`: the answer part starts here
    ## bee 님의 질문                  <- one section per picked question ("bee님의 질문" too)
    L4와 L7의 차이                    <- first paragraph: the question restated, not answer text
    ### ✍️ sky님의 답변                <- optional author line, see AUTHOR_LINE
    |구분|L4|L7|                       <- the answer, kept as Markdown byte for byte

The author of an answer is not part of the sample format. Exported files put every
answer under an author line of exactly one pattern, `### ✍️ <name>님의 답변`, so they
import again without naming an answerer; answers without such a line are by the
member the importer is told (`--answerer`). Headings inside fenced code never start
a section or an author, so answers may quote any of these lines in code.

Normalisation, the same on import and export: CRLF and CR become LF, a byte-order
mark is dropped, trailing spaces go from every structural line and question line
(answer lines keep theirs: two of them are a Markdown line break), and an answer
loses its leading and trailing blank lines, so it never ends with a newline. Names are read
as Markdown reads them, backslash escapes undone: an export escapes a name that would read as
a list item, a heading or bold text (`2\\) Network`), see written_name().

The file's shape comes from markdown-it's tokens: `#` headings, thematic breaks and fenced
code are what CommonMark says they are, at the top level of the document, so a line that only
looks like one (in a fence, an indented code block or a list item) is text. The questions'
own syntax (`Q.` and `질문 1.` labels, 👀 lines, `👀 2.` after an item) is no CommonMark list:
it is read line by line inside the paragraphs and lists the tokens give. Answers are cut from
the source lines, byte for byte.

`parse_round()` is pure: text in, ParsedRound out, RoundFileError for bad input; nothing here
touches the database (qa.importer plans and saves).
"""

import re
import textwrap
from dataclasses import dataclass, field
from pathlib import PurePath

from django.utils.translation import gettext
from markdown_it import MarkdownIt

from ..text import without_control_characters
from .parse import LABEL_MAX, NAME_MAX, NESTING_MAX, PICK_MARKER, trim_blank_lines
from .write import escape

AUTHOR_MARK = "✍️"
AUTHOR_LINE = "### {mark} {name}님의 답변"
ANSWER_HEADING = "# ANSWER"
SECTION_HEADING = "## {name}님의 질문"

# The models' field lengths (a test holds them equal), here without importing the models.
MEMBER_NAME_MAX = NAME_MAX
TITLE_MAX = 200

_VARIATION_SELECTOR = "\ufe0f"
_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_SEPARATOR = re.compile(r"^(?:-{3,}|\*{3,}|_{3,})$")
_BOLD = re.compile(r"^(?:\*\*(?P<a>[^*]+)\*\*|__(?P<b>[^_]+)__):?$")
_ANSWER_HEADING = re.compile(r"^#{1,2}\s*(?:answers?|답변|답)\s*:?$", re.IGNORECASE)
# The three patterns with a name in them match stripped lines only. They read as
#     ^(#{1,6})\s+(.+?)(?:\s+#+)?$          ^#{1,4}\s*(.+?)\s*님의\s*질문\s*:?$
#     ^###\s*✍\ufe0f?\s*(.+?)\s*님의\s*답변$
# and match exactly what those would, but those retried every whitespace run at every
# character of a lazy name: a 100 KB line of spaces took minutes (quadratic, cubic for
# sections). Here a name is possessive runs of spaces each ending in a visible character,
# so a run is crossed once; `|\s++` is the old patterns' blank name (a heading with nothing
# before 님의), which callers read as "" after strip().
_HEADING = re.compile(r"^(?P<level>#{1,6})\s++(?P<text>(?:\s*+\S)+?)(?:\s++#++)?$")
_SECTION = re.compile(r"^#{1,4}(?:\s*+(?P<name>(?:\s*+\S)+?)|\s++)\s*+님의\s*+질문\s*+:?$")
_AUTHOR = re.compile(r"^###\s*+✍\ufe0f?(?:\s*+(?P<name>(?:\s*+\S)+?)|\s++)\s*+님의\s*+답변$")
_LABEL = re.compile(
    r"(?P<label>[Qq]\s?\d{1,3}[.):]|[Qq][.):]|질문\s?\d{1,3}[.)]|\d{1,3}[.)])(?=\s|$)\s*"
)
_BULLET = re.compile(r"[-*+]\s+")
_FILE_NUMBER = re.compile(
    r"(?:(?<!\d)(?P<a>\d{1,4})\s*(?:주차|회차))|(?:(?:week|round)[\s_-]*(?P<b>\d{1,4}))",
    re.IGNORECASE,
)
_SPACE = re.compile(r"\s+")
# Blocks only: their source lines are all the parser needs, and inline parsing of every
# answer paragraph would cost time for nothing. No HTML blocks: raw HTML is never part of a
# round file's shape, and a `<script>` or `<pre>` an answer leaves open would run to the end
# of the file in CommonMark, hiding every section and author line after it.
# Nested deeper than NESTING_MAX, a file is refused, never read short (see parse).
_BLOCKS = (
    MarkdownIt("commonmark", {"maxNesting": NESTING_MAX})
    .enable("table")
    .disable(["inline", "html_block"])
)
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


class RoundFileError(Exception):
    """A file that cannot be imported as it is; str() names the file and line."""

    def __init__(self, message, line=None, filename=None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.filename = filename

    def __str__(self):
        if self.filename and self.line:
            return gettext("%(filename)s, line %(line)d: %(message)s") % {
                "filename": self.filename,
                "line": self.line,
                "message": self.message,
            }
        if self.filename:
            return f"{self.filename}: {self.message}"
        if self.line:
            return gettext("line %(line)d: %(message)s") % {
                "line": self.line,
                "message": self.message,
            }
        return self.message


@dataclass(eq=False)  # questions are told apart by identity: two may read the same
class ParsedQuestion:
    label: str
    text: str
    picked: bool
    line: int


@dataclass
class ParsedMember:
    name: str
    line: int
    questions: list[ParsedQuestion] = field(default_factory=list)

    @property
    def picked(self):
        return [q for q in self.questions if q.picked]


@dataclass
class ParsedAnswer:
    member: str  # whose question, from "<member>님의 질문"
    question: ParsedQuestion
    restated: str
    body: str
    line: int
    author: str | None = None  # from an author line; None: the importer names the answerer


@dataclass
class ParsedRound:
    title: str
    members: list[ParsedMember]
    answers: list[ParsedAnswer]
    warnings: list[tuple[int, str]] = field(default_factory=list)
    filename: str | None = None

    @property
    def questions(self):
        return [q for member in self.members for q in member.questions]

    @property
    def picked(self):
        return [q for q in self.questions if q.picked]


def decode_round_file(data):
    """UTF-8 text with LF line ends, no byte-order mark and no control characters but tab and
    newline; RoundFileError for a file that is not text."""
    if isinstance(data, bytes):
        if b"\x00" in data:
            raise RoundFileError(
                gettext("This is a binary file, not a Markdown text file."),
                line=data[: data.index(b"\x00")].count(b"\n") + 1,
            )
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as err:
            raise RoundFileError(
                gettext(
                    "This file is not UTF-8 text (byte 0x%(byte)02x). Save it as UTF-8 and "
                    "import it again."
                )
                % {"byte": data[err.start]},
                line=data[: err.start].count(b"\n") + 1,
            ) from None
    elif "\x00" in data:
        raise RoundFileError(
            gettext("This is a binary file, not a Markdown text file."),
            line=data[: data.index("\x00")].count("\n") + 1,
        )
    # Control characters are dropped as a text box's are (qa.text): none reaches a name.
    text = data.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return without_control_characters(text)


def number_from_filename(filename):
    """3 from `3주차.md` or `week-03.md`; None when the name has no round number."""
    if not filename:
        return None
    match = _FILE_NUMBER.search(PurePath(filename).stem)
    number = int(match["a"] or match["b"]) if match else 0
    return number or None


# Answer Markdown without leading and trailing blank lines; everything else as written.
normalize_markdown = trim_blank_lines


def clean_question_text(text):
    """A question as files hold it: first line stripped, the rest dedented, no trailing spaces."""
    lines = normalize_markdown("\n".join(line.rstrip() for line in text.split("\n"))).split("\n")
    rest = textwrap.dedent("\n".join(lines[1:])) if len(lines) > 1 else ""
    return "\n".join([lines[0].strip(), rest]) if rest else lines[0].strip()


def restatable(text):
    """The paragraphs of question `text` an answer section can restate, from its start: a code
    block, a heading or a section line there would be read as answer text or a new section."""
    kept, paragraph = [], []
    for line in [*clean_question_text(text).split("\n"), ""]:
        if line.strip():
            paragraph.append(line)
            continue
        if paragraph:
            if paragraph[0].lstrip().startswith("#") or any(
                _fence_of(line) or (_indent(line) <= 3 and _SECTION.match(line.strip()))
                for line in paragraph
            ):
                break
            kept.append("\n".join(paragraph))
            paragraph = []
    return "\n\n".join(kept)


def _indent(line):
    return len(line) - len(line.lstrip(" \t"))


def _fence_of(line):
    match = _FENCE.match(line)
    if match is None or (match["fence"][0] == "`" and "`" in match["info"]):
        return None
    return match["fence"]


def _closes(line, fence):
    stripped = line.strip()
    return (
        _indent(line) <= 3 and len(stripped) >= len(fence) and stripped == fence[0] * len(stripped)
    )


def _without_marker(text, marker):
    """(text without a leading or trailing marker, whether it had one)."""
    found = False
    if text.startswith(marker):
        text, found = text[len(marker) :].removeprefix(_VARIATION_SELECTOR).lstrip(), True
    for end in (marker + _VARIATION_SELECTOR, marker):
        if text.endswith(end):
            text, found = text[: -len(end)].rstrip(), True
            break
    return text, found


def _is_marker_line(stripped, marker):
    return stripped in (marker, marker + _VARIATION_SELECTOR)


def _split_item(stripped, marker):
    """(label, text, picked, is_list_item) of one question line."""
    picked = False
    if stripped.startswith(marker):
        stripped = stripped[len(marker) :].removeprefix(_VARIATION_SELECTOR).lstrip()
        picked = True
    label, listed = "", False
    if match := _LABEL.match(stripped):
        label, stripped, listed = match["label"], stripped[match.end() :], True
    elif match := _BULLET.match(stripped):
        stripped, listed = stripped[match.end() :], True
    text, marked = _without_marker(stripped, marker)
    return label, text, picked or marked, listed


def _is_list_item(stripped, marker):
    return _split_item(stripped, marker)[3] and not _SEPARATOR.match(stripped)


def _starts_questions(line, marker):
    stripped = line.strip()
    return bool(
        _fence_of(line) or _is_marker_line(stripped, marker) or _is_list_item(stripped, marker)
    )


def _plain_name_of(stripped):
    """(name, None) of a line that is no heading: **bold** or as written."""
    if match := _BOLD.match(stripped):
        return unescape((match["a"] or match["b"]).strip()), None
    return unescape(stripped), None


def _name_of(stripped):
    """(name, heading level or None) a line would give as a member name or title."""
    if match := _HEADING.match(stripped):
        return unescape(match["text"].strip()), len(match["level"])
    if match := _BOLD.match(stripped):
        return unescape((match["a"] or match["b"]).strip()), None
    return unescape(stripped), None


def unescape(text):
    """A name as Markdown reads it: `2\\) Network` is `2) Network`. Exported files escape every
    punctuation mark in a name (qa.roundfile.write.escape), so names that look like list items,
    headings or bold text read back as written."""
    return _ESCAPED.sub(r"\1", text)


def written_name(name):
    """A name as a round file writes it: as it is when it reads back as itself, else escaped
    the way qa.roundfile.write escapes names (`2\\) Network`, `\\- x`, `\\*\\*x\\*\\*`)."""
    stripped = name.strip()
    if (
        _name_of(stripped) == (name, None)
        and not _starts_questions(stripped, PICK_MARKER)
        and not _SEPARATOR.match(stripped)
    ):
        return name
    return escape(name)


def written_title(title):
    """A title as the `#` heading that reads back as exactly this title."""
    return title if _name_of(f"# {title}") == (title, 1) else escape(title)


def _next_nonblank(lines, start):
    return next((i for i in range(start, len(lines)) if lines[i][1].strip()), None)


class _Parser:
    def __init__(self, text, marker):
        self.lines = list(enumerate(text.split("\n"), start=1))
        self.marker = marker
        self.members = {}
        self.title = ""
        self.warnings = []
        self._read_blocks(text)

    def _read_blocks(self, text):
        """The line numbers where CommonMark puts the blocks that give a round file its shape:
        `#` headings, thematic breaks and fenced code, at the top level of the document. A line
        that only looks like one (in a fence, an indented code block or a list item) is text."""
        self.headings, self.rules, self.fences = set(), set(), {}
        for token in _BLOCKS.parse(text):
            if token.level >= NESTING_MAX - 1:
                raise RoundFileError(
                    gettext("Lists or quotes are nested too deeply here to be read."),
                    line=token.map[0] + 1 if token.map else None,
                )
            if token.level or not token.map or token.nesting < 0:
                continue
            first, end = token.map[0] + 1, token.map[1]  # 1-based first and last line
            if token.type == "heading_open" and token.markup.startswith("#"):
                self.headings.add(first)
            elif token.type == "hr":
                self.rules.add(first)
            elif token.type == "fence":
                closed = end > first and _closes(self.lines[end - 1][1], token.markup)
                self.fences[first] = end if closed else None

    def _starts_questions(self, no, line):
        stripped = line.strip()
        return no in self.fences or (
            no not in self.headings
            and (_is_marker_line(stripped, self.marker) or _is_list_item(stripped, self.marker))
        )

    def parse(self):
        questions_end, answers_start = self._answer_start()
        self._read_members(self.lines[:questions_end])
        if not any(member.questions for member in self.members.values()):
            first = _next_nonblank(self.lines, 0)
            raise RoundFileError(
                gettext(
                    "No member with questions was found. Write each member's name on its "
                    "own line, followed by their questions in a ``` block or a numbered list."
                ),
                line=self.lines[first][0] if first is not None else 1,
            )
        answers = self._read_answers(self.lines[answers_start:])
        return ParsedRound(
            title=self.title,
            members=list(self.members.values()),
            answers=answers,
            warnings=self.warnings,
        )

    def _answer_start(self):
        """(end of the questions, start of the answers): at the answer heading or first section."""
        for i, (no, line) in enumerate(self.lines):
            if no not in self.headings:
                continue
            stripped = line.strip()
            if _ANSWER_HEADING.match(stripped):
                return i, i + 1
            if _SECTION.match(stripped):
                return i, i
        return len(self.lines), len(self.lines)

    def _warn(self, line, message):
        self.warnings.append((line, message))

    # The question part

    def _read_members(self, lines):
        i = 0
        while i < len(lines):
            no, line = lines[i]
            stripped = line.strip()
            if not stripped or no in self.rules or _SEPARATOR.match(stripped):
                i += 1
                continue
            if self._starts_questions(no, line):
                raise RoundFileError(
                    gettext("These questions have no member name above them."), line=no
                )
            name, level = _name_of(stripped) if no in self.headings else _plain_name_of(stripped)
            following = _next_nonblank(lines, i + 1)
            if (
                (level or 0) <= 3
                and following is not None
                and self._starts_questions(*lines[following])
            ):
                member = self._member(name, no)
                i, questions = self._read_questions(lines, following)
                member.questions.extend(questions)
            elif level == 1 and not self.title:
                if len(name) > TITLE_MAX:
                    raise RoundFileError(title_too_long(), line=no)
                self.title = name
                i += 1
            else:
                self._warn(no, gettext("Skipped: not a member name, a question or a title."))
                i += 1

    def _member(self, name, line):
        if len(name) > MEMBER_NAME_MAX:
            raise RoundFileError(
                gettext("A member name is at most %(max)d characters long.")
                % {"max": MEMBER_NAME_MAX},
                line=line,
            )
        # A member listed twice keeps one list, in file order.
        return self.members.setdefault(name, ParsedMember(name=name, line=line))

    def _read_questions(self, lines, start):
        no = lines[start][0]
        if no in self.fences:
            if self.fences[no] is None:
                raise RoundFileError(gettext("This ``` block is never closed."), line=no)
            end = start + self.fences[no] - no  # the closing line
            return end + 1, self._questions(self._classify_fenced(lines[start + 1 : end]))
        end, classified = self._classify_list(lines, start)
        return end, self._questions(classified)

    def _classify_fenced(self, lines):
        """Inside a fence every line is a question unless it is indented under one."""
        base = min((_indent(line) for _no, line in lines if line.strip()), default=0)
        classified, has_question, marker_pending = [], False, False
        for no, line in lines:
            stripped = line.strip()
            if not stripped:
                kind = "blank"
            elif _is_marker_line(stripped, self.marker):
                kind, marker_pending = "marker", True
            elif has_question and not marker_pending and _indent(line) > base:
                kind = "more"
            else:
                kind, has_question, marker_pending = "item", True, False
            classified.append((kind, no, line))
        return classified

    def _classify_list(self, lines, start):
        """A Markdown list: items, and lines that continue them (lazily or indented)."""
        base = _indent(lines[start][1])
        classified, previous, i = [], None, start
        while i < len(lines):
            no, line = lines[i]
            stripped = line.strip()
            if not stripped:
                kind = "blank"
            elif (
                no in self.rules
                or no in self.fences
                or no in self.headings
                or _SEPARATOR.match(stripped)
                or _BOLD.match(stripped)
            ):
                break
            elif _is_marker_line(stripped, self.marker):
                kind = "marker"
            elif previous == "marker" or (
                _is_list_item(stripped, self.marker) and _indent(line) <= base + 1
            ):
                kind = "item"
            elif previous in ("item", "more") or (previous == "blank" and _indent(line) > base):
                kind = "more"
            else:
                break
            classified.append((kind, no, line))
            if kind != "blank" or previous != "marker":  # blank lines may part 👀 and its question
                previous = kind
            i += 1
        while classified and classified[-1][0] == "blank":
            classified.pop()
            i -= 1
        return i, classified

    def _questions(self, classified):
        questions, drafts, marker_line, blanks = [], [], None, 0
        for kind, no, line in classified:
            if kind == "blank":
                blanks += 1 if drafts else 0
                continue
            if kind == "marker":
                marker_line = no
            elif kind == "item":
                label, text, picked, _listed = _split_item(line.strip(), self.marker)
                if not text:
                    raise RoundFileError(gettext("This question has no text."), line=no)
                if len(label) > LABEL_MAX:
                    raise RoundFileError(
                        gettext("A question label is at most %(max)d characters long.")
                        % {"max": LABEL_MAX},
                        line=no,
                    )
                drafts.append((label, [text], picked or marker_line is not None, no))
                marker_line = None
            else:
                drafts[-1][1].extend([""] * blanks + [line.rstrip()])
            blanks = 0
        if marker_line is not None:
            raise RoundFileError(
                gettext("This %(marker)s is not followed by a question.") % {"marker": self.marker},
                line=marker_line,
            )
        for label, text_lines, picked, no in drafts:
            # The end of a question that runs over several lines is the end of its last line.
            text, marked = _without_marker(clean_question_text("\n".join(text_lines)), self.marker)
            questions.append(ParsedQuestion(label, text, picked or marked, no))
        return questions

    # The answer part

    def _read_answers(self, lines):
        sections = []
        for no, line in lines:
            stripped = line.strip()
            if no in self.headings and (match := _SECTION.match(stripped)):
                sections.append((unescape((match["name"] or "").strip()), no, []))
                continue
            if sections:
                sections[-1][2].append((no, line))
            elif stripped and no not in self.rules and not _SEPARATOR.match(stripped):
                self._warn(no, gettext("Skipped: text before the first answer section."))
        answers = []
        for name, no, body in sections:
            answers.extend(self._section(name, no, body))
        return answers

    def _find_member(self, name):
        if name in self.members:
            return self.members[name]
        folded = [m for m in self.members.values() if m.name.casefold() == name.casefold()]
        return folded[0] if len(folded) == 1 else None

    def _section(self, name, heading_line, lines):
        member = self._find_member(name)
        picks = member.picked if member else []
        if not picks:
            raise RoundFileError(
                gettext(
                    "“%(name)s님의 질문”: %(name)s has no picked (%(marker)s) question in this "
                    "file, so this answer cannot be matched to a question."
                )
                % {"name": name, "marker": self.marker},
                line=heading_line,
            )
        start = _next_nonblank(lines, 0)
        restated, after = self._paragraph(lines, start)
        question = self._match(member, picks, restated, heading_line)
        # A question that has blank lines in it is restated over several paragraphs.
        target = _comparable(question.text)
        while restated and target != _comparable(restated):
            following = _next_nonblank(lines, after)
            more, more_end = self._paragraph(lines, following)
            joined = _comparable(restated + " " + more)
            if not more or not target.startswith(joined):
                break
            restated, after = restated + "\n\n" + more, more_end
        if restated and _comparable(restated) not in (
            target,
            _comparable(f"{question.label} {question.text}"),
            _comparable(restatable(question.text)),  # as exported: up to a code block
        ):
            self._warn(
                heading_line,
                gettext(
                    "The first paragraph under “%(name)s님의 질문” was taken as the restated "
                    "question, but it differs from %(name)s's picked question."
                )
                % {"name": member.name},
            )
        return self._answers(member, question, restated, lines[after:], heading_line)

    def _paragraph(self, lines, start):
        """(text, index after it) of the paragraph at `start`, if that line can restate."""
        if start is None:
            return "", len(lines)
        stripped = lines[start][1].strip()
        if lines[start][0] in self.fences or stripped.startswith("#"):
            return "", start
        end = start
        while end < len(lines) and lines[end][1].strip() and lines[end][0] not in self.fences:
            end += 1
        return "\n".join(line.strip() for _no, line in lines[start:end]), end

    def _match(self, member, picks, restated, heading_line):
        if len(picks) == 1:
            return picks[0]
        said = _comparable(restated)
        for question in picks:
            labelled = f"{question.label} {question.text}"
            if said in (_comparable(question.text), _comparable(labelled)):
                return question
        for question in picks:
            if said and _comparable(question.text).startswith(said):
                return question
        raise RoundFileError(
            gettext(
                "%(name)s has several picked questions and the first paragraph of this "
                "section restates none of them."
            )
            % {"name": member.name},
            line=heading_line,
        )

    def _answers(self, member, question, restated, lines, heading_line):
        parts = [[None, heading_line, []]]
        for no, line in lines:
            if no in self.headings and (match := _AUTHOR.match(line.strip())):
                parts.append([unescape((match["name"] or "").strip()), no, []])
                continue
            parts[-1][2].append((no, line))
        answers = []
        for author, no, body_lines in parts:
            body = normalize_markdown("\n".join(line for _no, line in body_lines))
            if not body:
                if author is not None:
                    raise RoundFileError(
                        gettext("The answer by %(author)s under this line is empty.")
                        % {"author": author},
                        line=no,
                    )
                continue
            if author is None:
                no = next(n for n, line in body_lines if line.strip())
            elif len(author) > MEMBER_NAME_MAX:
                raise RoundFileError(
                    gettext("A member name is at most %(max)d characters long.")
                    % {"max": MEMBER_NAME_MAX},
                    line=no,
                )
            answers.append(ParsedAnswer(member.name, question, restated, body, no, author))
        return answers


def _comparable(text):
    return _SPACE.sub(" ", text).strip()


def parse_round(data, *, filename=None, marker=PICK_MARKER):
    """Read a weekly round file (bytes or text) without touching the database."""
    marker = (marker or PICK_MARKER).strip().removesuffix(_VARIATION_SELECTOR)
    try:
        if not marker or _SPACE.search(marker):
            raise RoundFileError(gettext("The pick marker must be a single symbol, such as ✅."))
        parsed = _Parser(decode_round_file(data), marker).parse()
    except RoundFileError as err:
        err.filename = err.filename or filename
        raise
    parsed.filename = filename
    return parsed


def title_too_long():
    return gettext("The title is longer than %(max)d characters.") % {"max": TITLE_MAX}
