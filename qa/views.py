from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from .board import answer_matrix, board_counts
from .compiled import OneRowQuery
from .diffs import line_diff
from .exporter import export_filename, export_round
from .forms import AnswerForm, ImageUploadForm, QuestionForm, SearchForm
from .member_history import ROUNDS_PER_PAGE, Position, page_links, round_page
from .limits import limited
from .markdown import render_markdown
from .models import (
    ANSWER_MAX_LENGTH,
    UPLOAD_CONTENT_TYPES,
    UPLOAD_FOLDER,
    Answer,
    AnswerConflict,
    Member,
    Question,
    Round,
    member_of,
)
from .pagecache import cached_page, render_with_shared_parts
from .search import load_hits

SEARCH_PAGE_SIZE = 20
ROUND_PAGE_SIZE = 52  # a year of weekly rounds


def _visible_rounds(request):
    return Round.objects.visible_to(request.user)


@require_safe
def home(request):
    """This week's board: the round in progress (Round.for_board())."""
    round_ = Round.for_board()
    if round_ is None:
        return render(request, "qa/home_empty.html")
    return _render_board(request, round_, is_home=True)


@require_safe
def round_list(request):
    rounds = _visible_rounds(request).with_counts().order_by("-number")
    page = Paginator(rounds, ROUND_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "qa/round_list.html", {"rounds": page})


@require_safe
def round_detail(request, number):
    round_ = Round.for_board(number)
    if round_ is None or not round_.is_visible_to(request.user):
        raise Http404
    return _render_board(request, round_)


