"""Korean search: the same cases on SQLite and PostgreSQL, then PostgreSQL's grams index."""

import importlib
import random
from datetime import timedelta
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from qa import search
from qa.markdown import plain_text, render_markdown
from qa.models import Answer, Member, Question, Round, SearchEntry, fold, joined, term_grams
from qa.models import text_grams
from qa.search import find, highlight, split_terms

from .factories import AnswerFactory, MemberFactory, PickFactory, QuestionFactory, RoundFactory

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the GIN index and EXPLAIN are PostgreSQL's"
)


def ask(round_, author, text, answers=()):
    """A question on the board, picked, with answers given as (member, Markdown) pairs."""
    question = QuestionFactory(round=round_, author=author, text=text)
    if answers:
        PickFactory(question=question)
    for member, body in answers:
        AnswerFactory(question=question, author=member, body=body)
    return question


@pytest.fixture
def board(db):
    """Two weeks of a study group's board, and a draft nobody but curators may search."""
    sky, bee, choi, chloe = (MemberFactory(name=n) for n in ["sky", "bee", "choi", "클로이"])
    week1 = RoundFactory(number=1, title="1주차 네트워크", state=Round.State.CLOSED)
    week2 = RoundFactory(number=2, title="2주차 운영체제", state=Round.State.ANSWERING)
    draft = RoundFactory(number=3, title="3주차 초안", state=Round.State.DRAFT)
    ask(week1, chloe, "로드 밸런싱이 필요한 이유에 대해서 설명하시오", [
        (bee, "**로드밸런싱**은 트래픽을 [여러 서버](https://example.com/servers)로 나눈다."),
    ])  # fmt: skip
    ask(week1, bee, "L4 Load Balancing과 L7 Load Balancing의 차이")
    ask(week1, choi, "VIP(Virtual IP)는 무엇인가?", [
        (sky, "VIP는 가상 IP다. 메시지 큐와는 관계가 없다."),
    ])  # fmt: skip
    ask(week2, sky, "blocking과 synchronous는 동일한 것인가?", [
        (choi, "Blocking은 제어권의 문제이고, 동기는 결과를 기다리는 방식의 문제다."),
    ])  # fmt: skip
    ask(week2, bee, "데드락이 생기는 네 가지 조건은?", [
        (chloe, "상호 배제, 점유 대기: 락을 쥔 채로 다른 락을 기다린다."),
    ])  # fmt: skip
    ask(draft, sky, "로드밸런싱 알고리즘 초안")


def found(client, query, **filters):
    """What a search page lists, as (kind, text) pairs in its order."""
    response = client.get("/search/", {"q": query, **filters})
    assert response.status_code == 200
    return [
        ("answer" if hit.is_answer else "question", hit.obj.search_text)
        for hit in (shown(response)["hits"] if shown(response)["searched"] else [])
    ]


def shown(response):
    """What a search page's shared part showed: the form, and the hits, their page and
    find()'s rows when there was a query (loaded again if the part came from the cache)."""
    return response.context["shared"].data()


# Pure text handling: no database.


def test_plain_text_is_what_a_reader_sees():
    html = render_markdown("## 정리\n\n**로드**밸런싱은 [문서](https://example.com/lb) &amp; `a<b`")
    assert plain_text(html) == "정리 로드밸런싱은 문서 & a<b"


def test_plain_text_keeps_table_cells_and_list_items_apart():
    html = render_markdown("|구분|L4|\n|--|--|\n|계층|전송|\n\n- 하나\n- 둘")
    assert plain_text(html) == "구분 L4 계층 전송 하나 둘"


def test_terms_are_words_without_repeats():
    assert split_terms("  blocking   동기 Blocking ") == ["blocking", "동기"]
    assert split_terms("") == []
    assert len(split_terms(" ".join(f"w{i}" for i in range(20)))) == 8


def test_snippet_escapes_text_and_marks_every_match():
    snippet = highlight("<script>락</script> 데드락과 락", ["락"])
    assert snippet == (
        "&lt;script&gt;<mark>락</mark>&lt;/script&gt; 데드<mark>락</mark>과 <mark>락</mark>"
    )


