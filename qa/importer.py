"""Weekly round files into the database: qa.roundfile.weekfile reads a file (no database),
`plan_import()` checks it against the database (round numbers, existing members) and returns
an ImportSummary, whose `save()` writes everything in one transaction.
"""

from contextlib import contextmanager
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext, ngettext

from .models import Member, Question, Round
from .roundfile.weekfile import (
    _AUTHOR,
    _HEADING,
    _SECTION,
    ANSWER_HEADING,
    AUTHOR_LINE,
    AUTHOR_MARK,
    LABEL_MAX,
    MEMBER_NAME_MAX,
    SECTION_HEADING,
    TITLE_MAX,
    ParsedAnswer,
    ParsedMember,
    ParsedQuestion,
    ParsedRound,
    RoundFileError,
    clean_question_text,
    decode_round_file,
    normalize_markdown,
    number_from_filename,
    parse_round,
    restatable,
    title_too_long,
    written_name,
    written_title,
)

# What callers and tests import from here; the file format itself lives in qa.roundfile.
__all__ = [
    "ANSWER_HEADING",
    "AUTHOR_LINE",
    "AUTHOR_MARK",
    "LABEL_MAX",
    "MEMBER_NAME_MAX",
    "SECTION_HEADING",
    "TITLE_MAX",
    "_AUTHOR",
    "_HEADING",
    "_SECTION",
    "ImportSummary",
    "ParsedAnswer",
    "ParsedMember",
    "ParsedQuestion",
    "ParsedRound",
    "RoundFileError",
    "clean_question_text",
    "decode_round_file",
    "normalize_markdown",
    "number_from_filename",
    "parse_round",
    "plan_import",
    "restatable",
    "written_name",
    "written_title",
]


@dataclass
class ImportSummary:
    """What an import creates; the command's --dry-run and the admin preview show it."""

    parsed: ParsedRound
    number: int
    title: str
    state: str
    replace: bool
    replaces: bool  # a round with this number exists and will be deleted first
    answerer: str | None
    picker: str | None
    existing_members: set

    @property
    def display_title(self):
        return self.title or gettext("Round %(number)d") % {"number": self.number}

    @property
    def state_label(self):
        return Round.State(self.state).label

    @property
    def members(self):
        """(member, is new, picked questions) in file order."""
        return [
            (member, member.name not in self.existing_members, member.picked)
            for member in self.parsed.members
        ]

    @property
    def question_count(self):
        return len(self.parsed.questions)

    @property
    def pick_count(self):
        return len(self.parsed.picked)

    @property
    def picker_name(self):
        return self.picker or gettext("curators")

    @property
    def answers(self):
        """(parsed answer, its author's name)."""
        return [(a, a.author or self.answerer) for a in self.parsed.answers]

    @property
    def new_member_names(self):
        return [name for name in self._member_names() if name not in self.existing_members]

    def _member_names(self):
        names = [m.name for m in self.parsed.members]
        names += [self.picker] if self.picker else []
        names += [author for _answer, author in self.answers]
        return list(dict.fromkeys(names))

    def describe(self):
        """The summary as lines of text, for the command line."""
        lines = [
            (
                gettext(
                    "Round %(number)d “%(title)s” replaces the existing round %(number)d "
                    "(%(state)s)."
                )
                if self.replaces
                else gettext("Round %(number)d “%(title)s”, new (%(state)s).")
            )
            % {"number": self.number, "title": self.display_title, "state": self.state_label},
            gettext("Members: %(count)d (%(new)d new)")
            % {"count": len(self.parsed.members), "new": len(self.new_member_names)},
        ]
        for member, is_new, picked in self.members:
            line = (
                ngettext(
                    "%(name)s (new): %(count)d question, picked: %(picked)s",
                    "%(name)s (new): %(count)d questions, picked: %(picked)s",
                    len(member.questions),
                )
                if is_new
                else ngettext(
                    "%(name)s: %(count)d question, picked: %(picked)s",
                    "%(name)s: %(count)d questions, picked: %(picked)s",
                    len(member.questions),
                )
            )
            lines.append(
                "  "
                + line
                % {
                    "name": member.name,
                    "count": len(member.questions),
                    "picked": ", ".join(_short(q) for q in picked) or "-",
                }
            )
        lines.append(gettext("Questions: %(count)d") % {"count": self.question_count})
        lines.append(
            gettext("Picks: %(count)d, by %(picker)s")
            % {"count": self.pick_count, "picker": self.picker_name}
        )
        lines.append(gettext("Answers: %(count)d") % {"count": len(self.answers)})
        for answer, author in self.answers:
            lines.append(
                "  "
                + gettext("%(author)s answers %(member)s's %(label)s")
                % {
                    "author": author,
                    "member": answer.member,
                    "label": _short(answer.question),
                }
            )
        for line, message in self.parsed.warnings:
            lines.append(
                gettext("Warning, line %(line)d: %(message)s") % {"line": line, "message": message}
            )
        return lines

    @transaction.atomic
    def save(self):
        """Write the round in one transaction; RoundFileError, and nothing written, if refused."""
        existing = Round.objects.filter(number=self.number)
        if self.replace:
            existing.delete()
        elif existing.exists():
            raise _round_exists(self.number, self.parsed.filename)
        members = {
            name: Member.objects.get_or_create(name=name)[0] for name in self._member_names()
        }
        try:
            with transaction.atomic():
                # A week file's answers were written in the open, each beside the others:
                # hiding them on the board would hide nothing. Curators may turn blind
                # answering on in the admin for the answers still to come.
                round_ = Round.objects.create(
                    number=self.number, title=self.title, state=self.state, blind_answers=False
                )
        except IntegrityError:
            # Someone created this round number between the check and the insert.
            raise _round_exists(self.number, self.parsed.filename) from None
        saved = {}
        for member in self.parsed.members:
            for position, question in enumerate(member.questions, start=1):
                saved[id(question)] = Question.objects.create(
                    round=round_,
                    author=members[member.name],
                    position=position,
                    label=question.label,
                    text=question.text,
                )
        picker = members[self.picker] if self.picker else None
        for question in self.parsed.picked:
            with _refused_at(question.line, self.parsed.filename):
                saved[id(question)].pick(picker)
        for answer, author in self.answers:
            with _refused_at(answer.line, self.parsed.filename):
                saved[id(answer.question)].save_answer(members[author], answer.body)
        return round_


