from django.conf import settings
from django.urls import path, register_converter
from django.urls.converters import StringConverter

from . import feeds, follow_up_views, joining, study_views, views
from .models import UPLOAD_FOLDER, UPLOAD_NAME_PATTERN, Reaction
from .text import OneLineConverter


class UploadNameConverter(StringConverter):
    """An editor image's name as ImageUploadForm gives it: no other file, no other folder."""

    regex = UPLOAD_NAME_PATTERN


class ReactionKindConverter(StringConverter):
    """👍 💡 ❓ by name: any other kind is a 404, never a row the constraint refuses."""

    regex = "|".join(Reaction.Kind.values)


register_converter(OneLineConverter, "one_line")
register_converter(ReactionKindConverter, "reaction_kind")
register_converter(UploadNameConverter, "upload_name")

app_name = "qa"

# django-markdownx's own views are deliberately not included: its preview does not
# sanitize and its upload view accepts HTML and scripted SVG. Its widget posts to
# answer-preview and answer-upload instead (MARKDOWNX_*_PATH in settings).
urlpatterns = [
    path("", views.home, name="home"),
    path("rounds/", views.round_list, name="round-list"),
    path("rounds/feed/", feeds.LatestRoundsFeed(), name="round-feed"),
    path("feed/", feeds.LatestAnswersFeed(), name="answer-feed"),
    path("search/", views.search, name="search"),
    path("members/", joining.member_list, name="member-list"),
    path("invitations/", joining.invitation_create, name="invitation-create"),
    path("invitations/<int:pk>/", joining.invitation_detail, name="invitation-detail"),
    path("invitations/<int:pk>/revoke/", joining.invitation_revoke, name="invitation-revoke"),
    path("join/<str:token>/", joining.invitation_accept, name="invitation-accept"),
    path("profile/", joining.profile, name="profile"),
    path("new-for-you/seen/", views.new_for_you_seen, name="new-for-you-seen"),
    # Member names come from imported files and may hold a "/", never a control character.
    path("members/<one_line:name>/", views.member_detail, name="member-detail"),
    path("rounds/<int:number>/", views.round_detail, name="round-detail"),
    path("rounds/<int:number>/export.md", views.round_export, name="round-export"),
    path("questions/<int:pk>/", views.question_detail, name="question-detail"),
    path("rounds/<int:number>/questions/add/", views.question_add, name="question-add"),
    path(
        "rounds/<int:number>/questions/<int:pk>/edit/", views.question_edit, name="question-edit"
    ),
    path(
        "rounds/<int:number>/questions/<int:pk>/delete/",
        views.question_delete,
        name="question-delete",
    ),
    path(
        "rounds/<int:number>/questions/<int:pk>/move-up/",
        views.question_move,
        {"step": -1},
        name="question-move-up",
    ),
    path(
        "rounds/<int:number>/questions/<int:pk>/move-down/",
        views.question_move,
        {"step": 1},
        name="question-move-down",
    ),
    path("questions/<int:pk>/pick/", views.question_pick, name="question-pick"),
    path("questions/<int:pk>/answer/", views.question_answer, name="question-answer"),
    path("answers/preview/", views.answer_preview, name="answer-preview"),
    path("answers/upload/", views.answer_upload, name="answer-upload"),
    path("answers/<int:pk>/edit/", views.answer_edit, name="answer-edit"),
    path("answers/<int:pk>/history/", views.answer_history, name="answer-history"),
    path(
        "answers/<int:pk>/reactions/<reaction_kind:kind>/",
        views.answer_react,
        name="answer-react",
    ),
    path(
        "answers/<int:pk>/history/<int:version>/restore/",
        views.answer_restore,
        name="answer-restore",
    ),
    path(
        "answers/<int:pk>/follow-ups/", follow_up_views.follow_up_add, name="follow-up-add"
    ),
    path("follow-ups/<int:pk>/edit/", follow_up_views.follow_up_edit, name="follow-up-edit"),
    path(
        "follow-ups/<int:pk>/delete/", follow_up_views.follow_up_delete, name="follow-up-delete"
    ),
    path(
        "follow-ups/<int:pk>/promote/",
        follow_up_views.follow_up_promote,
        name="follow-up-promote",
    ),
    # Under MEDIA_URL (with the script prefix Django gives it, as static() takes it off).
    path(
        f"{settings.MEDIA_URL.lstrip('/')}{UPLOAD_FOLDER}/<upload_name:name>",
        views.upload_file,
        name="upload-file",
    ),
    path("bank/", study_views.bank, name="bank"),
    path("questions/similar/", study_views.question_similar, name="question-similar"),
    path("review/", study_views.review, name="review"),
    path("review/progress/", study_views.review_progress, name="review-progress"),
    path("review/<int:pk>/grade/", study_views.review_grade, name="review-grade"),
    path("review/<int:pk>/status/", study_views.review_status, name="review-status"),
    path("interview/", study_views.interview, name="interview"),
    path("interview/<int:pk>/", study_views.interview_detail, name="interview-detail"),
    path("interview/<int:pk>/answer/", study_views.interview_answer, name="interview-answer"),
    path("interview/<int:pk>/grade/", study_views.interview_grade, name="interview-grade"),
    path("language/<str:code>/", views.language, name="language"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
]