def test_snippet_is_a_window_around_the_first_match():
    text = " ".join(["앞부분"] * 60) + " 핵심은 로드밸런싱이다 " + " ".join(["뒷부분"] * 60)
    snippet = highlight(text, ["로드밸런싱"])
    assert snippet.startswith("…") and snippet.endswith("…")
    assert "<mark>로드밸런싱</mark>" in snippet
    assert len(snippet) < 220
    assert "부분 핵심은" in snippet  # the lead-in before the match is kept


def test_snippet_matches_letter_case_as_the_database_does():
    assert highlight("Blocking I/O", ["blocking"]) == "<mark>Blocking</mark> I/O"


def test_snippet_without_a_match_is_the_start_of_the_text():
    assert highlight("가나다 " * 100, ["없음"]).startswith("가나다 가나다")


def test_snippet_marks_korean_words_whatever_their_spacing():
    assert highlight("로드 밸런싱이 필요한 이유", ["로드밸런싱"]) == "<mark>로드 밸런싱</mark>이 필요한 이유"
    assert highlight("임계구역 문제", ["임계", "구역"]) == "<mark>임계</mark><mark>구역</mark> 문제"
    assert highlight("TCP 연결", ["tcp연결"]) == "<mark>TCP 연결</mark>"
    # Spaces between Latin letters are words apart, as they are to search.
    assert highlight("http cp", ["tcp"]) == "http cp"


# The same cases on both databases.


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # Particles glued to the word: 로드밸런싱 finds 로드밸런싱은; and Korean spacing does
        # not matter, the text holding the query as typed first.
        ("로드밸런싱", [
            ("answer", "로드밸런싱은 트래픽을 여러 서버로 나눈다."),
            ("question", "로드 밸런싱이 필요한 이유에 대해서 설명하시오"),
        ]),
        ("밸런싱이필요한", [("question", "로드 밸런싱이 필요한 이유에 대해서 설명하시오")]),
        ("여러서버로", [("answer", "로드밸런싱은 트래픽을 여러 서버로 나눈다.")]),
        ("l4load", []),  # English words stay apart
        # Mixed scripts, and letter case does not matter.
        ("blocking 동기", [("answer", "Blocking은 제어권의 문제이고, 동기는 결과를 기다리는 방식의 문제다.")]),
        # One character: inside 데드락 and on its own.
        ("락", [
            ("question", "데드락이 생기는 네 가지 조건은?"),
            ("answer", "상호 배제, 점유 대기: 락을 쥔 채로 다른 락을 기다린다."),
        ]),
        ("큐", [("answer", "VIP는 가상 IP다. 메시지 큐와는 관계가 없다.")]),
        # Two characters.
        ("조건", [("question", "데드락이 생기는 네 가지 조건은?")]),
        ("IP", [
            ("question", "VIP(Virtual IP)는 무엇인가?"),
            ("answer", "VIP는 가상 IP다. 메시지 큐와는 관계가 없다."),
        ]),
        ("load balancing", [("question", "L4 Load Balancing과 L7 Load Balancing의 차이")]),
        # Link text is searched; the Markdown around it is not.
        ("여러 서버", [("answer", "로드밸런싱은 트래픽을 여러 서버로 나눈다.")]),
        ("**", []),
        ("example.com", []),
        ("https", []),
        ("servers", []),
        ("로드밸런싱 VIP", []),  # every term must be in the same text
    ],
)  # fmt: skip
def test_korean_search(client, board, query, expected):
    assert found(client, query) == expected


def test_exact_phrase_first_then_questions_then_newest(client, db):
    round_ = RoundFactory(number=1)
    sky, bee = MemberFactory(name="sky"), MemberFactory(name="bee")
    then = timezone.now() - timedelta(days=30)
    older_exact = ask(round_, sky, "로드 밸런싱이 필요한 이유")
    Question.objects.filter(pk=older_exact.pk).update(created=then)
    ask(round_, bee, "밸런싱 알고리즘으로 로드를 나누는 방법", [(sky, "밸런싱은 로드를 나눈다")])
    ask(round_, bee, "서버 이중화", [(sky, "로드 밸런싱은 서버 앞에 선다")])
    ask(round_, sky, "로드 밸런싱 알고리즘의 종류")
    assert found(client, "로드 밸런싱") == [
        ("question", "로드 밸런싱 알고리즘의 종류"),  # the phrase, a question, newest
        ("question", "로드 밸런싱이 필요한 이유"),
        ("answer", "로드 밸런싱은 서버 앞에 선다"),  # the phrase, in an answer
        ("question", "밸런싱 알고리즘으로 로드를 나누는 방법"),  # both words, apart
        ("answer", "밸런싱은 로드를 나눈다"),
    ]