@contextmanager
def _refused_at(line, filename):
    """The model's own rules have the last word; their messages name the file's line."""
    try:
        yield
    except ValidationError as err:
        raise RoundFileError(" ".join(err.messages), line, filename) from err


def _short(question):
    return question.label or question.text.split("\n")[0][:30]


def _round_exists(number, filename):
    return RoundFileError(
        gettext("Round %(number)d already exists. Import with “replace” to overwrite it.")
        % {"number": number},
        filename=filename,
    )


def _clean_name(name, filename):
    name = (name or "").strip()
    if len(name) > MEMBER_NAME_MAX:
        raise RoundFileError(
            gettext("A member name is at most %(max)d characters long.") % {"max": MEMBER_NAME_MAX},
            filename=filename,
        )
    return name or None


def plan_import(
    parsed,
    *,
    number=None,
    title=None,
    answerer=None,
    picker=None,
    state=Round.State.CLOSED,
    replace=False,
):
    """Check a parsed file against the database and say what importing it would create."""
    filename = parsed.filename
    if number is not None and number < 1:
        raise RoundFileError(gettext("A round number is 1 or more."), filename=filename)
    number = number or number_from_filename(filename)
    if number is None:
        number = (Round.objects.aggregate(last=Max("number"))["last"] or 0) + 1
    exists = Round.objects.filter(number=number).exists()
    if exists and not replace:
        raise _round_exists(number, filename)
    answerer = _clean_name(answerer, filename)
    picker = _clean_name(picker, filename)
    unsigned = [a for a in parsed.answers if a.author is None]
    if unsigned and not answerer:
        raise RoundFileError(
            gettext(
                "This file has answers but does not say who wrote them. Name the member who "
                "wrote them as the answerer (--answerer NAME)."
            ),
            line=unsigned[0].line,
            filename=filename,
        )
    if not unsigned:
        answerer = None
    _check_answer_authors(parsed, answerer)
    if picker:
        _check_picks_by(parsed, picker)
    title = (title or "").strip() or parsed.title
    if len(title) > TITLE_MAX:
        raise RoundFileError(title_too_long(), filename=filename)
    summary = ImportSummary(
        parsed=parsed,
        number=number,
        title=title,
        state=Round.State(state).value,
        replace=replace,
        replaces=exists,
        answerer=answerer,
        picker=picker,
        existing_members=set(),
    )
    summary.existing_members = set(
        Member.objects.filter(name__in=summary._member_names()).values_list("name", flat=True)
    )
    return summary


def _check_answer_authors(parsed, answerer):
    seen = {}
    for answer in parsed.answers:
        key = (id(answer.question), answer.author or answerer)
        if key in seen:
            raise RoundFileError(
                gettext("%(author)s already answered this question at line %(line)d.")
                % {"author": key[1], "line": seen[key]},
                line=answer.line,
                filename=parsed.filename,
            )
        seen[key] = answer.line


def _check_picks_by(parsed, picker):
    """The pick rules, checked before anything is written so a dry run reports them too."""
    for member in parsed.members:
        picked = member.picked
        if picked and member.name == picker:
            raise RoundFileError(
                gettext("Members cannot pick their own questions."),
                line=picked[0].line,
                filename=parsed.filename,
            )
        if len(picked) > 1:
            raise RoundFileError(
                gettext("A member picks at most one question from each member's list in a round."),
                line=picked[1].line,
                filename=parsed.filename,
            )
