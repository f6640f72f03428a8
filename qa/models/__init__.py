"""StudyBoard's models, one module per concept; import them from here."""

from .answers import ANSWER_MAX_LENGTH, Answer, AnswerConflict, Revision
from .follow_ups import FOLLOW_UP_MAX_LENGTH, FollowUp, FollowUpConflict
from .interviews import InterviewItem, MockInterview
from .invitations import Invitation, InvitationRefused, InvitationUse
from .members import Member, display_name, is_author, member_of
from .questions import PICK_MARKER, Pick, Question
from .reactions import Reaction
from .review import Grade, ReviewCard
from .rounds import Round, RoundChange
from .search_entries import SearchEntry, fold, joined, term_grams, term_pattern, text_grams
from .topics import QuestionTopic, Topic
from .uploads import UPLOAD_CONTENT_TYPES, UPLOAD_FOLDER, UPLOAD_NAME_PATTERN, Upload

__all__ = [
    "ANSWER_MAX_LENGTH", "PICK_MARKER", "UPLOAD_CONTENT_TYPES", "UPLOAD_FOLDER",
    "UPLOAD_NAME_PATTERN", "Answer", "AnswerConflict", "Invitation",
    "InvitationRefused", "InvitationUse", "Member", "Pick", "Question",
    "Revision", "Round", "RoundChange", "SearchEntry", "Upload", "display_name", "fold",
    "is_author", "joined",
    "member_of", "term_grams", "term_pattern", "text_grams",
    "FOLLOW_UP_MAX_LENGTH", "FollowUp", "FollowUpConflict", "Reaction",
    "Grade", "InterviewItem", "MockInterview", "QuestionTopic", "ReviewCard", "Topic",
]  # fmt: skip