@require_safe
def round_export(request, number):
    """The round as the weekly Markdown file groups keep, for download."""
    round_ = get_object_or_404(_visible_rounds(request), number=number)
    reveal = round_.reveal_for(request.user)
    response = HttpResponse(
        export_round(round_, reveal), content_type="text/markdown; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{export_filename(round_)}"'
    return response


def _render_board(request, round_, is_home=False):
    member = member_of(request.user)
    if member is not None:  # what the board lists as "new for you" (Member.saw_board())
        member.saw_board(timezone.now())

    def render_page():
        # While the round hides answers, what the shared part shows depends on the answers
        # the reader may read; visitors all read none. A page kept whole is kept for one
        # reader, whose reveal the round's version decides: it is asked only here.
        reveal = round_.reveal_for(request.user)

        def shared_context():
            member_lists, picked = round_.board(reveal)
            return {
                "member_lists": member_lists,
                "picked": picked,
                "matrix": answer_matrix(member_lists, picked),
                "counts": board_counts(member_lists, picked),
            }

        context = {"round": round_, "is_home": is_home}
        version = f"{round_.board_version}.{reveal.key}"
        return render_with_shared_parts(
            request, "qa/round_detail.html", context, version, shared_context
        )

    return cached_page(request, round_.board_version, render_page)


@require_POST
def new_for_you_seen(request):
    """Empty the board's "new for you" list, then go back to the board."""
    member = member_of(request.user)
    if member is None:
        return _refuse(request, reverse("qa:home"))
    member.mark_news_seen(timezone.now())
    return _redirect_back(request, "qa:home")


@require_safe
def question_detail(request, pk):
    # A visitor's cached page needs only the round, which versions it (as on the board);
    # the question itself is loaded when the page is rendered.
    round_ = Round.for_question_page(pk)
    if round_ is None or not round_.is_visible_to(request.user):
        raise Http404

    def render_page():
        reveal = round_.reveal_for(request.user, question_id=pk)  # as on the board

        def shared_context():
            question = get_object_or_404(Question.objects.for_page(), pk=pk)
            question.round = round_
            return {"question": question.load_board_parts(reveal).load_follow_ups()}

        version = f"{round_.page_version}.{reveal.key}"
        return render_with_shared_parts(
            request, "qa/question_detail.html", {}, version, shared_context
        )

    return cached_page(request, round_.page_version, render_page)


@require_safe
@limited("search")
def search(request):
    form = SearchForm(request.GET or None, rounds=_visible_rounds(request))
    # The page is the same for every reader asking the same query until anything is written
    # (the member filter's choices too: a rename counts on every board; a member added since
    # shows in them once anything is written, and has nothing to find before), so all of it
    # is cached by the version of every board, read in one query with the newest entry
    # find() needs.
    history = Round.objects.history(newest_entry=True)

    def shared_context():
        context = {"form": form, "searched": bool(form.terms)}
        if form.terms:
            # Blind answering's hidden answers are looked for only while a round hides any.
            hidden = _hidden_answers(request) if history.hiding else None
            results = form.search(newest=history.newest_entry, hidden=hidden)
            page = Paginator(results, SEARCH_PAGE_SIZE).get_page(request.GET.get("page"))
            hits = load_hits(page.object_list, form.terms)
            context.update(page=page, hits=hits, results=results)
        return context

    # The whole query string: the pages' links carry it.
    query = sorted(request.GET.lists())
    version = f"{history.version(request.user)}.{request.user.is_staff}.{query}"
    return render_with_shared_parts(
        request, "qa/search_results.html", {}, version, shared_context
    )


# Every member page looks its member up by name: compiled once (qa.compiled).
MEMBERS_BY_NAME = OneRowQuery(lambda: Member.objects.all(), "name", sentinel="")


@require_safe
def member_detail(request, name):
    """A member's questions, picks and answers, newest round first, each paged by round."""
    member = MEMBERS_BY_NAME.get(name)
    if member is None:
        raise Http404
    positions = {section: Position.from_query(request.GET, section) for section in ROUNDS_PER_PAGE}

    def shared_context():
        rounds = _visible_rounds(request)
        counted = Member.objects.with_history_counts(rounds).get(pk=member.pk)
        # Only what the lists show: an answer's Markdown and HTML are most of its row. Each
        # page is of `rounds` (round_page()), which hides drafts from all but curators.
        sections = {
            "questions": member.questions.for_listing()
            .with_pick_count()
            .with_answer_count()
            .defer("text", "search_text"),
            "picks": member.picks.for_listing().defer("question__text", "question__search_text"),
            # Answers blind answering hides from the reader are listed, as the board's matrix
            # shows who has answered, but without their text (`revealed`).
            "answers": member.answers.for_listing()
            .with_revealed(member_of(request.user), curator=request.user.is_staff)
            .defer("body", "body_html", "question__text", "question__text_html"),
        }
        pages = {
            section: round_page(rows, rounds, positions[section], ROUNDS_PER_PAGE[section])
            for section, rows in sections.items()
        }
        page_links(pages, {section: f"#{section}-heading" for section in pages})
        return {"counted": counted, **pages}

    # Any change on any board may show here (a question picked, a name, a round published);
    # the query string counts only as the positions it names, so junk never fills the cache.
    # Whether the member has an account decides a curator's invitation button.
    where = sorted((s, p.as_query(s).items()) for s, p in positions.items())
    version = f"{member.pk}.{member.user_id is None}.{request.user.is_staff}.{where}"

    history = Round.objects.history()

    def render_page():
        # The answers blind answering hides from the reader: as on the board, asked only here.
        return render_with_shared_parts(
            request,
            "qa/member_detail.html",
            {"member": member},
            f"{version}.{history.version(request.user)}",
            shared_context,
        )

    return cached_page(request, f"{version}.{history.version()}", render_page)


@require_safe
def language(request, code):
    """Switch the interface language with a plain link, then go back where the reader was.

    A link, not Django's POST form: a visitor's page then carries no CSRF token and can be
    cached whole (qa.pagecache). All it changes is the reader's own language cookie.
    """
    if code not in dict(settings.LANGUAGES):
        raise Http404
    back = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = "/"
    response = redirect(back)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


@require_safe
def favicon(request):
    """Browsers and link previews ask for /favicon.ico whatever a page links to."""
    # Not permanent: the static file's name changes with each release (hashed by whitenoise).
    return redirect(static("qa/favicon.ico"))


def upload_file(request, name):
    """An editor image, by the name the upload form gave it (the URL allows no other).

    Public media are the web server's to serve, so Django answers only in debug. Protected
    media (MEDIA_PROTECTED) go to signed-in accounts only, sent by nginx from the internal
    location MEDIA_ACCEL_PREFIX when it is set, else by Django itself.
    """
    protected = settings.MEDIA_PROTECTED
    if not (protected or settings.DEBUG):
        raise Http404
    if protected and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    path = f"{UPLOAD_FOLDER}/{name}"
    if not default_storage.exists(path):
        raise Http404
    content_type = UPLOAD_CONTENT_TYPES[name.rpartition(".")[2]]
    if settings.MEDIA_ACCEL_PREFIX:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = f"{settings.MEDIA_ACCEL_PREFIX.rstrip('/')}/{path}"
    else:
        response = FileResponse(default_storage.open(path), content_type=content_type)
    # Never taken for anything but the image it says it is.
    response["X-Content-Type-Options"] = "nosniff"
    if protected:  # a shared cache would hand it to anyone; the file never changes
        response["Cache-Control"] = "private, max-age=86400"
    return response


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


def _refuse(request, next_url=None):
    """Visitors are asked to sign in; signed-in people without the right get a 403."""
    if not request.user.is_authenticated:
        return redirect_to_login(next_url or request.get_full_path())
    raise PermissionDenied


def _redirect_back(request, fallback):
    """After a POST: to the form's `next` address if it is on this site, else to `fallback`."""
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        return redirect(back)
    return redirect(fallback)


def _visible_questions(request):
    return Question.objects.filter(round__in=_visible_rounds(request)).select_related(
        "round", "author"
    )


def _hidden_answers(request):
    """The answers blind answering hides from the reader (a search leaves them out)."""
    return Answer.objects.hidden_from(member_of(request.user), curator=request.user.is_staff)


def _visible_answers(request):
    """Answers whose pages (history, editor) the reader may open: a hidden one is not there."""
    answers = Answer.objects.filter(round__in=_visible_rounds(request)).revealed_to(
        member_of(request.user), curator=request.user.is_staff
    )
    return answers.select_related(
        "question__round", "question__author", "author", "edited_by__member"
    )


def _on_board(question):
    return f"{question.round.get_absolute_url()}#question-{question.pk}"


def question_add(request, number):
    round_ = get_object_or_404(_visible_rounds(request), number=number)
    try:
        round_.check_add_question(request.user)
    except PermissionDenied:
        return _refuse(request)
    except ValidationError as error:  # the limit: the form says so again when it is sent
        if request.method != "POST":
            messages.error(request, error.messages[0])
    form = QuestionForm(request.POST or None, round=round_, author=member_of(request.user))
    if form.is_valid():
        try:
            question = form.save()
        except ValidationError as error:  # the limit, reached by a simultaneous add
            form.add_error(None, error)
        else:
            return redirect(_on_board(question))
    return render(request, "qa/question_form.html", {"form": form, "round": round_})


def question_edit(request, number, pk):
    question = get_object_or_404(_visible_questions(request), round__number=number, pk=pk)
    if not question.can_edit(request.user):
        return _refuse(request)
    form = QuestionForm(request.POST or None, instance=question)
    if form.is_valid():
        form.save()
        return redirect(_on_board(question))
    return render(
        request,
        "qa/question_form.html",
        {"form": form, "round": question.round, "question": question,
         "can_delete": question.can_delete(request.user)},
    )  # fmt: skip


def question_delete(request, number, pk):
    question = get_object_or_404(_visible_questions(request), round__number=number, pk=pk)
    if not question.can_delete(request.user):
        return _refuse(request)
    if request.method == "POST":
        question.delete()
        messages.success(request, _("The question was deleted."))
        return redirect(question.round)
    return render(request, "qa/question_confirm_delete.html", {"question": question})


@require_POST
def question_move(request, number, pk, step):
    question = get_object_or_404(_visible_questions(request), round__number=number, pk=pk)
    if not question.can_edit(request.user):
        return _refuse(request, question.round.get_absolute_url())
    question.move(step)
    return redirect(_on_board(question))


@require_POST
def question_pick(request, pk):
    question = get_object_or_404(_visible_questions(request), pk=pk)
    for_group = request.POST.get("for") == "group"
    picked = request.POST.get("pick") == "1"
    # The same checks decide which 👀 buttons the board offers (qa_permissions.pick_offer).
    if for_group:
        check = question.check_pick_for_group if picked else question.check_unpick_for_group
    else:
        check = question.check_pick if picked else question.check_unpick
    try:
        check(request.user)
        question.set_pick(None if for_group else member_of(request.user), picked=picked)
    except PermissionDenied:
        return _refuse(request, _on_board(question))
    except ValidationError as error:  # a rule of the board, or a simultaneous request's pick
        for message in error.messages:
            messages.error(request, message)
    return _redirect_back(request, _on_board(question))


@require_POST
def answer_react(request, pk, kind):
    """Give or take back the reader's 👍 💡 ❓ on an answer (`pressed` 1 or 0, else the
    opposite of what they have); JSON for the page's script, else back to the answer."""
    answer = get_object_or_404(_visible_answers(request), pk=pk)
    if not answer.can_react(request.user):
        return _refuse(request, answer.get_absolute_url())
    member = member_of(request.user)
    if request.POST.get("pressed") in ("0", "1"):
        pressed = request.POST["pressed"] == "1"
    else:
        pressed = not answer.reactions.filter(member=member, kind=kind).exists()
    count = answer.set_reaction(member, kind, pressed)
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"kind": kind, "pressed": pressed, "count": count})
    return _redirect_back(request, answer)


