"""Remembering the group's questions: the bank, spaced review, progress and mock interviews."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from .limits import limited
from .models import (
    Answer,
    Grade,
    MockInterview,
    Question,
    ReviewCard,
    Round,
    Topic,
    member_of,
)
from .models.review import (
    AlreadyGraded,
    grade,
    new_left_today,
    new_questions,
    reviewable_questions,
    set_status,
    streak,
)
from .similar import similar_questions
from .study_forms import (
    BankForm,
    GradeForm,
    InterviewAnswerForm,
    InterviewForm,
    InterviewGradeForm,
)
from .views import _redirect_back, _refuse

BANK_PAGE_SIZE = 50


@require_safe
def bank(request):
    """Every question of the rounds the reader may see, with its topics and answer count."""
    rounds = Round.objects.visible_to(request.user)
    form = BankForm(request.GET or None)
    questions = (
        Question.objects.visible_in(rounds)
        .for_listing()
        .with_answer_count()
        .prefetch_related("topics")
        .defer("text", "text_html")
    )
    page = Paginator(form.filter(questions), BANK_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "qa/bank.html", {"form": form, "page": page})


@require_safe
@limited("similar")
def question_similar(request):
    """Past questions like the draft in ?text= (and the topics it suggests), as a fragment of
    the question form: its script asks for it as the member types."""
    text = request.GET.get("text", "")[:2_000]
    exclude = request.GET.get("exclude", "")
    exclude = int(exclude) if exclude.isascii() and exclude.isdigit() else None
    rounds = Round.objects.visible_to(request.user)
    context = {
        "similar": similar_questions(text, rounds, exclude=exclude) if text.strip() else [],
        "suggested": Topic.objects.suggested_for(text) if text.strip() else [],
    }
    return render(request, "qa/_similar_questions.html", context)


def _answers_of(question, member):
    return Answer.objects.filter(question=question).revealed_to(member).in_order()


@require_safe
def review(request):
    """The member's next question due today, alone; the group's answers behind a disclosure."""
    member = member_of(request.user)
    if member is None:
        return _refuse(request)
    due = ReviewCard.objects.of(member).due().with_question()
    card = due.first()
    question, due_count, new_count = None, 0, 0
    if card is not None:
        question, due_count = card.question, due.count()
    new_left = new_left_today(member)
    if new_left:
        fresh = new_questions(member).select_related("round", "author")
        if question is None:
            question = fresh.first()
        new_count = min(new_left, fresh.count()) if question else 0
    context = {
        "card": card,
        "question": question,
        "due_count": due_count,
        "new_count": new_count,
        "answers": _answers_of(question, member) if question else [],
        "topics": question.topics.all() if question else [],
        "next_card": None if question else ReviewCard.objects.of(member).active().first(),
    }
    return render(request, "qa/review.html", context)


@require_POST
def review_grade(request, pk):
    member = member_of(request.user)
    if member is None:
        return _refuse(request)
    question = get_object_or_404(reviewable_questions(), pk=pk)
    form = GradeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the four grades."))
        return redirect("qa:review")
    try:
        card = grade(
            member, question, form.cleaned_data["rating"], seen_reps=form.cleaned_data["reps"]
        )
    except AlreadyGraded:
        messages.info(request, _("That question was already graded; here is the next one."))
    else:
        messages.success(
            request,
            _("Graded. It comes back on %(date)s.")
            % {"date": date_format(timezone.localtime(card.due), "MONTH_DAY_FORMAT")},
        )
    return redirect("qa:review")


STATUS_ACTIONS = {
    "pause": ReviewCard.Status.PAUSED,
    "drop": ReviewCard.Status.DROPPED,
    "resume": ReviewCard.Status.ACTIVE,
}


@require_POST
def review_status(request, pk):
    """Pause, drop or resume one question of the member's review."""
    member = member_of(request.user)
    if member is None:
        return _refuse(request)
    question = get_object_or_404(reviewable_questions(), pk=pk)
    status = STATUS_ACTIONS.get(request.POST.get("action"))
    if status is None:
        messages.error(request, _("Choose to pause, drop or resume the question."))
    else:
        set_status(member, question, status)
        messages.success(
            request,
            {
                ReviewCard.Status.PAUSED: _("Paused: it will not come due until you resume it."),
                ReviewCard.Status.DROPPED: _("Dropped from your review."),
                ReviewCard.Status.ACTIVE: _("Back in your review."),
            }[status],
        )
    return _redirect_back(request, "qa:review")


