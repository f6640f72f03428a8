"""A board as a repository in the week-folders layout, which qa.roundfile.plan reads back.

    README.md                 what this is (skipped on import)
    images/<name>.png         every image an answer or question shows, linked relatively
    week-03/questions.md      `# title`, then `## <member>` and a list of questions,
                              `👀` before a picked one's label
    week-03/<member>.md       `<!-- studyboard-member: name -->`, then one `## <label> <text>`
                              section per answer, naming its question by a comment

Names are written with every ASCII punctuation mark escaped, so `2) Network`, `- x`,
`# x` and `**x**` read back as those names, not as a list item, a heading or bold text.
Sections name their question by its place in questions.md: a question that starts with a
code block, or two that read alike, are still told apart.
"""

import json
import re
from dataclasses import dataclass, field

from .parse import EXPORT_COMMENT, PICK_MARKER, trim_blank_lines

QUESTION_FILE = "questions.md"
IMAGES = "images"
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_UNSAFE = re.compile(r'[\x00-\x1f/\\:*?"<>|]|^\.|\.$|^\s|\s$')
MEMBER_COMMENT = "<!-- studyboard-member: {name} -->"
QUESTION_COMMENT = "<!-- studyboard-question: {index} -->"
ITEM_INDENT = "  "


@dataclass
class ExportQuestion:
    author: str | None
    label: str
    text: str
    picked: bool
    answers: list = field(default_factory=list)  # (author name, body)
    pickers: list = field(default_factory=list)  # member names, None for the curators


@dataclass
class ExportRound:
    number: int
    title: str
    questions: list  # in board order, grouped by author
    uses_picks: bool = True


def escape(text):
    """Text that Markdown reads back as exactly this text."""
    return _PUNCTUATION.sub(r"\\\1", text)


def file_name(name, taken):
    """A file name for a member's answers that every file system takes, unique in its folder."""
    base = _UNSAFE.sub("_", name)[:80] or "_"
    candidate, n = base, 2
    while candidate.casefold() in taken or candidate.casefold() in ("questions", "readme"):
        candidate, n = f"{base}_{n}", n + 1
    taken.add(candidate.casefold())
    return f"{candidate}.md"


def week_folder(number):
    return f"week-{number:02d}"


# A first line that would read as a block of its own (a fence, a heading, a list, a quote)
# starts on the line under the label.
_BLOCK_START = re.compile(r"^(?:```|~~~|#|>|[-*+](?:\s|$)|\d{1,9}[.)](?:\s|$)|\s)")


def _question_item(question):
    lines = question.text.split("\n")
    if _BLOCK_START.match(lines[0]):
        lines = ["", *lines]
    first, *rest = lines
    head = " ".join(
        part for part in (PICK_MARKER if question.picked else "", question.label, first) if part
    )
    lines = [f"- {head}".rstrip()]
    lines += [ITEM_INDENT + line if line.strip() else "" for line in rest]
    if question.pickers:
        # Who picked, for import_history; GitHub shows no comment. `>` is escaped so that
        # no name ends the comment.
        names = json.dumps(question.pickers, ensure_ascii=False).replace(">", "\\u003e")
        lines.append(f"{ITEM_INDENT}<!-- studyboard-picks: {names} -->")
    return "\n".join(lines)


def question_file(round_):
    uses = "yes" if round_.uses_picks else "no"
    parts = [f"{EXPORT_COMMENT}\n<!-- studyboard-uses-picks: {uses} -->"]
    parts += [f"# {escape(round_.title)}"] if round_.title else []
    author = object()
    for question in round_.questions:
        if question.author != author:
            author = question.author
            parts.append(f"## {escape(author)}" if author is not None else "")
        parts.append(_question_item(question))
    return "\n\n".join(p for p in parts if p) + "\n"


def answer_files(round_):
    """{member name: file text} of the round's answers."""
    sections = {}
    for index, question in enumerate(round_.questions, start=1):
        first = question.text.split("\n")[0]
        heading = " ".join(part for part in (escape(question.label), escape(first)) if part)
        for author, body in question.answers:
            sections.setdefault(author, []).append(
                f"## {heading} {QUESTION_COMMENT.format(index=index)}\n\n{trim_blank_lines(body)}"
            )
    return {
        author: MEMBER_COMMENT.format(name=author.replace("-->", "--\\>"))
        + "\n\n"
        + "\n\n\n".join(parts)
        + "\n"
        for author, parts in sections.items()
    }


def write_history(rounds, images=None):
    """{path: bytes} of the repository; `images` maps each link in the texts to
    (file name, bytes), and the links are rewritten to the copies under images/."""
    images = images or {}
    files = {
        "README.md": (
            "# StudyBoard export\n\nOne folder per week: `questions.md` holds every member's "
            "questions (👀 on the picked ones), and each member's answers are in a file named "
            "after them. `python manage.py import_history` reads this folder back.\n"
        ).encode()
    }
    for name, data in images.values():
        files[f"{IMAGES}/{name}"] = data

    def relative(text):
        for url, (name, _data) in images.items():
            text = text.replace(f"]({url}", f"](../{IMAGES}/{name}")
        return text

    for round_ in rounds:
        folder = week_folder(round_.number)
        # The group's list goes first: under no heading, after a member's it would continue
        # that member's list.
        round_.questions.sort(key=lambda question: question.author is not None)
        for question in round_.questions:
            question.text = relative(question.text)
            question.answers = [(author, relative(body)) for author, body in question.answers]
        files[f"{folder}/{QUESTION_FILE}"] = question_file(round_).encode()
        taken = set()
        for author, text in answer_files(round_).items():
            files[f"{folder}/{file_name(author, taken)}"] = text.encode()
    return files
