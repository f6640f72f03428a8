"""Past questions like a draft one, found through the search index (qa.models.search_entries).

A draft is never typed the way an old question was, so where search wants every word, this
wants most of the draft's telling words: each is looked up in the grams index as search looks
up a term, and questions are ranked by how many of the words they hold.
"""

import re

from django.db.models import Case, IntegerField, Q, Value, When

from .models import Question, SearchEntry, fold, joined, term_grams

MAX_WORDS = 8
MAX_SIMILAR = 5
# Words every interview question uses: they say nothing about what it asks.
STOPWORDS = {
    "무엇", "무엇인가요", "무엇인지", "무엇이", "설명", "설명해", "설명하세요", "설명해주세요",
    "주세요", "대해", "대해서", "어떻게", "어떤", "있나요", "있는", "하는", "차이", "차이점",
    "방법", "말해", "알려", "그리고", "그러면", "이유", "경우", "장단점", "대신", "언제",
    "what", "is", "are", "the", "a", "an", "of", "in", "on", "to", "and", "or", "how", "why",
    "does", "do", "explain", "difference", "between", "with", "for", "when", "which", "you",
    "your", "can", "describe",
}  # fmt: skip
# Particles and endings Korean glues to a word (로드밸런싱이, 프로세스와): the longest first.
PARTICLES = sorted(
    ["은", "는", "이", "가", "을", "를", "의", "에", "와", "과", "로", "으로", "에서", "에게",
     "이란", "란", "이나", "나", "도", "만", "까지", "부터", "에는", "에서의", "와의", "과의",
     "이란?", "인가요", "인가", "이다", "입니다", "하나요", "할까요", "하는", "한", "할", "하고",
     "이며", "며", "으로서", "로서", "이고", "고"],
    key=len, reverse=True,
)  # fmt: skip
_HANGUL_WORD = re.compile(r"[\uac00-\ud7a3]+")
# Korean runs and other runs apart: "tcp를" is the word tcp and a particle.
_WORD = re.compile(r"[\uac00-\ud7a3]+|[^\W\uac00-\ud7a3]+(?:[+#.-][^\W\uac00-\ud7a3]+)*[+#]*")


def telling_words(text):
    """The draft's words worth looking up: folded, Korean particles cut off, no stopwords."""
    words = []
    for word in _WORD.findall(fold(text)):
        if _HANGUL_WORD.fullmatch(word):
            for particle in PARTICLES:
                if word.endswith(particle) and len(word) - len(particle) >= 2:
                    word = word[: -len(particle)]
                    break
        short = len(word) < (2 if _HANGUL_WORD.match(word) else 3)
        if short or word in STOPWORDS or word in words:
            continue
        words.append(word)
    # The longest words tell most; a long draft is looked up by its most telling ones.
    return sorted(words, key=len, reverse=True)[:MAX_WORDS]


def similar_questions(text, rounds, exclude=None, limit=MAX_SIMILAR):
    """Questions in `rounds` holding at least half of the draft's telling words (two at least
    when it has two), most words first, then the newest; with `shared`, how many they hold."""
    words = [joined(word) for word in telling_words(text)]
    if not words:
        return []
    needed = max(1, min(2, len(words)), (len(words) + 1) // 2)
    may_hold = Q()
    for word in words:
        may_hold |= Q(grams__contains_all=term_grams(word))
    # The grams say which texts may hold a word; the text itself says which do.
    shared = sum(
        (Case(When(joined__contains=word, then=Value(1)), default=Value(0),
              output_field=IntegerField()) for word in words),
        Value(0),
    )  # fmt: skip
    entries = (
        SearchEntry.objects.filter(may_hold, question__isnull=False, round__in=rounds)
        .annotate(shared=shared)
        .filter(shared__gte=needed)
        .order_by("-shared", "-id")
    )
    if exclude is not None:
        entries = entries.exclude(question=exclude)
    found = dict(entries.values_list("question_id", "shared")[:limit])
    questions = Question.objects.for_listing().defer("text", "text_html").in_bulk(found)
    ranked = sorted(found, key=lambda pk: (-found[pk], -pk))
    results = []
    for pk in ranked:
        if pk in questions:
            question = questions[pk]
            question.shared = found[pk]
            results.append(question)
    return results
