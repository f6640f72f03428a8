from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .models import Question, Round


def _visible_rounds(request):
    """Curators see drafts too, so they can review a round before publishing it."""
    if request.user.is_staff:
        return Round.objects.all()
    return Round.objects.visible()


@require_safe
def home(request):
    round_ = Round.objects.visible().order_by("-number").first()
    if round_ is None:
        return render(request, "qa/home_empty.html")
    return _render_board(request, round_, is_home=True)


@require_safe
def round_list(request):
    rounds = _visible_rounds(request).with_counts().order_by("-number")
    return render(request, "qa/round_list.html", {"rounds": rounds})


@require_safe
def round_detail(request, number):
    round_ = get_object_or_404(_visible_rounds(request), number=number)
    return _render_board(request, round_)


def _render_board(request, round_, is_home=False):
    member_lists, picked = round_.board()
    return render(
        request,
        "qa/round_detail.html",
        {"round": round_, "member_lists": member_lists, "picked": picked, "is_home": is_home},
    )


@require_safe
def question_detail(request, pk):
    question = get_object_or_404(
        Question.objects.filter(round__in=_visible_rounds(request)).for_board(), pk=pk
    )
    return render(request, "qa/question_detail.html", {"question": question})


@never_cache
@require_safe
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")
