"""Write a round as the weekly Markdown file that qa.roundfile.weekfile reads (format there)."""

from django.utils.translation import gettext

from .models import PICK_MARKER
from .models.answers import Reveal
from .roundfile.weekfile import (
    ANSWER_HEADING,
    AUTHOR_LINE,
    AUTHOR_MARK,
    SECTION_HEADING,
    clean_question_text,
    normalize_markdown,
    restatable,
    written_name,
    written_title,
)

# Four spaces: deeper than any list marker, and never a closing fence for the block.
CONTINUATION_INDENT = "    "


def export_filename(round_):
    """A name the importer reads the round number back from."""
    return f"week-{round_.number:02d}.md"


def _question_lines(question):
    first, *rest = clean_question_text(question.text).split("\n")
    # Unlabelled questions are numbered as on the board, so the file reads back in order.
    lines = [f"{question.display_label} {first}"]
    lines += [CONTINUATION_INDENT + line if line else "" for line in rest]
    return lines


def _member_block(author, questions):
    # The group's list has no member: it goes under the group's name, which reads back as one.
    # A name that would read as a list item, a heading or bold text is escaped (`2\) Network`).
    lines = [written_name(author.name if author else gettext("the group")), "```"]
    for question in questions:
        if question.picks_on_board:
            lines.append(PICK_MARKER)
        lines += _question_lines(question)
    lines.append("```")
    return "\n".join(lines)


def _answer_section(question):
    lines = [SECTION_HEADING.format(name=written_name(question.asker_name))]
    # Only what the importer reads back as the question: a code block in it would start the
    # answer. The whole question is in its member's list above.
    if restated := restatable(question.text):
        lines += ["", restated]
    for answer in question.shown_answers:
        lines += [
            "",
            AUTHOR_LINE.format(mark=AUTHOR_MARK, name=written_name(answer.author.name)),
            "",
            normalize_markdown(answer.body),
        ]
    return "\n".join(lines)


def export_round(round_, reveal=Reveal()):
    """The round in the sample's format, members and picks in board order, ending in one newline.

    Only the answers a reader may read (`reveal`, Round.reveal_for()): a download is one more
    page blind answering keeps others' answers off. Every answer by default, for the commands
    run on the server (export_round, backups).
    """
    member_lists, picked = round_.board(reveal)
    parts = [f"# {written_title(round_.title)}"] if round_.title else []
    parts += [_member_block(author, questions) for author, questions in member_lists]
    parts.append(f"---\n\n{ANSWER_HEADING}")
    text = "\n\n".join(parts)
    if picked:
        # Two blank lines between answers, as in the sample: an answer may itself end in a list.
        text += "\n\n" + "\n\n\n".join(_answer_section(question) for question in picked)
    return text + "\n"
