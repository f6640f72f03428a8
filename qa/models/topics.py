"""Topics of interview questions (네트워크, 운영체제, ...), and how a question's text suggests them."""

import re

from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..text import validate_one_line
from .search_entries import fold, joined

# The topics a board starts with (`manage.py suggest_topics` adds them to a board without
# topics; curators edit them in the admin): slug, name, and the words that suggest the topic,
# in Korean and in English.
DEFAULT_TOPICS = [
    ("network", "네트워크", "네트워크, tcp, udp, http, https, dns, ip, osi, 로드밸런싱, 로드 밸런서, "
     "load balancing, 라우팅, routing, 소켓, socket, 패킷, packet, 3-way, handshake, 핸드셰이크, "
     "cdn, 프록시, proxy, 대역폭, bandwidth, 흐름 제어, 혼잡 제어, congestion"),
    ("os", "운영체제", "운영체제, operating system, 프로세스, process, 스레드, thread, 교착, deadlock, "
     "데드락, 뮤텍스, mutex, 세마포어, semaphore, 임계구역, critical section, 컨텍스트 스위칭, "
     "context switch, 스케줄링, scheduling, 가상 메모리, virtual memory, 페이지, paging, 커널, kernel, "
     "인터럽트, interrupt, 시스템 콜, system call"),
    ("database", "데이터베이스", "데이터베이스, database, db, sql, 인덱스, index, 트랜잭션, transaction, "
     "정규화, normalization, 조인, join, acid, 격리 수준, isolation, 락, lock, nosql, 샤딩, sharding, "
     "레플리케이션, replication, 쿼리, query, mysql, postgresql, redis"),
    ("data-structures", "자료구조", "자료구조, data structure, 배열, array, 연결 리스트, linked list, "
     "스택, stack, 큐, queue, 힙, heap, 해시, hash, 트리, tree, 그래프, graph, 트라이, trie, b-tree"),
    ("algorithms", "알고리즘", "알고리즘, algorithm, 정렬, sort, 탐색, search, 이진 탐색, binary search, "
     "bfs, dfs, 동적 계획법, dynamic programming, dp, 그리디, greedy, 시간 복잡도, time complexity, "
     "빅오, big-o, 재귀, recursion, 다익스트라, dijkstra, 분할 정복"),
    ("security", "보안", "보안, security, 암호화, encryption, 해시 함수, xss, csrf, sql injection, "
     "인증, authentication, 인가, authorization, 대칭키, 공개키, public key, tls, ssl, 인증서, "
     "certificate, jwt, oauth, 세션 하이재킹"),
    ("web", "웹", "웹, web, 브라우저, browser, 쿠키, cookie, 세션, session, rest, api, cors, 캐시, "
     "cache, html, css, javascript, 렌더링, rendering, 웹 서버, web server, spa, 서버 사이드"),
    ("languages", "언어", "언어, language, 자바, java, 파이썬, python, 자바스크립트, 가비지 컬렉션, "
     "garbage collection, gc, jvm, 객체지향, object-oriented, oop, 다형성, polymorphism, 상속, "
     "inheritance, 인터페이스, interface, 제네릭, generic, 클로저, closure, 컴파일, compile"),
]  # fmt: skip

# How many topics a question's text suggests at most: the best-matched ones.
SUGGESTED_TOPICS = 3
_ASCII = re.compile(r"[a-z0-9]")


def keyword_pattern(keyword):
    """A regular expression finding a folded keyword in a joined() text.

    Korean glues particles to words (프로세스와), so a Korean keyword matches anywhere; an
    English one only at the start of a word ("os" is not in "cost", "thread" is in "threads").
    """
    word = joined(fold(keyword))
    pattern = re.escape(word)
    if _ASCII.match(word):
        pattern = r"(?<![a-z0-9])" + pattern
    return pattern


class TopicQuerySet(models.QuerySet):
    def add_defaults(self):
        """Add DEFAULT_TOPICS to a board that has no topic yet; the new topics."""
        # Not a data migration: a board that has deleted or renamed them keeps its own.
        if self.model.objects.exists():
            return []
        return self.model.objects.bulk_create(
            self.model(slug=slug, name=name, keywords=keywords)
            for slug, name, keywords in DEFAULT_TOPICS
        )

    def with_question_count(self):
        return self.annotate(question_count=Count("questions"))

    def set_for(self, question, chosen):
        """Give the question the chosen topics, or when none are chosen those its text suggests."""
        topics = list(chosen) or self.suggested_for(question.search_text)
        question.topics.set(topics)
        return topics

    def suggested_for(self, text):
        """The topics whose keywords the text holds, the most keywords first (at most three)."""
        return suggest(list(self), text)

    def weakest_for(self, member, limit=5):
        """The member's topics with the most "again" grades, with `again_count`."""
        from .review import Grade

        again = Q(
            questions__review_cards__member=member,
            questions__review_cards__grades__rating=Grade.Rating.AGAIN,
        )
        return (
            self.annotate(again_count=Count("questions__review_cards__grades", filter=again))
            .filter(again_count__gt=0)
            .order_by("-again_count", "name")[:limit]
        )


def suggest(topics, text, limit=SUGGESTED_TOPICS):
    """The topics among `topics` whose keywords `text` holds, best first."""
    compared = joined(fold(text))
    scored = []
    for topic in topics:
        hits = sum(1 for pattern in topic.patterns() if re.search(pattern, compared))
        if hits:
            scored.append((-hits, topic.name, topic))
    return [topic for *_key, topic in sorted(scored, key=lambda s: s[:2])][:limit]


class Topic(models.Model):
    name = models.CharField(_("name"), max_length=40, validators=[validate_one_line])
    slug = models.SlugField(_("slug"), max_length=40, help_text=_("The topic in addresses."))
    keywords = models.TextField(
        _("keywords"),
        blank=True,
        help_text=_(
            "Words that suggest this topic for a new question, separated by commas, in Korean "
            "and in English, such as “프로세스, process”."
        ),
    )
    questions = models.ManyToManyField(
        "qa.Question",
        through="QuestionTopic",
        related_name="topics",
        blank=True,
        verbose_name=_("questions"),
    )

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        constraints = [
            models.UniqueConstraint(fields=["name"], name="qa_topic_unique_name"),
            models.UniqueConstraint(fields=["slug"], name="qa_topic_unique_slug"),
            models.CheckConstraint(condition=~Q(name=""), name="qa_topic_name_not_blank"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return f"{reverse('qa:bank')}?topic={self.slug}"

    def keyword_list(self):
        """The keywords, and the name itself, as written."""
        words = [self.name, *self.keywords.replace("\n", ",").split(",")]
        return [word.strip() for word in words if word.strip()]

    def patterns(self):
        return [keyword_pattern(word) for word in self.keyword_list()]


class QuestionTopic(models.Model):
    question = models.ForeignKey(
        "qa.Question", verbose_name=_("question"), on_delete=models.CASCADE, related_name="+"
    )
    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("question topic")
        verbose_name_plural = _("question topics")
        constraints = [
            models.UniqueConstraint(
                fields=["question", "topic"], name="qa_questiontopic_unique_question_topic"
            ),
        ]

    def __str__(self):
        return f"{self.topic}: {self.question_id}"
