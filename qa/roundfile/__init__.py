"""A group's repository of weekly Markdown files, read and written without the database.

- `parse`: one file's Markdown as CommonMark tokens (markdown-it-py) with source lines:
  question lists, answer files, a member's own weekly files.
- `weekfile`: one round file in the sample's format (a whole week in one file), on the same
  tokens; qa.importer puts it into the database.
- `plan`: a folder or .zip of a repository into a plan of rounds (members, questions, picks,
  answers, images to copy) with every warning naming its file and line.
- `write`: a board as a repository in the week-folders layout, which `plan` reads back.

qa.history puts a plan into the database and takes a board out of it.
"""

from .parse import HistoryError, Note
from .plan import HistoryPlan, PlannedAnswer, PlannedQuestion, PlannedRound, plan_history
from .tree import read_repository

__all__ = [
    "HistoryError", "HistoryPlan", "Note", "PlannedAnswer", "PlannedQuestion", "PlannedRound",
    "plan_history", "read_repository",
]  # fmt: skip
