"""A repository's files into a plan of rounds, in one of three layouts, warnings included.

1. Round files: `week-03.md`, `3주차.md` at the top, each a whole week in the sample's format
   (read by the parser given as `parse_round_file`).
2. Week folders: `3주차/`, `week-03/`, `W03/`, or dated `0405/`, `2024-04-05/`, each with a
   question file (`질문.md`, `questions.md`, `README.md`) and one answer file per member
   (`김강호.md`, `LeeHeeJe_0405.md`); without a question file every file is a member's own
   questions with their answers.
3. Member folders: `<member>/<week>.md` or `<member>/<week>/<file>.md`, a member's own
   questions, each followed by its answer.

Numbered weeks become those rounds (shifted by `first_round`); dated weeks follow them in
date order. Nothing here touches the database: what exists already comes in as arguments.
"""

import posixpath
import re
from dataclasses import dataclass, field
from urllib.parse import unquote

from django.utils.translation import gettext
from markdown_it import MarkdownIt

from .parse import (
    HistoryError,
    Note,
    clean_name,
    comparable,
    implausible_name,
    name_key,
    normalize_text,
    parse_answer_file,
    parse_member_file,
    parse_question_file,
)
from .tree import IMAGE_SUFFIXES, TEXT_SUFFIXES

_WEEK = re.compile(
    r"(?:(?<!\d)(?P<a>\d{1,4})\s*(?:주차|회차))|(?:(?<![A-Za-z])(?:week|round|w)[\s_-]*(?P<b>\d{1,4})(?!\d))",
    re.IGNORECASE,
)
_DATE = re.compile(r"^(?:(?P<y>\d{4})[-_.]?)?(?P<m>\d{2})[-_.]?(?P<d>\d{2})$")
_SUFFIX = re.compile(
    r"[\s_\-]*(?:\d{1,4}\s*(?:주차|회차)|(?:week|w)[\s_-]*\d{1,4}|\d{4}(?:[-_.]?\d{2}){0,2}|답변|answers?)$",
    re.IGNORECASE,
)
QUESTION_FILES = ("질문", "questions", "question", "질문지", "질문목록", "readme")
# Links exactly as written, so the ones rewritten to copied images are found in the text.
_LINKS_AS_WRITTEN = MarkdownIt("commonmark")
_LINKS_AS_WRITTEN.normalizeLink = lambda url: url
_LINKS_AS_WRITTEN.validateLink = lambda url: True
_EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|/|#)", re.IGNORECASE)


@dataclass(eq=False)
class PlannedQuestion:
    author: str | None  # None: the group's question
    label: str
    text: str
    picked: bool
    path: str
    line: int
    images: dict = field(default_factory=dict)  # link as written -> file in the tree
    pickers: list | None = None  # member names (None: the curators); None: the curators'


@dataclass(eq=False)
class PlannedAnswer:
    author: str
    question: PlannedQuestion
    body: str
    path: str
    line: int
    images: dict = field(default_factory=dict)


@dataclass
class PlannedRound:
    number: int
    title: str
    source: str  # the folder or file it comes from
    questions: list = field(default_factory=list)
    answers: list = field(default_factory=list)
    said_uses_picks: bool | None = None  # from an exported question file

    @property
    def uses_picks(self):
        """A week whose files have no 👀 at all goes without picks, unless an export says."""
        if self.said_uses_picks is not None:
            return self.said_uses_picks
        return any(q.picked for q in self.questions)

    @property
    def display_title(self):
        return self.title or gettext("Round %(number)d") % {"number": self.number}

    @property
    def members(self):
        names = [q.author for q in self.questions if q.author] + [a.author for a in self.answers]
        names += [p for q in self.questions for p in q.pickers or [] if p]
        return list(dict.fromkeys(names))

    @property
    def pick_count(self):
        return sum(1 for q in self.questions if q.picked)