@require_safe
def review_progress(request):
    member = member_of(request.user)
    if member is None:
        return _refuse(request)
    cards = ReviewCard.objects.of(member)
    set_aside = cards.exclude(status=ReviewCard.Status.ACTIVE).with_question().order_by(
        "status", "question__round__number", "question__position"
    )
    context = {
        "streak": streak(member),
        "week": cards.due_per_day(),
        "weakest": Topic.objects.weakest_for(member),
        "set_aside": set_aside,
        "card_count": cards.count(),
        "grade_count": Grade.objects.filter(card__member=member).count(),
    }
    return render(request, "qa/review_progress.html", context)


def interview(request):
    """Choose a topic, rounds and a number of questions, and start a mock interview."""
    member = member_of(request.user)
    if member is None:
        return _refuse(request)
    form = InterviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            started = MockInterview.start(
                member, size=data["size"], topic=data["topic"],
                first_round=data["first_round"], last_round=data["last_round"],
            )  # fmt: skip
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect(started)
    context = {"form": form, "recent": member.interviews.all()[:5]}
    return render(request, "qa/interview_start.html", context)


def _interview_of(request, pk):
    member = member_of(request.user)
    if member is None:
        return None
    interview = get_object_or_404(MockInterview.objects.select_related("topic"), pk=pk, member=member)
    interview.member = member
    return interview


def _current(items):
    """The first item not graded yet, and the one before it."""
    previous = None
    for item in items:
        if item.rating is None:
            return item, previous
        previous = item
    return None, previous


@require_safe
def interview_detail(request, pk):
    """The interview's current question: to answer, or answered and to grade; at the end, all."""
    interview = _interview_of(request, pk)
    if interview is None:
        return _refuse(request)
    items = list(interview.items.select_related("question__round", "question__author"))
    item, previous = _current(items)
    context = {"interview": interview, "items": items, "item": item}
    if item is not None:
        started = item.started(previous)
        context.update(
            number=item.position,
            total=len(items),
            elapsed=max(0, int((timezone.now() - started).total_seconds())),
            topics=item.question.topics.all(),
        )
        if item.is_answered:
            context.update(
                answers=_answers_of(item.question, interview.member),
                form=InterviewGradeForm(initial={"item": item.pk}),
            )
        else:
            context["form"] = InterviewAnswerForm(initial={"item": item.pk})
    return render(request, "qa/interview_detail.html", context)


def _locked_current(interview, posted_item):
    """The current item, locked, if it is the one the form was for; else None."""
    items = list(interview.items.select_for_update().select_related("interview__member"))
    item, previous = _current(items)
    if item is None or item.pk != posted_item:
        return None, None
    return item, previous


@require_POST
def interview_answer(request, pk):
    interview = _interview_of(request, pk)
    if interview is None:
        return _refuse(request)
    form = InterviewAnswerForm(request.POST)
    if form.is_valid():
        with transaction.atomic():
            item, previous = _locked_current(interview, form.cleaned_data["item"])
            if item is not None and not item.is_answered:
                item.give_answer(form.cleaned_data["answer"], previous)
    else:
        messages.error(request, _("Your answer can be at most 10,000 characters long."))
    return redirect(interview)


@require_POST
def interview_grade(request, pk):
    interview = _interview_of(request, pk)
    if interview is None:
        return _refuse(request)
    form = InterviewGradeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the four grades."))
        return redirect(interview)
    with transaction.atomic():
        item, _previous = _locked_current(interview, form.cleaned_data["item"])
        if item is not None and item.is_answered:
            item.give_grade(form.cleaned_data["rating"])
    return redirect(interview)
