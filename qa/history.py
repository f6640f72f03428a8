"""A group's whole history in and out of the database: qa.roundfile's plans written as rounds,
and the board read out for qa.roundfile.write."""

from io import BytesIO
from uuid import uuid4

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from .forms import IMAGE_MAX_BYTES, decode_image
from .models import UPLOAD_FOLDER, Answer, Member, Pick, Question, Round, Upload
from .models.uploads import UPLOAD_NAME
from .roundfile import HistoryError, Note, plan_history, read_repository
from .roundfile.weekfile import RoundFileError, parse_round
from .roundfile.write import ExportQuestion, ExportRound, write_history


def round_file(data, path):
    """A round file of the sample's format (qa.roundfile.weekfile), as plan_history wants it."""
    try:
        parsed = parse_round(data, filename=path)
    except RoundFileError as err:
        raise HistoryError(err.message, path=path, line=err.line) from None
    lists = [(m.name, m.questions, m.line) for m in parsed.members]
    answers = [(a.author, a.question, a.body, a.line) for a in parsed.answers]
    notes = [Note(path, line, message) for line, message in parsed.warnings]
    return parsed.title, lists, answers, notes


def plan_import(source, *, first_round=None):
    """The plan for a folder or .zip (a path or an open file), checked against the database."""
    if first_round is not None and first_round < 1:
        raise HistoryError(gettext("A round number is 1 or more."))
    plan = plan_history(
        read_repository(source),
        first_round=first_round,
        taken_numbers=Round.objects.values_list("number", flat=True),
        existing_members=Member.objects.values_list("name", flat=True),
        parse_round_file=round_file,
    )
    return plan


def imported_message(plan, rounds):
    """What an import wrote, in the same words on the command line and in the admin."""
    return gettext(
        "Imported %(rounds)d rounds: %(questions)d questions, %(picks)d picks, "
        "%(answers)d answers, %(images)d images."
    ) % {
        "rounds": len(rounds),
        "questions": plan.question_count,
        "picks": plan.pick_count,
        "answers": plan.answer_count,
        "images": plan.image_count,
    }


@transaction.atomic
def save_plan(plan, *, state=Round.State.CLOSED):
    """Write every round of the plan in one transaction: all of it, or (HistoryError) none."""
    members = {}
    for name in plan.members:
        members[name] = Member.objects.get_or_create(name=name)[0]
    images = _Images(plan.files)
    created = []
    for planned in plan.rounds:
        try:
            with transaction.atomic():
                round_ = Round.objects.create(
                    number=planned.number,
                    title=planned.title[: Round._meta.get_field("title").max_length],
                    state=state,
                    uses_picks=planned.uses_picks,
                    # Written in the open, as any week file's answers (qa.importer).
                    blind_answers=False,
                )
        except IntegrityError:
            raise HistoryError(
                gettext("Round %(number)d already exists.") % {"number": planned.number},
                path=planned.source,
            ) from None
        try:
            with transaction.atomic():
                _add_round_parts(round_, planned, members, images)
        except IntegrityError as err:
            # The plan rules out what the constraints refuse; should one still be hit, the
            # database has the last word and nothing is written.
            raise HistoryError(
                gettext("The database refused this week: %(error)s") % {"error": err},
                path=planned.source,
            ) from None
        created.append(round_)
    return created


def _add_round_parts(round_, planned, members, images):
    """The week's questions, picks and answers, each checked by its fields' own validators,
    then inserted in bulk through the write path (objects.add())."""
    positions, saved = {}, {}
    for question in planned.questions:
        # The group's questions (a common list) have no author.
        author = members[question.author] if question.author else None
        key = author.pk if author else None
        positions[key] = positions.get(key, 0) + 1
        row = Question(
            round=round_,
            author=author,
            position=positions[key],
            label=question.label,
            text=images.rewrite(question.text, question.images),
        )
        with _refused_at(question.path, question.line):
            row.clean_fields(exclude=["round", "author"])
        saved[id(question)] = row
    Question.objects.add(list(saved.values()))
    picks = []
    for question in planned.questions:
        if question.picked:
            for picker in question.pickers or [None]:
                row = Pick(question=saved[id(question)], picker=members[picker] if picker else None)
                with _refused_at(question.path, question.line):
                    row.derive()
                    if row.picker_id is not None and row.picker_id == row.question_author_id:
                        raise ValidationError(_own_question())
                picks.append(row)
    Pick.objects.add(picks)
    answers = []
    for answer in planned.answers:
        row = Answer(
            question=saved[id(answer.question)],
            author=members[answer.author],
            body=images.rewrite(answer.body, answer.images),
        )
        with _refused_at(answer.path, answer.line):
            row.clean_fields(exclude=["question", "author", "round", "edited_by"])
        answers.append(row)
    Answer.objects.add(answers)


def _own_question():
    return gettext("Members cannot pick their own questions.")


class _Images:
    """Images of the tree, each checked by decoding it and stored once as an upload."""

    def __init__(self, files):
        self.files, self.urls = files, {}

    def rewrite(self, text, found):
        for src, path in found.items():
            text = text.replace(f"]({src}", f"]({self.url(path)}")
        return text

    def url(self, path):
        if path not in self.urls:
            data = self.files[path]
            if len(data) > IMAGE_MAX_BYTES:
                raise HistoryError(
                    gettext("Images can be at most %(limit)d MB.")
                    % {"limit": IMAGE_MAX_BYTES // (1024 * 1024)},
                    path=path,
                )
            try:
                image, extension = decode_image(BytesIO(data))
            except ValidationError as err:
                raise HistoryError(" ".join(err.messages), path=path) from None
            image.name = f"{uuid4().hex}.{extension}"
            upload = Upload.objects.create(file=image, size=image.size, uploaded_by=None)
            self.urls[path] = upload.file.url
        return self.urls[path]


class _refused_at:
    """The model's own rules have the last word; their messages name the file and line."""

    def __init__(self, path, line):
        self.path, self.line = path, line

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if isinstance(error, ValidationError):
            raise HistoryError(" ".join(error.messages), path=self.path, line=self.line) from error
        return False


def export_rounds():
    """Every round as qa.roundfile.write takes it, and the images their texts show."""
    rounds, names = [], set()
    # Every answer, blind answering or not: the whole history is the curators' (the admin's
    # export, and the export_history command on the server).
    for round_ in Round.objects.order_by("number"):
        member_lists, _picked = round_.board()
        questions = []
        for author, items in member_lists:
            for question in items:
                questions.append(
                    ExportQuestion(
                        author=author.name if author else None,
                        label=question.label,
                        text=question.text,
                        picked=bool(question.picks_on_board),
                        pickers=[
                            p.picker.name if p.picker else None for p in question.picks_on_board
                        ],
                        answers=[(a.author.name, a.body) for a in question.answers_on_board],
                    )
                )
                texts = [question.text, *(a.body for a in question.answers_on_board)]
                names.update(name for text in texts for name in UPLOAD_NAME.findall(text))
        rounds.append(
            ExportRound(
                number=round_.number,
                title=round_.title,
                questions=questions,
                uses_picks=round_.uses_picks,
            )
        )
    images = {}
    for name in sorted(names):
        path = f"{UPLOAD_FOLDER}/{name}"
        if default_storage.exists(path):
            with default_storage.open(path, "rb") as file:
                images[default_storage.url(path)] = (name, file.read())
    return rounds, images


def export_history():
    """{path: bytes} of the whole board in the week-folders layout."""
    rounds, images = export_rounds()
    return write_history(rounds, images)