@dataclass
class HistoryPlan:
    rounds: list
    warnings: list
    skipped: list
    members: list  # every member's name as it will be stored, in order of appearance
    new_members: list
    files: dict  # the tree, for the images to copy

    @property
    def question_count(self):
        return sum(len(r.questions) for r in self.rounds)

    @property
    def answer_count(self):
        return sum(len(r.answers) for r in self.rounds)

    @property
    def pick_count(self):
        return sum(r.pick_count for r in self.rounds)

    @property
    def image_count(self):
        items = [x for r in self.rounds for x in [*r.questions, *r.answers]]
        return len({path for x in items for path in x.images.values()})

    def describe(self):
        """The plan as lines of text, for the command line."""
        lines = []
        for round_ in self.rounds:
            lines.append(
                gettext(
                    "Round %(number)d “%(title)s” from %(source)s: %(questions)d questions, "
                    "%(picks)d picks, %(answers)d answers, members: %(members)s"
                )
                % {
                    "number": round_.number,
                    "title": round_.display_title,
                    "source": round_.source,
                    "questions": len(round_.questions),
                    "picks": round_.pick_count,
                    "answers": len(round_.answers),
                    "members": ", ".join(round_.members) or "-",
                }
            )
            if not round_.uses_picks:
                lines.append("  " + gettext("No 👀 in its files: a round without picks."))
        lines.append(
            gettext("Members: %(count)d (%(new)d new)")
            % {"count": len(self.members), "new": len(self.new_members)}
        )
        for note in self.skipped:
            lines.append(
                gettext("Skipped %(file)s: %(why)s") % {"file": note.path, "why": note.message}
            )
        for note in self.warnings:
            lines.append(gettext("Warning: %(note)s") % {"note": note})
        return lines


def week_of(name):
    """(number, None) for a numbered week's name, (None, date key) for a dated one, else None."""
    stem = posixpath.splitext(name)[0] if name.lower().endswith(tuple(TEXT_SUFFIXES)) else name
    if match := _DATE.match(stem):
        month, day = int(match["m"]), int(match["d"])
        if 1 <= month <= 12 and 1 <= day <= 31:
            return None, (match["y"] or "", match["m"], match["d"])
    if match := _WEEK.search(stem):
        number = int(match["a"] or match["b"])
        return (number, None) if number else None
    return None


def _date_title(key):
    year, month, day = key
    return f"{year}-{month}-{day}" if year else f"{month}-{day}"


def member_of_file(stem):
    """`LeeHeeJe_0405` → `LeeHeeJe`, `하늘_2주차` → `하늘`: a week suffix is no part of a name."""
    name = _SUFFIX.sub("", stem).strip(" _-")
    return clean_name(name or stem)


def unwrap(files):
    """Without the one folder everything is in (`<repo>-main/`), unless that folder is a week."""
    while files:
        tops = {path.split("/", 1)[0] for path in files}
        if len(tops) != 1 or not all("/" in path for path in files):
            break
        top = tops.pop()
        if week_of(top) is not None:
            break
        files = {path[len(top) + 1 :]: data for path, data in files.items()}
    return files


class _Members:
    """One member per name, however each file spells it (spacing, Unicode normal form, case)."""

    def __init__(self, existing):
        self.names = {}
        self.existing = set()
        for name in existing:
            self.names.setdefault(name_key(name), name)
            self.existing.add(name_key(name))
        self.seen = {}

    def __call__(self, name):
        key = name_key(name)
        stored = self.names.setdefault(key, clean_name(name))
        self.seen.setdefault(key, stored)
        return stored


def plan_history(
    files, *, first_round=None, taken_numbers=(), existing_members=(), parse_round_file=None
):
    """Read the tree {path: bytes} into a HistoryPlan; HistoryError when it cannot be read."""
    files = unwrap(dict(files))
    planner = _Planner(files, existing_members, parse_round_file)
    weeks = planner.collect()
    if not weeks:
        raise HistoryError(
            gettext(
                "No weeks were found: no round files (3주차.md, week-03.md), week folders "
                "(3주차/, week-03/, 2024-04-05/) or member folders with weekly files."
            )
        )
    rounds = planner.number(weeks, first_round)
    for round_ in rounds:
        planner.drop_second_answers(round_)
    taken = set(taken_numbers)
    for round_ in rounds:
        if round_.number in taken:
            raise HistoryError(
                gettext(
                    "Round %(number)d already exists. Import with --first-round to put the "
                    "history after the existing rounds."
                )
                % {"number": round_.number},
                path=round_.source,
            )
    members = list(planner.members.seen.values())
    return HistoryPlan(
        rounds=rounds,
        warnings=planner.warnings,
        skipped=planner.skipped,
        members=members,
        new_members=[
            name
            for key, name in planner.members.seen.items()
            if key not in planner.members.existing
        ],
        files=files,
    )