def test_filters_by_round_and_member(client, board):
    assert found(client, "락", round=1) == []
    assert [kind for kind, _ in found(client, "락", round=2)] == ["question", "answer"]
    assert found(client, "IP", member="sky") == [("answer", "VIP는 가상 IP다. 메시지 큐와는 관계가 없다.")]
    assert found(client, "IP", member="choi") == [("question", "VIP(Virtual IP)는 무엇인가?")]
    assert found(client, "락", member="클로이", round=2) == [
        ("answer", "상호 배제, 점유 대기: 락을 쥔 채로 다른 락을 기다린다.")
    ]


def test_unknown_filter_is_a_form_error_not_a_crash(client, board):
    response = client.get("/search/", {"q": "락", "round": 99})
    assert response.status_code == 200
    assert not shown(response)["searched"]
    assert shown(response)["form"].errors["round"]


def test_drafts_are_searched_by_curators_only(client, staff_client, board):
    assert found(client, "초안") == []
    assert found(staff_client, "초안") == [("question", "로드밸런싱 알고리즘 초안")]


def test_page_shows_snippets_and_links(client, board):
    response = client.get("/search/", {"q": "로드밸런싱"}, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert shown(response)["page"].paginator.count == 2
    assert "<mark>로드밸런싱</mark>은 트래픽을" in html
    assert "<mark>로드 밸런싱</mark>이 필요한" in html
    answer = Answer.objects.get(author__name="bee")
    assert f'href="{answer.get_absolute_url()}"' in html
    assert f'href="{Member.objects.get(name="bee").get_absolute_url()}"' in html
    assert f'href="{answer.question.round.get_absolute_url()}"' in html
    assert "클로이's question — answer by bee" in html


def test_user_text_in_snippets_is_escaped(client, db):
    ask(RoundFactory(number=1), MemberFactory(name="sky"), "`<img src=x onerror=alert(1)>` 락")
    html = client.get("/search/", {"q": "락"}).content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt; <mark>락</mark>" in html
    assert "<img src=x" not in html


def test_empty_query_shows_the_form_only(client, board):
    response = client.get("/search/")
    assert response.status_code == 200
    assert not shown(response)["searched"]
    html = response.content.decode()
    assert 'name="q"' in html
    assert "search-results" not in html and "결과 없음" not in html


def test_no_match_says_so_with_hints(client, board):
    response = client.get("/search/", {"q": "쿠버네티스 파드"})
    assert shown(response)["page"].paginator.count == 0
    html = response.content.decode()
    assert '<h2 id="results-heading">결과 없음</h2>' in html
    assert "“쿠버네티스 파드”의 낱말이 모두 들어 있는 질문이나 답변이 없습니다." in html
    assert html.count("<li>", html.index("search-empty__hints")) == 3
    assert "모든 주차와 멤버에서 찾기" not in html  # nothing to widen


def test_no_match_within_a_round_or_member_offers_to_search_everywhere(client, board):
    for filters in [{"round": 1}, {"member": "sky"}]:
        html = client.get("/search/", {"q": "데드락", **filters}).content.decode()
        assert "결과 없음" in html
        everywhere = '<a href="/search/?q=%EB%8D%B0%EB%93%9C%EB%9D%BD">모든 주차와 멤버에서 찾기</a>'
        assert everywhere in html
    assert found(client, "데드락") == [("question", "데드락이 생기는 네 가지 조건은?")]


def test_results_are_paginated_keeping_the_query(client, db):
    round_ = RoundFactory(number=1)
    author = MemberFactory(name="sky")
    for position in range(1, 26):
        QuestionFactory(round=round_, author=author, position=position, text=f"큐 문제 {position}")
    first = client.get("/search/", {"q": "큐", "member": "sky"})
    assert shown(first)["page"].paginator.count == 25
    assert len(shown(first)["hits"]) == 20
    assert "?q=%ED%81%90&amp;member=sky&amp;page=2" in first.content.decode()
    second = client.get("/search/", {"q": "큐", "member": "sky", "page": 2})
    assert [hit.obj.position for hit in shown(second)["hits"]] == [5, 4, 3, 2, 1]


def test_saving_keeps_search_text_current(db):
    question = QuestionFactory(text="**처음** 질문")
    assert question.search_text == "처음 질문"
    question.text = "[바뀐](https://example.com) 질문"
    question.save(update_fields=["text"])
    question.refresh_from_db()
    assert question.search_text == "바뀐 질문"
    PickFactory(question=question)
    answer = AnswerFactory(question=question, body="첫 답")
    answer.body = "고친 _답_"
    answer.save(update_fields=["body"])
    answer.refresh_from_db()
    assert answer.search_text == "고친 답"


def test_migration_fills_search_text_of_existing_rows(board):
    migration = importlib.import_module("qa.migrations.0002_search")
    Question.objects.update(search_text="")
    Answer.objects.update(search_text="")
    migration.fill_search_text(apps, None)
    assert Question.objects.filter(search_text="").count() == 0
    assert Answer.objects.get(author__name="bee").search_text == (
        "로드밸런싱은 트래픽을 여러 서버로 나눈다."
    )


# What search reads: entries kept in step with questions and answers.


def test_grams_are_every_letter_and_pair_of_letters_within_words():
    assert fold("  Load\n  밸런싱 ") == "load 밸런싱"
    assert text_grams("tcp 큐") == "c cp p t tc 큐"
    assert term_grams("큐") == {"큐"}
    assert term_grams("캐시") == {"캐시"}
    assert term_grams("로드밸런싱") == {"로드", "드밸", "밸런", "런싱"}


def test_terms_are_compared_with_the_text_without_korean_spacing():
    assert joined("로드 밸런싱이 l4 load balancing과 tcp") == "로드밸런싱이l4 load balancing과tcp"
    assert joined("임계 구역 ( critical section )") == "임계구역( critical section )"
    # So the grams are the joined text's: a pair across a space beside Korean is indexed.
    assert text_grams(joined("tcp 큐")) == "c cp p p큐 t tc 큐"


def test_every_question_and_answer_has_an_entry_kept_current(db):
    question = QuestionFactory(text="**로드** 밸런싱")
    PickFactory(question=question)
    answer = AnswerFactory(question=question, body="L4와 L7")
    assert question.search_entry.text == "로드 밸런싱"
    assert answer.search_entry.text == "l4와 l7"
    answer.body = "DNS 라운드 로빈"
    answer.save(update_fields=["body"])
    question.text = "로드밸런서"
    question.save()
    answer_entry, question_entry = SearchEntry.objects.get(answer=answer), question.search_entry
    question_entry.refresh_from_db()
    assert answer_entry.text == "dns 라운드 로빈"
    assert question_entry.text == "로드밸런서"
    assert answer_entry.round_id == question_entry.round_id == question.round_id
    assert SearchEntry.objects.count() == 2


def test_moving_a_question_moves_its_answers_entries(db):
    question = QuestionFactory(text="큐")
    PickFactory(question=question)
    answer = AnswerFactory(question=question, body="큐는 FIFO")
    later = RoundFactory(number=question.round.number + 1)
    question.round = later
    question.save()
    assert SearchEntry.objects.get(answer=answer).round == later
    assert SearchEntry.objects.get(question=question).round == later


def test_deleting_deletes_the_entries(db):
    question = QuestionFactory(text="큐")
    PickFactory(question=question)
    AnswerFactory(question=question, body="큐는 FIFO")
    question.delete()
    assert not SearchEntry.objects.exists()


@pytest.mark.parametrize(
    ("query", "as_typed", "respaced", "apart"),
    [
        ("임계구역", "임계구역 문제를 푸는 세 가지 조건", "임계 구역에 들어간 스레드", "구역별 임계값"),
        ("임계 구역", "임계 구역에 들어간 스레드", "임계구역 문제를 푸는 세 가지 조건", "구역별 임계값"),
        ("로드밸런싱", "로드밸런싱은 트래픽을 나눈다", "로드 밸런싱이 필요한 이유", "밸런싱할 로드"),
        ("로드 밸런싱", "로드 밸런싱이 필요한 이유", "로드밸런싱은 트래픽을 나눈다", "밸런싱할 로드"),
    ],
)  # fmt: skip
def test_korean_spacing_does_not_matter_and_the_query_as_typed_ranks_first(
    client, db, query, as_typed, respaced, apart
):
    round_, sky = RoundFactory(number=1), MemberFactory(name="sky")
    ask(round_, sky, as_typed)
    ask(round_, sky, respaced)  # the newer: first, were the spacing ignored in ranking too
    ask(round_, sky, apart)  # both words, neither spacing of the pair: only two words find it
    expected = [("question", as_typed), ("question", respaced)]
    if " " in query:
        expected.append(("question", apart))
    assert found(client, query) == expected


def test_the_demo_question_is_found_without_its_spacing(client, db):
    call_command("load_demo", stdout=StringIO())
    assert ("question", "로드 밸런싱이 필요한 이유에 대해서 설명하시오") in found(client, "로드밸런싱")


@pytest.mark.parametrize("kinds", [{}, {"question": True, "answer": True}])
def test_entry_is_of_one_question_or_one_answer(db, kinds):
    question = QuestionFactory()
    PickFactory(question=question)
    answer = AnswerFactory(question=question)
    SearchEntry.objects.all().delete()
    entry = SearchEntry(round=question.round, author=question.author, text="t", grams="t")
    entry.question = question if kinds else None
    entry.answer = answer if kinds else None
    with pytest.raises(IntegrityError):
        entry.save()


def test_all_the_grams_of_a_word_are_not_the_word(client, db):
    # Every pair of letters of 로드밸런싱, and the word nowhere.
    ask(RoundFactory(number=1), MemberFactory(name="sky"), "로드 드밸 밸런 런싱")
    assert found(client, "로드밸런싱") == []
    assert found(client, "밸런") == [("question", "로드 드밸 밸런 런싱")]


def test_like_wildcards_in_a_query_are_plain_letters(client, db):
    round_, sky = RoundFactory(number=1), MemberFactory(name="sky")
    ask(round_, sky, "100% 동기")
    ask(round_, sky, "1000 동기")
    ask(round_, sky, "snake_case")
    ask(round_, sky, "snakeXcase")
    assert found(client, "100%") == [("question", "100% 동기")]
    assert found(client, "e_c") == [("question", "snake_case")]


def test_only_the_newest_matches_are_ranked_when_there_are_too_many(client, db, monkeypatch):
    monkeypatch.setattr(search, "MAX_RESULTS", 3)
    round_, sky = RoundFactory(number=1), MemberFactory(name="sky")
    for position in range(1, 6):
        QuestionFactory(round=round_, author=sky, position=position, text=f"큐 {position}")
    response = client.get("/search/", {"q": "큐"}, HTTP_ACCEPT_LANGUAGE="en")
    assert [hit.obj.position for hit in shown(response)["hits"]] == [5, 4, 3]
    assert shown(response)["results"].truncated
    html = response.content.decode()
    assert "The newest 3 results" in html
    assert "More than 3 questions and answers match." in html
    few = client.get("/search/", {"q": "큐 5"}, HTTP_ACCEPT_LANGUAGE="en")
    assert not shown(few)["results"].truncated
    assert "1 result" in few.content.decode()


def test_migration_indexes_existing_texts_in_the_order_they_were_written(db):
    migration = importlib.import_module("qa.migrations.0008_search_entries")
    round_, sky, bee = RoundFactory(number=1), MemberFactory(name="sky"), MemberFactory(name="bee")
    first = ask(round_, sky, "먼저 쓴 질문", [(bee, "그다음 답")])
    later = ask(round_, bee, "나중 질문")
    Question.objects.filter(pk=later.pk).update(created=timezone.now() + timedelta(days=1))
    SearchEntry.objects.all().delete()
    migration.fill_entries(apps, None)
    entries = SearchEntry.objects.order_by("id")
    assert [e.text for e in entries] == ["먼저 쓴 질문", "그다음 답", "나중 질문"]
    assert entries[1].answer == first.answers.get() and entries[1].round == round_


def as_before_migration_0009():
    """Every entry as the release before migration 0009 wrote it: no joined text, and the
    grams of the folded text, spaces and all (an older release still running writes these)."""
    before = importlib.import_module("qa.migrations.0008_search_entries")
    for pk, text in SearchEntry.objects.values_list("pk", "text"):
        SearchEntry.objects.filter(pk=pk).update(joined="", grams=before.text_grams(text))


SPACED_AND_UNSPACED = [
    ("answer", "로드밸런싱은 트래픽을 여러 서버로 나눈다."),
    ("question", "로드 밸런싱이 필요한 이유에 대해서 설명하시오"),
]


def test_migration_joins_existing_entries_as_the_write_path_does(client, board):
    migration = importlib.import_module("qa.migrations.0009_searchentry_joined")
    as_before_migration_0009()
    assert found(client, "로드밸런싱") == []
    migration.fill_joined(apps, None)
    assert SearchEntry.objects.stale(list(Question.objects.all())) == []
    assert SearchEntry.objects.stale(list(Answer.objects.all())) == []
    assert found(client, "로드밸런싱") == SPACED_AND_UNSPACED


def test_rebuild_derived_reports_and_repairs_entries_of_the_previous_release(client, board):
    as_before_migration_0009()
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("rebuild_derived", "--check", stdout=out)
    spaced = Question.objects.get(text__startswith="로드 밸런싱")
    answer = Answer.objects.get(author__name="bee")
    assert f"question {spaced.pk}: search entry" in out.getvalue()
    assert f"answer {answer.pk}: search entry" in out.getvalue()
    call_command("rebuild_derived", stdout=StringIO())
    call_command("rebuild_derived", "--check", stdout=StringIO())  # raises if anything is stale
    assert found(client, "로드밸런싱") == SPACED_AND_UNSPACED
    # Its grams current, an entry without its joined text is stale too.
    SearchEntry.objects.filter(answer=answer).update(joined="")
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("rebuild_derived", "--check", stdout=out)
    assert out.getvalue().strip().splitlines() == [f"answer {answer.pk}: search entry"]


# PostgreSQL: the grams index.


WORDS = (
    "프로세스 스레드 메모리 페이지 캐시 트랜잭션 인덱스 정규화 라우팅 패킷 세션 쿠키 해시 "
    "정렬 그래프 트리 힙 스택 동기화 스케줄링 가상화 컨테이너 네트워크 소켓 프로토콜"
).split()


@on_postgresql
@pytest.mark.django_db
def test_search_reads_the_grams_index_on_a_large_board(monkeypatch):
    round_ = RoundFactory(number=1)
    author, answerer = MemberFactory(name="sky"), MemberFactory(name="bee")
    rng = random.Random(7)
    count = 3000

    def text(i, rare):
        """A paragraph of CS words, as answers are; one row in 997 mentions 로드밸런싱.

        The questions' rare text spells it 로드 밸런싱.
        """
        return rare if i % 997 == 0 else f"{' '.join(rng.choices(WORDS, k=40))} {i}"

    questions = Question.objects.add(
        [
            Question(
                round=round_, author=author, position=i, text=text(i, f"로드 밸런싱은 왜 쓰는가 {i}")
            )
            for i in range(1, count + 1)
        ]
    )
    answers = Answer.objects.add(
        [
            Answer(
                question=question,
                author=answerer,
                body=text(i + 500, f"로드밸런싱은 부하를 나눈다 {i}"),
            )
            for i, question in enumerate(questions, start=1)
        ]
    )
    with connection.cursor() as cursor:
        # New rows wait in the GIN index's pending list, which every index scan must read
        # whole, until inserts or (auto)vacuum merge them; a live board's index is merged.
        cursor.execute("SELECT gin_clean_pending_list('qa_searchentry_grams'::regclass)")
        cursor.execute("ANALYZE qa_searchentry")

    # The whole board is among the newest entries, as it is on a fresh database: ids that
    # earlier tests used up are not given back, and past RECENT_ENTRIES of them find()
    # would also search the (empty) older part, a second query.
    newest = SearchEntry.objects.order_by("-id").values_list("id", flat=True).first()
    monkeypatch.setattr(search, "RECENT_ENTRIES", max(newest, search.RECENT_ENTRIES))
    rounds = Round.objects.visible()
    rows, plans = find_explained(["로드밸런싱", "부하"], rounds)
    assert len(plans) == 1 and "qa_searchentry_grams" in plans[0]
    expected = Answer.objects.filter(search_text__contains="로드밸런싱은 부하").count()
    assert len(rows) == expected > 0
    assert {row.kind for row in rows} == {search.ANSWER}
    # A common two-letter word: the newest matches only, every one of them a real match.
    rows = find(["캐시"], rounds)
    assert rows.truncated and len(rows) == search.MAX_RESULTS
    texts = {q.pk: q.search_text for q in questions} | {a.pk: a.search_text for a in answers}
    assert all("캐시" in texts[row.id] for row in rows)
    # The newest entries, then the older ones when those fall short; never by walking the
    # primary key newest first, testing every row's grams (which the planner once chose).
    monkeypatch.setattr(search, "RECENT_ENTRIES", 1000)
    rows, plans = find_explained(["캐시"], rounds)
    assert rows.truncated and len(plans) == 1  # the newest 1,000 have enough
    rows, (recent, older) = find_explained(["로드밸런싱"], rounds)
    assert len(rows) == 2 * count // 997  # the questions' 로드 밸런싱 too, through the index
    assert "qa_searchentry_grams" in older
    assert "Index Scan Backward" not in plans[0] + recent + older


def find_explained(terms, rounds):
    """find()'s rows, and the plans PostgreSQL ran its searches with."""
    with CaptureQueriesContext(connection) as queries:
        rows = find(terms, rounds)
    plans = []
    with connection.cursor() as cursor:
        for query in queries:
            if "candidate" in query["sql"]:
                cursor.execute("EXPLAIN " + query["sql"])
                plans.append("\n".join(line for (line,) in cursor.fetchall()))
    return rows, plans


def parallel_workers():
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        return cursor.fetchone()[0]


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_search_runs_without_parallel_workers_and_other_queries_keep_them(monkeypatch):
    QuestionFactory(text="교착 상태란?")
    server_setting = parallel_workers()
    assert server_setting != "0"
    seen = []

    def matches(*args):
        seen.append(parallel_workers())
        return real_matches(*args)

    real_matches = search._matches
    monkeypatch.setattr(search, "_matches", matches)
    assert len(find(["교착"], Round.objects.all())) == 1
    # One or two reads (newest entries, then older ones), each without workers.
    assert seen and set(seen) == {"0"}
    assert parallel_workers() == server_setting


def test_older_texts_are_read_when_the_newest_fall_short(client, db, monkeypatch):
    monkeypatch.setattr(search, "RECENT_ENTRIES", 2)
    round_, sky = RoundFactory(number=1), MemberFactory(name="sky")
    for position in range(1, 7):
        text = f"큐 {position}" if position % 2 else f"스택 {position}"
        QuestionFactory(round=round_, author=sky, position=position, text=text)
    assert [text for _kind, text in found(client, "큐")] == ["큐 5", "큐 3", "큐 1"]
    monkeypatch.setattr(search, "MAX_RESULTS", 2)
    rows = find(["큐"], Round.objects.all())
    assert rows.truncated and len(rows) == 2


def test_a_repeated_search_is_served_from_the_cache_until_anything_changes(client, board):
    first = client.get("/search/", {"q": "데드락"})
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/search/", {"q": "데드락"})
    # The version of every board with the newest entry: the page below the header is cached.
    assert len(queries) == 1
    assert again.content == first.content
    week = Round.objects.visible().order_by("number").first()
    QuestionFactory(round=week, author=MemberFactory(name="새멤버"), text="데드락 회피와 예방의 차이")
    after = client.get("/search/", {"q": "데드락"}).content.decode()
    assert "<mark>데드락</mark> 회피와 예방의 차이" in after
