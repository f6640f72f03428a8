"""Follow-up questions (꼬리 질문) under answers: asked, edited, deleted and promoted into
the next round. Each write redirects back to the thread on the question's page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .diffs import line_diff
from .forms import FollowUpForm
from .models import FollowUp, FollowUpConflict, member_of
from .views import _refuse, _visible_answers


def _visible_follow_ups(request):
    return FollowUp.objects.visible_to(request.user).select_related(
        "answer__question__round", "answer__author", "author", "round", "promoted_to__round"
    )


@require_POST
def follow_up_add(request, pk):
    answer = get_object_or_404(_visible_answers(request), pk=pk)
    if not answer.can_follow_up(request.user):
        return _refuse(request, answer.get_absolute_url())
    form = FollowUpForm(request.POST, answer=answer, author=member_of(request.user))
    if form.is_valid():
        return redirect(form.save())
    # Shown again on a page of its own, with the error and the text as it was sent.
    return render(request, "qa/follow_up_form.html", {"form": form, "answer": answer})


def follow_up_edit(request, pk):
    follow_up = get_object_or_404(_visible_follow_ups(request), pk=pk)
    if not follow_up.can_edit(request.user):
        return _refuse(request)
    form = FollowUpForm(request.POST or None, instance=follow_up)
    if form.is_valid():
        try:
            form.save()
        except FollowUpConflict as conflict:
            return _follow_up_conflict(request, form, conflict.current)
        except FollowUp.DoesNotExist:  # deleted while it was being edited
            raise Http404 from None
        return redirect(follow_up)
    context = {"form": form, "answer": follow_up.answer, "follow_up": follow_up}
    return render(request, "qa/follow_up_form.html", context)


def _follow_up_conflict(request, form, current):
    """Refuse the save and show both texts; the form holds the writer's, over the newer one."""
    theirs = form.cleaned_data["body"]
    retry = FollowUpForm(initial={"body": theirs, "version": current.version}, instance=current)
    context = {
        "form": retry,
        "answer": current.answer,
        "follow_up": current,
        "conflict": True,
        "diff": line_diff(current.body, theirs),
    }
    return render(request, "qa/follow_up_form.html", context, status=409)


def follow_up_delete(request, pk):
    follow_up = get_object_or_404(_visible_follow_ups(request), pk=pk)
    if not follow_up.can_delete(request.user):
        return _refuse(request)
    if request.method == "POST":
        follow_up.delete()
        messages.success(request, _("The follow-up question was deleted."))
        return redirect(follow_up.answer)
    return render(request, "qa/follow_up_confirm_delete.html", {"follow_up": follow_up})


@require_POST
def follow_up_promote(request, pk):
    follow_up = get_object_or_404(_visible_follow_ups(request), pk=pk)
    if not follow_up.can_promote(request.user):
        return _refuse(request, follow_up.get_absolute_url())
    try:
        question = follow_up.promote(request.user)
    except FollowUp.DoesNotExist:
        raise Http404 from None
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(follow_up)
    messages.success(
        request,
        _("The follow-up question is now a question of week %(number)d.")
        % {"number": question.round.number},
    )
    # A member promotes into a draft round they cannot see yet: back to the thread, then.
    if question.round.is_visible_to(request.user):
        return redirect(question)
    return redirect(follow_up)
