"""Finding questions and answers by what they say: query terms, ranking, highlighted snippets.

What is searched is each row's `search_text`, the rendered Markdown as a reader sees it
(qa.markdown.plain_text), so `**` or a link's URL never matches. Matching is by substring,
which is what Korean needs (see SearchQuerySet).
"""

import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import mark_safe

from .models import Answer, Question

MAX_TERMS = 8
QUESTION, ANSWER = 0, 1  # also the sort order: a question hit before an answer hit
SNIPPET_LENGTH = 160
SNIPPET_LEAD = 50  # characters kept before the first match


def split_terms(query):
    """The words of a query, each to be found somewhere in the text; repeats dropped."""
    terms = []
    for word in query.split():
        if word.casefold() not in {t.casefold() for t in terms}:
            terms.append(word)
    return terms[:MAX_TERMS]


def find(terms, questions, answers):
    """Questions and answers containing every term, as rows {id, created, kind, exact}.

    Rows whose text has the whole query as typed come first, then questions before answers,
    then the newest. One UNION query, so a page is sliced in the database.
    """
    phrase = " ".join(terms)
    question_rows = questions.search(terms).as_hits(phrase, QUESTION)
    answer_rows = answers.search(terms).as_hits(phrase, ANSWER)
    return question_rows.union(answer_rows, all=True).order_by("-exact", "kind", "-created", "-id")


@dataclass(frozen=True)
class Hit:
    obj: Question | Answer
    snippet: str

    @property
    def is_answer(self):
        return isinstance(self.obj, Answer)

    @property
    def question(self):
        return self.obj.question if self.is_answer else self.obj


def load_hits(rows, terms):
    """The questions and answers of a page of `find()` rows, in its order, in two queries."""
    ids = {QUESTION: [], ANSWER: []}
    for row in rows:
        ids[row["kind"]].append(row["id"])
    found = {
        QUESTION: Question.objects.for_listing().in_bulk(ids[QUESTION]) if ids[QUESTION] else {},
        ANSWER: Answer.objects.for_listing().in_bulk(ids[ANSWER]) if ids[ANSWER] else {},
    }
    hits = []
    for row in rows:
        obj = found[row["kind"]].get(row["id"])
        if obj is not None:  # deleted between the two queries
            hits.append(Hit(obj, highlight(obj.search_text, terms)))
    return hits


def highlight(text, terms, length=SNIPPET_LENGTH):
    """A window of `text` around the first match, escaped, with every match in <mark>."""
    if not terms:
        return escape(text[:length])
    pattern = re.compile(
        "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.IGNORECASE
    )
    first = pattern.search(text)
    start = 0
    if first:
        start = max(0, min(first.start() - SNIPPET_LEAD, len(text) - length))
        if start:  # begin at a word, not inside one
            space = text.find(" ", start, first.start())
            start = space + 1 if space != -1 else start
    end = min(len(text), start + length)
    if end < len(text):  # end at a word too, never cutting the first match
        space = text.rfind(" ", first.end() if first else start, end)
        end = space if space > start else end
    window = text[start:end]
    parts = ["…" if start else ""]
    position = 0
    for match in pattern.finditer(window):
        parts += [escape(window[position : match.start()]), f"<mark>{escape(match[0])}</mark>"]
        position = match.end()
    parts += [escape(window[position:]), "…" if end < len(text) else ""]
    # Every piece of user text above went through escape(); only <mark> is markup.
    return mark_safe("".join(parts))
