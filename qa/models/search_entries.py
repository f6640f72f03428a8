"""The search index: each question's and answer's text as search reads it (qa.search).

Korean glues particles to words (로드밸런싱은), so search matches a term anywhere in a text,
never as a whole word, and two-letter words (캐시, 교착) are common. Trigram indexes cannot
serve those, so a text is indexed by every single character and every pair of neighbouring
characters ("grams"). A text holding a term holds all of the term's grams; the few texts that
hold them all without holding the term are ruled out by comparing the text itself.

Korean spacing varies from writer to writer (로드밸런싱, 로드 밸런싱), so terms are compared
with a second copy of the text, joined(), in which no space touches a Korean letter, and the
grams are that copy's: a pair across such a space is indexed as if the space were not there.
Exact matches (the query as typed, spacing included) are found in the text as it was folded.
"""

import re

from django.db import models
from django.db.models import Lookup, Q


def fold(text):
    """Text as search compares it: letter case and runs of whitespace do not matter."""
    return " ".join(text.casefold().split())


# Hangul Jamo, Compatibility Jamo, Jamo Extended-A, Syllables and Jamo Extended-B.
HANGUL = "\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff"
_SPACE_BY_HANGUL = re.compile(f"(?<=[{HANGUL}]) | (?=[{HANGUL}])")
_IS_HANGUL = re.compile(f"[{HANGUL}]")


def joined(folded):
    """A folded text without the spaces beside Korean letters: what terms are compared with.

    Spaces between other words stay, so that `tcp` does not match "http cp": English
    spacing is not a matter of taste.
    """
    return _SPACE_BY_HANGUL.sub("", folded)


def term_pattern(term):
    """A regular expression for `term` in unfolded text, as joined() lets it match.

    Whitespace may come between two of its letters where either of them is Korean.
    """
    pieces = [re.escape(term[0])] if term else []
    for before, after in zip(term, term[1:]):
        if _IS_HANGUL.match(before) or _IS_HANGUL.match(after):
            pieces.append(r"\s*")
        pieces.append(re.escape(after))
    return "".join(pieces)


def text_grams(folded):
    """Every character and pair of neighbouring characters of a joined() text, space-separated.

    A query term never holds a space, so pieces with one are left out; sorted so that the
    same text always gives the same value.
    """
    pieces = set(folded)
    pieces.update(map("".join, zip(folded, folded[1:])))
    return " ".join(sorted(piece for piece in pieces if " " not in piece))


def term_grams(term):
    """The grams that every text holding the folded `term` holds: all it has, up to two long."""
    if len(term) <= 2:
        return {term}
    return {term[i : i + 2] for i in range(len(term) - 1)}


class GramsField(models.TextField):
    """The space-separated grams of a text (text_grams()), read by the `contains_all` lookup."""

    def deconstruct(self):
        # Stored as plain text: migrations need no import of this module to create it.
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.TextField", args, kwargs


@GramsField.register_lookup
class ContainsAllGrams(Lookup):
    """Rows whose grams include every gram in a list.

    PostgreSQL answers it from the GIN index of migration 0008 over qa_grams(grams); other
    databases compare the text, which is slow but gives the same rows.
    """

    lookup_name = "contains_all"
    prepare_rhs = False  # a list of grams, not one text

    def as_sql(self, compiler, connection):
        column, params = self.process_lhs(compiler, connection)
        condition = " AND ".join([f"INSTR(' ' || {column} || ' ', %s) > 0"] * len(self.rhs))
        return condition, [*params, *(f" {gram} " for gram in self.rhs)]

    def as_postgresql(self, compiler, connection):
        column, params = self.process_lhs(compiler, connection)
        return f"qa_grams({column}) @> %s::text[]", [*params, sorted(self.rhs)]


def _kind(rows):
    return rows[0]._meta.model_name  # "question" or "answer"


class SearchEntryQuerySet(models.QuerySet):
    def index(self, rows):
        """Add or refresh the entries of saved questions, or of saved answers (one kind a call).

        Called by the write path (qa.models.writing) only.
        """
        if not rows:
            return
        kind = _kind(rows)
        self.bulk_create(
            [SearchEntry.of(row) for row in rows],
            batch_size=500,
            update_conflicts=True,
            unique_fields=[kind],
            update_fields=["round", "author", "text", "joined", "grams"],
        )

    def stale(self, rows):
        """Those of saved `rows` (of one kind) whose entry is missing or not what index() writes."""
        if not rows:
            return []
        kind = _kind(rows)
        fields = ["round_id", "author_id", "text", "joined", "grams"]
        stored = {
            values[0]: values[1:]
            for values in self.filter(**{f"{kind}__in": rows}).values_list(f"{kind}_id", *fields)
        }
        return [
            row
            for row in rows
            if stored.get(row.pk) != tuple(getattr(SearchEntry.of(row), f) for f in fields)
        ]


class SearchEntry(models.Model):
    """A question or an answer as search reads it (qa.search): a narrow copy of its text.

    Kept apart from the wide rows of questions and answers so that finding the newest of tens
    of thousands of matching texts reads few pages. Entries are numbered in the order their
    texts were first saved, so the highest ids are the newest texts. Written by the write path
    of questions and answers (qa.models.writing), never directly.
    """

    question = models.OneToOneField(
        "qa.Question", on_delete=models.CASCADE, null=True, related_name="search_entry"
    )
    answer = models.OneToOneField(
        "qa.Answer", on_delete=models.CASCADE, null=True, related_name="search_entry"
    )
    round = models.ForeignKey("qa.Round", on_delete=models.CASCADE, related_name="+")
    # Empty for the group's questions (Question.author).
    author = models.ForeignKey("qa.Member", on_delete=models.CASCADE, null=True, related_name="+")
    text = models.TextField()  # fold()ed search_text
    # An older release still running during a deploy writes entries without it: the database
    # gives them "", and rebuild_derived repairs them.
    joined = models.TextField(db_default="")  # joined(text)
    grams = GramsField()  # text_grams(joined)

    objects = SearchEntryQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(question__isnull=False, answer__isnull=True)
                | Q(question__isnull=True, answer__isnull=False),
                name="qa_searchentry_question_or_answer",
            ),
        ]

    def __str__(self):
        return str(self.question or self.answer)

    @classmethod
    def of(cls, row):
        """The entry of a saved question or answer, unsaved."""
        text = fold(row.search_text)
        compared = joined(text)
        return cls(
            round_id=row.round_id,
            author_id=row.author_id,
            text=text,
            joined=compared,
            grams=text_grams(compared),
            **{row._meta.model_name: row},
        )