def question_answer(request, pk):
    """Write one's own answer to a question, or edit it if it exists."""
    question = get_object_or_404(_visible_questions(request), pk=pk)
    member = member_of(request.user)
    if question.can_answer(request.user):
        answer = Answer(question=question, author=member)
    else:
        answer = question.answers.filter(author=member).first() if member else None
        if answer is None:
            return _refuse(request)
    return _answer_editor(request, answer)


def answer_edit(request, pk):
    return _answer_editor(request, get_object_or_404(_visible_answers(request), pk=pk))


def _answer_editor(request, answer):
    if not answer._state.adding and not answer.can_edit(request.user):
        return _refuse(request)
    form = AnswerForm(request.POST or None, instance=answer, editor=request.user)
    if form.is_valid():
        try:
            answer = form.save()
        except AnswerConflict as conflict:
            return _answer_conflict(request, form, conflict.current)
        return redirect(answer)
    return render(request, "qa/answer_form.html", {"form": form, "answer": answer})


def _answer_conflict(request, form, current):
    """Refuse the save, and show both texts so the writer can merge and save again."""
    theirs = form.cleaned_data["body"]
    retry = AnswerForm(
        initial={"body": theirs, "version": current.version}, instance=current, editor=request.user
    )
    context = {
        "form": retry,
        "answer": current,
        "theirs": theirs,
        "diff": line_diff(current.body, theirs),
    }
    return render(request, "qa/answer_conflict.html", context, status=409)


