"""Finding questions and answers by what they say: query terms, ranking, highlighted snippets.

What is searched is each row's `search_text`, the rendered Markdown as a reader sees it
(qa.markdown.plain_text), so `**` or a link's URL never matches. Matching is by substring,
which is what Korean needs (qa.models.search_entries), in any letter case and whatever the
spacing of Korean words (임계구역, 임계 구역).
"""

import re
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F, Max
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .models import fold, joined, term_grams, term_pattern
from .models import Answer, Question, SearchEntry

MAX_TERMS = 8
# Matches found per query, newest first. A word in a fifth of 100,000 answers must not cost
# a read of all of them, and ten pages of results are more than anyone reads.
MAX_RESULTS = 200
# Most queries find their results among the newest texts; older ones are read only when
# those fall short. Any split gives the same results; this one reads few pages for common
# words at 100,000 answers and costs rare ones one more small query.
RECENT_ENTRIES = 20_000
QUESTION, ANSWER = 0, 1  # also the sort order: a question hit before an answer hit
# How a text holds the whole query, best first: as typed; with Korean spacing aside (임계 구역
# for 임계구역); only word by word.
AS_TYPED, RESPACED, WORDS_APART = 0, 1, 2
SNIPPET_LENGTH = 160
SNIPPET_LEAD = 50  # characters kept before the first match
# Bigger than any result set: a LIMIT keeps the database from checking every candidate's
# text before sorting them (it would move the outer WHERE into the subquery).
ALL_CANDIDATES = 1_000_000_000


def split_terms(query):
    """The words of a query, each to be found somewhere in the text; repeats dropped."""
    terms = []
    for word in query.split():
        if word.casefold() not in {t.casefold() for t in terms}:
            terms.append(word)
    return terms[:MAX_TERMS]


@dataclass(frozen=True)
class Row:
    kind: int
    id: int
    closeness: int  # AS_TYPED, RESPACED or WORDS_APART, in any letter case


class Results(list):
    """find()'s rows; `truncated` when more than `limit` texts match."""

    limit = MAX_RESULTS
    truncated = False


def find(terms, rounds, author=None, newest=None, hidden=None):
    """Questions and answers in `rounds` (of `author`) containing every term, as Rows; none
    of the `hidden` answers (blind answering's, Answer.objects.hidden_from()).

    `newest` is the newest entry's id when the caller has read it already. Korean spacing
    does not matter to a term. The newest MAX_RESULTS matches, ranked: texts
    holding the whole query as typed first, then those holding it with other Korean spacing,
    then the rest; within each, questions before answers, then the newest.
    """
    folded = [fold(term) for term in terms]
    entries = SearchEntry.objects.filter(
        round__in=rounds, grams__contains_all=set().union(*map(term_grams, folded))
    )
    if author is not None:
        entries = entries.filter(author=author)
    if hidden is not None:
        # Not even that a hidden answer holds the words: the few answers of the rounds that
        # hide any, never a scan of all of them.
        entries = entries.exclude(answer__in=hidden.values("pk"))
    parts = [entries]
    if newest is None:
        newest = SearchEntry.objects.aggregate(newest=Max("id"))["newest"]
    boundary = (newest or 0) - RECENT_ENTRIES
    if boundary > 0:
        parts = [entries.filter(id__gt=boundary), entries.filter(id__lte=boundary)]
    rows = []
    with transaction.atomic(savepoint=False):
        _without_parallel_workers()
        for part in parts:
            rows += _matches(part, folded, MAX_RESULTS + 1 - len(rows))
            if len(rows) > MAX_RESULTS:
                break
    # Python's sort is stable: within a rank, the rows keep their newest-first order.
    results = Results(sorted(rows[:MAX_RESULTS], key=lambda row: (row.closeness, row.kind)))
    results.limit, results.truncated = MAX_RESULTS, len(rows) > MAX_RESULTS
    return results


def _without_parallel_workers():
    """No parallel workers for the rest of this transaction, on PostgreSQL.

    The planner starts them for the big index scans of a search, and starting them costs
    more than they save (seen: 5 ms on a 10 ms search); under load they take other requests'
    cores. Other queries keep the server's setting.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")


def _matches(entries, folded, limit):
    """The newest `limit` of `entries` whose text contains every folded term, as Rows.

    The grams index gives the candidates, which are sorted newest first and then read one by
    one until enough of them really contain every term (grams can be there without it).
    """
    # Ordered by an expression of id, not by id: given the primary key's index, the planner
    # may walk it testing every row's grams, all of them when the term is rarer than it guessed.
    candidates = (
        entries.annotate(number=F("id") + 0)
        .order_by("-number")
        .values_list("question_id", "answer_id", "number", "text", "joined")
    )
    inner, params = candidates[:ALL_CANDIDATES].query.sql_with_params()
    # Terms are compared with the text without Korean spacing; the whole query, for the
    # ranking, with the text as typed too.
    holds = "{} LIKE %s ESCAPE '\\'"
    closeness = (
        f"CASE WHEN {holds.format('text')} THEN {AS_TYPED}"
        f" WHEN {holds.format('joined')} THEN {RESPACED} ELSE {WORDS_APART} END"
    )
    sql = (
        f"SELECT question_id, answer_id, {closeness} FROM ({inner}) candidate"
        f" WHERE {' AND '.join([holds.format('joined')] * len(folded))}"
        " ORDER BY number DESC LIMIT %s"
    )
    phrase = " ".join(folded)
    patterns = [_like_pattern(text) for text in [phrase, joined(phrase), *folded]]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*patterns[:2], *params, *patterns[2:], limit])
        return [
            Row(QUESTION, question, close) if answer is None else Row(ANSWER, answer, close)
            for question, answer, close in cursor.fetchall()
        ]


def _like_pattern(text):
    return f"%{connection.ops.prep_for_like_query(text)}%"


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
        ids[row.kind].append(row.id)
    # A hit shows its plain text; the Markdown and HTML beside it are most of a row.
    questions = Question.objects.for_listing().defer("text", "text_html")
    answers = Answer.objects.for_listing().defer(
        "body", "body_html", "question__text", "question__text_html", "question__search_text"
    )
    found = {
        QUESTION: questions.in_bulk(ids[QUESTION]) if ids[QUESTION] else {},
        ANSWER: answers.in_bulk(ids[ANSWER]) if ids[ANSWER] else {},
    }
    hits = []
    for row in rows:
        obj = found[row.kind].get(row.id)
        if obj is not None:  # deleted between the two queries
            hits.append(Hit(obj, highlight(obj.search_text, terms)))
    return hits


def highlight(text, terms, length=SNIPPET_LENGTH):
    """A window of `text` around the first match, escaped, with every match in <mark>.

    A match is what search matched: 로드밸런싱 marks "로드 밸런싱" too.
    """
    if not terms:
        return escape(text[:length])
    pattern = re.compile(
        "|".join(term_pattern(t) for t in sorted(terms, key=len, reverse=True)), re.IGNORECASE
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