class _Planner:
    def __init__(self, files, existing_members, parse_round_file):
        self.files = files
        self.members = _Members(existing_members)
        self.parse_round_file = parse_round_file
        self.warnings, self.skipped = [], []

    def _text(self, path):
        try:
            return normalize_text(self.files[path])
        except HistoryError as err:
            err.path = path
            raise

    def collect(self):
        """{week key: PlannedRound} from every layout in the tree."""
        self.known = set(self.members.existing) | self._names_in_paths()
        weeks = {}
        top_files = sorted(p for p in self.files if "/" not in p and _is_text(p))
        folders = {}
        for path in self.files:
            if "/" in path:
                folders.setdefault(path.split("/", 1)[0], []).append(path)
        for path in top_files:
            week = week_of(path)
            if posixpath.splitext(path)[0].lower() == "readme":
                self.skipped.append(Note(path, None, gettext("the repository's README")))
            elif week is None:
                self.skipped.append(
                    Note(path, None, gettext("not a week: its name has no week number or date"))
                )
            else:
                self._add(weeks, week, path, self._round_file(path))
        for folder in sorted(folders):
            texts = sorted(p for p in folders[folder] if _is_text(p))
            week = week_of(folder)
            if week is not None:
                if texts:
                    self._add(weeks, week, folder, self._week_folder(folder, texts))
                continue
            if not texts:
                continue  # images and other files only: found when answers link to them
            member_weeks = self._member_folder(folder, texts)
            if not member_weeks:
                self.skipped.append(
                    Note(folder + "/", None, gettext("not a week, and no weekly files in it"))
                )
            for week_key, (source, round_) in member_weeks.items():
                self._add(weeks, week_key, source, round_)
        return weeks

    def _is_known(self, name):
        """A name some file name, folder, earlier week or existing member gives a member."""
        return name_key(name) in self.known or name_key(name) in self.members.seen

    def _names_in_paths(self):
        """Names the tree gives members by its file and folder names: answer files in week
        folders, member folders."""
        names = set()
        for path in self.files:
            parts = path.split("/")
            if len(parts) < 2 or not _is_text(path):
                continue
            if week_of(parts[0]) is not None and len(parts) == 2:
                stem = _stem(path)
                if stem.casefold() not in QUESTION_FILES:
                    names.add(name_key(member_of_file(stem)))
            elif week_of(parts[0]) is None and week_of(parts[1]) is not None:
                names.add(name_key(parts[0]))
        return names

    def _add(self, weeks, week, source, round_):
        if round_ is None:
            return
        if week in weeks:
            existing = weeks[week]
            existing.questions += round_.questions
            existing.answers += round_.answers
            existing.title = existing.title or round_.title
            existing.source = min(existing.source, source)
        else:
            round_.source = source
            weeks[week] = round_

    def drop_second_answers(self, round_):
        """One answer per member per question: a second one, from another file, is left out."""
        seen, kept = {}, []
        for answer in round_.answers:
            key = (name_key(answer.author), id(answer.question))
            if key in seen:
                self.warnings.append(
                    Note(
                        answer.path,
                        answer.line,
                        gettext("%(name)s already answered this question in %(file)s; left out.")
                        % {"name": answer.author, "file": seen[key]},
                    )
                )
                continue
            seen[key] = answer.path
            kept.append(answer)
        round_.answers = kept

    def number(self, weeks, first_round):
        numbered = sorted((k[0], r) for k, r in weeks.items() if k[0] is not None)
        dated = sorted((k[1], r) for k, r in weeks.items() if k[0] is None)
        shift = 0
        if first_round is not None and numbered:
            shift = first_round - numbered[0][0]
        rounds = []
        for number, round_ in numbered:
            round_.number = number + shift
            rounds.append(round_)
        last = rounds[-1].number if rounds else (first_round or 1) - 1
        for key, round_ in dated:
            last += 1
            round_.number = last
            round_.title = round_.title or _date_title(key)
            rounds.append(round_)
        return rounds

    # Layout 1

    def _round_file(self, path):
        if self.parse_round_file is None:
            raise HistoryError(gettext("Round files need the round file parser."), path=path)
        title, lists, answers, notes = self.parse_round_file(self.files[path], path)
        self.warnings += notes
        # Today's parser takes any line over a ``` block for a member. A name this file's
        # Markdown tokens do not give a list of questions to (a caption over code, a sentence
        # before a fence) is no member: it and its "questions" are left out, and said so.
        confirmed = {
            name_key(m.name)
            for m in parse_question_file(self._text(path), path).lists
            if m.name is not None
        }
        round_ = PlannedRound(number=0, title=title, source=path)
        by_original = {}
        for name, questions, name_line in lists:
            if name_key(name) not in confirmed:
                self.warnings.append(
                    Note(
                        path,
                        name_line,
                        gettext(
                            "“%(name)s” is not read as a member: what follows it is no list of "
                            "questions; left out with it."
                        )
                        % {"name": name},
                    )
                )
                continue
            self._check_name(name, path, name_line)
            author = self.members(name)
            for q in questions:
                planned = PlannedQuestion(author, q.label, q.text, q.picked, path, q.line)
                self._find_images(planned, path)
                by_original[id(q)] = planned
                round_.questions.append(planned)
        for author, question, body, line in answers:
            if id(question) not in by_original:
                self.warnings.append(
                    Note(
                        path,
                        line,
                        gettext("This answer's question was left out; so is the answer."),
                    )
                )
                continue
            if author is None:
                self.warnings.append(
                    Note(
                        path,
                        line,
                        gettext(
                            "An answer with no ✍️ author line: whose it is cannot be told; left out."
                        ),
                    )
                )
                continue
            planned = PlannedAnswer(
                self.members(author), by_original[id(question)], body, path, line
            )
            self._find_images(planned, path)
            round_.answers.append(planned)
        return round_

    def _check_name(self, name, path, line):
        if reason := implausible_name(name):
            self.warnings.append(Note(path, line, reason % {"name": name, "max": 50}))

    # Layout 2

    def _week_folder(self, folder, texts):
        by_stem = {}
        for path in texts:
            if path.count("/") == 1:
                by_stem.setdefault(posixpath.splitext(posixpath.basename(path))[0].casefold(), path)
        question_path = next((by_stem[s] for s in QUESTION_FILES if s in by_stem), None)
        round_ = PlannedRound(number=0, title="", source=folder)
        others = [p for p in texts if p != question_path]
        if question_path is None:
            for path in others:
                self._member_file_into(round_, path, member_of_file(_stem(path)))
            return round_
        parsed = parse_question_file(self._text(question_path), question_path)
        self.warnings += parsed.notes
        round_.title = parsed.title
        round_.said_uses_picks = parsed.uses_picks
        names = [m.name for m in parsed.lists if m.name is not None]
        known = [name for name in names if self._is_known(name)]
        topics = len(names) > 1 and not known and bool(others)
        if topics:
            # No answer file, member folder or member has any of these names, while members
            # do answer this week: the headings group the group's questions by topic.
            self.warnings.append(
                Note(
                    question_path,
                    parsed.lists[0].line,
                    gettext(
                        "No member has the names of these headings (%(names)s): they are read "
                        "as topics, and the questions as the group's."
                    )
                    % {"names": ", ".join(names)},
                )
            )
        for member_list in parsed.lists:
            author = None
            if member_list.name is not None and not topics:
                author = self.members(member_list.name)
                if others and not self._is_known(member_list.name):
                    self.warnings.append(
                        Note(
                            question_path,
                            member_list.line,
                            gettext(
                                "“%(name)s” names no member elsewhere in the repository: is it a "
                                "member, or a topic heading?"
                            )
                            % {"name": member_list.name},
                        )
                    )
            for q in member_list.questions:
                planned = PlannedQuestion(author, q.label, q.text, q.picked, q.path, q.line)
                if q.pickers:
                    planned.pickers = [self.members(p) if p else None for p in q.pickers]
                self._find_images(planned, question_path)
                round_.questions.append(planned)
        for path in others:
            if posixpath.splitext(path)[0].rsplit("/", 1)[-1].casefold() in QUESTION_FILES:
                self.skipped.append(
                    Note(
                        path,
                        None,
                        gettext("a second question file; the week's questions are in %(file)s")
                        % {"file": question_path},
                    )
                )
                continue
            self._answer_file_into(round_, path)
        return round_

    def _answer_file_into(self, round_, path):
        parsed = parse_answer_file(self._text(path), path)
        self.warnings += parsed.notes
        author = self.members(parsed.member or member_of_file(_stem(path)))
        answered = set()
        for section in parsed.sections:
            if section.index is not None:
                index = section.index - 1
                question = round_.questions[index] if 0 <= index < len(round_.questions) else None
            else:
                question = self._match(round_.questions, section)
            if question is None:
                self.warnings.append(
                    Note(
                        path,
                        section.line,
                        gettext("“%(heading)s” matches no question of this week; left out.")
                        % {"heading": section.heading},
                    )
                )
                continue
            if id(question) in answered:
                self.warnings.append(
                    Note(
                        path,
                        section.line,
                        gettext("A second answer to the same question in this file; left out."),
                    )
                )
                continue
            if not section.body.strip():
                continue
            answered.add(id(question))
            answer = PlannedAnswer(author, question, section.body, path, section.line)
            self._find_images(answer, path)
            round_.answers.append(answer)
        if round_.uses_picks:
            for answer in [a for a in round_.answers if a.path == path and not a.question.picked]:
                round_.answers.remove(answer)
                self.warnings.append(
                    Note(
                        path,
                        answer.line,
                        gettext(
                            "This week has 👀 picks and this answer's question has none; left out."
                        ),
                    )
                )

    def _match(self, questions, section):
        """The week's question a section heading names: by its text, else its label or number."""
        said = comparable(section.text)
        if said:
            exact = [
                q
                for q in questions
                if comparable(q.text) == said or comparable(q.text.split("\n")[0]) == said
            ]
            if len(exact) == 1:
                return exact[0]
            starts = [
                q
                for q in questions
                if comparable(q.text).startswith(said)
                or said.startswith(comparable(q.text.split("\n")[0]) or "\0")
            ]
            if len(starts) == 1:
                return starts[0]
        if section.label:
            labelled = [
                q for q in questions if q.label and comparable(q.label) == comparable(section.label)
            ]
            if len(labelled) == 1:
                return labelled[0]
            number = re.search(r"\d+", section.label)
            if number and len({q.author for q in questions}) == 1:
                index = int(number[0]) - 1
                numbered = [
                    q
                    for q in questions
                    if re.search(r"\d+", q.label or "")
                    and int(re.search(r"\d+", q.label)[0]) == int(number[0])
                ]
                if len(numbered) == 1:
                    return numbered[0]
                if not any(q.label for q in questions) and 0 <= index < len(questions):
                    return questions[index]
        return None

    # Layout 3, and week folders without a question file

    def _member_folder(self, folder, texts):
        name = clean_name(folder)
        weeks = {}
        for path in texts:
            rest = path[len(folder) + 1 :]
            parts = rest.split("/")
            if posixpath.splitext(parts[-1])[0].casefold() == "readme":
                self.skipped.append(Note(path, None, gettext("a README")))
                continue
            week = week_of(parts[0])
            if week is None:
                self.skipped.append(
                    Note(path, None, gettext("not a week: its name has no week number or date"))
                )
                continue
            round_ = weeks.setdefault(week, (path, PlannedRound(number=0, title="", source=path)))[
                1
            ]
            self._member_file_into(round_, path, name)
        return weeks

    def _member_file_into(self, round_, path, name):
        parsed = parse_member_file(self._text(path), path)
        self.warnings += parsed.notes
        author = self.members(name)
        for q, body in parsed.entries:
            planned = PlannedQuestion(author, q.label, q.text, q.picked, path, q.line)
            self._find_images(planned, path)
            round_.questions.append(planned)
            if "```" in q.text:
                self.warnings.append(
                    Note(path, q.line, gettext("This question holds a code block."))
                )
            if body.strip():
                answer = PlannedAnswer(author, planned, body, path, q.line)
                self._find_images(answer, path)
                round_.answers.append(answer)

    # Images

    def _find_images(self, item, path):
        text = item.body if isinstance(item, PlannedAnswer) else item.text
        if "![" not in text:
            return
        folder = posixpath.dirname(path)
        for src in _image_sources(text):
            if _EXTERNAL.match(src):
                continue
            target = posixpath.normpath(
                posixpath.join(folder, unquote(src.split("#")[0].split("?")[0]))
            )
            if target in self.files and posixpath.splitext(target)[1].lower() in IMAGE_SUFFIXES:
                item.images[src] = target
            else:
                self.warnings.append(
                    Note(
                        path,
                        item.line,
                        gettext(
                            "The image %(src)s is not in the repository; its link is kept as written."
                        )
                        % {"src": src},
                    )
                )


def _image_sources(text):
    sources = []
    for token in _LINKS_AS_WRITTEN.parse(text):
        for child in token.children or []:
            stack = [child]
            while stack:
                node = stack.pop()
                if node.type == "image":
                    sources.append(node.attrGet("src"))
                stack.extend(node.children or [])
    return list(dict.fromkeys(s for s in sources if s))


def _is_text(path):
    return posixpath.splitext(path)[1].lower() in TEXT_SUFFIXES


def _stem(path):
    return posixpath.splitext(posixpath.basename(path))[0]