@login_required
@require_safe
def answer_history(request, pk):
    answer = get_object_or_404(_visible_answers(request), pk=pk)
    versions = answer.versions()
    by_number = {revision.version: revision for revision in versions}
    old = new = None
    if "a" in request.GET:  # ?a=<version>&b=<version>, b the current text when left out
        try:
            old = by_number[int(request.GET["a"])]
            new = by_number[int(request.GET.get("b", answer.version))]
        except (KeyError, ValueError):
            raise Http404 from None
    context = {
        "answer": answer,
        "versions": versions,
        "old": old,
        "new": new,
        "diff": line_diff(old.body, new.body) if old else None,
        "can_restore": answer.can_edit(request.user),
    }
    return render(request, "qa/answer_history.html", context)


@require_POST
def answer_restore(request, pk, version):
    answer = get_object_or_404(_visible_answers(request), pk=pk)
    if not answer.can_edit(request.user):
        return _refuse(request, answer.get_history_url())
    revision = get_object_or_404(answer.revisions, version=version)
    try:
        answer.restore(revision, editor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Version %(old)d is the current text again, as version %(new)d.")
            % {"old": version, "new": answer.version},
        )
    return redirect(answer.get_history_url())


# The markdownx widget posts here (MARKDOWNX_URLS_PATH, MARKDOWNX_UPLOAD_URLS_PATH) with the
# CSRF token in its form data; markdownx's own views are not mounted.
@require_POST
@limited("preview")
def answer_preview(request):
    if not Answer.can_use_editor(request.user):
        return JsonResponse({"error": _("Sign in as a member to preview answers.")}, status=403)
    content = request.POST.get("content", "")
    if len(content) > ANSWER_MAX_LENGTH:
        return JsonResponse({"error": _("This answer is too long to preview.")}, status=400)
    return HttpResponse(render_markdown(content))


@require_POST
@limited("upload")
def answer_upload(request):
    if not Answer.can_use_editor(request.user):
        return JsonResponse({"error": _("Sign in as a member to upload images.")}, status=403)
    form = ImageUploadForm(request.POST, request.FILES, user=request.user)
    if not form.is_valid():
        error = form.errors.as_data()["image"][0]
        status = 413 if error.code in ("too_large", "over_quota") else 400
        return JsonResponse({"error": error.messages[0]}, status=status)
    # The response shape the widget's script expects: Markdown to insert at the cursor.
    return JsonResponse({"image_code": f"![]({form.save()})"})
