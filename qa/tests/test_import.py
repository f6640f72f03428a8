from io import StringIO
from pathlib import Path
from unittest import mock

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import translation

from qa.importer import (
    RoundFileError,
    number_from_filename,
    parse_round,
    plan_import,
)
from qa.models import Answer, Member, Pick, Question, Round

from .factories import RoundFactory

SAMPLES = Path(__file__).parent / "import_samples"
DEMO = Path(__file__).resolve().parents[1] / "demo" / "week-01.md"
SAMPLE_TEXT = DEMO.read_text(encoding="utf-8")

SAMPLE_LISTS = [
    ("클로이", ["1.", "2.", "3."], "2."),
    ("bee", ["1.", "2.", "3."], "1."),
    ("choi", ["1.", "2.", "3."], "2."),
    ("sky", ["Q1.", "Q2.", "Q3.", "Q4."], "Q4."),
]


def sample_answer(member, restated, next_member=None):
    """The answer text as the sample file holds it, cut out without the importer."""
    start_marker = f"{member}님의 질문\n\n{restated}\n\n"
    start = SAMPLE_TEXT.index(start_marker) + len(start_marker)
    end = SAMPLE_TEXT.index(f"## {next_member}") if next_member else len(SAMPLE_TEXT)
    return SAMPLE_TEXT[start:end].strip("\n")


SAMPLE_ANSWERS = {
    "sky": sample_answer(
        "sky",
        " OSI 7계층에서 소프트웨어가 담당하는 응용-표현-세션-전송-네트워크 역할을 간단히 서술하시오",
        "choi",
    ),
    "choi": sample_answer("choi", "VIP(Virtual IP)는 무엇인가?", "bee "),
    "bee": sample_answer("bee ", "L4 Load Balancing과 L7 Load Balancing의 차이", "클로이"),
    "클로이": sample_answer(
        "클로이", "blocking과 synchronous는 동일한 것인가? 그렇지 않다면 그 이유에 대해서 설명하라."
    ),
}

AUTHORED_ANSWER = (
    "1. ClientHello\n2. ServerHello와 인증서\n\n"
    "```text\n### ✍️ 코드 블록 안의 줄은 작성자 줄이 아니다\n## sky님의 질문\n```"
)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def qa_tables():
    """Every row of every qa table, to show a refused import changed nothing."""
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in apps.get_app_config("qa").get_models()
    }


def assert_nothing_written():
    assert all(rows == [] for rows in qa_tables().values()), qa_tables()


def run_import(*args, **options):
    out = StringIO()
    call_command("import_round", *[str(a) for a in args], stdout=out, **options)
    return out.getvalue()


def board_of(number):
    """(member, [(label, text, picked)]) in board order, and the answers as (member, label, author, body)."""
    member_lists, picked = Round.objects.get(number=number).board()
    lists = [
        (author.name, [(q.label, q.text, bool(q.picks_on_board)) for q in questions])
        for author, questions in member_lists
    ]
    answers = [
        (q.author.name, q.label, a.author.name, a.body) for q in picked for a in q.answers_on_board
    ]
    return lists, answers


# The parser alone: no database.


def test_sample_parses_to_its_members_questions_and_picks():
    parsed = parse_round(DEMO.read_bytes(), filename="week-01.md")
    assert parsed.title == ""
    assert [
        (m.name, [q.label for q in m.questions], [q.label for q in m.picked])
        for m in parsed.members
    ] == [(name, labels, [picked]) for name, labels, picked in SAMPLE_LISTS]
    assert len(parsed.questions) == 13
    assert [(m.name, m.line) for m in parsed.members] == [
        ("클로이", 1), ("bee", 9), ("choi", 17), ("sky", 25),
    ]  # fmt: skip
    sky = parsed.members[3]
    assert sky.questions[3].text == (
        "OSI 7계층에서 소프트웨어가 담당하는 응용-표현-세션-전송-네트워크 역할을 간단히 서술하시오"
    )
    assert [q.line for q in parsed.picked] == [5, 12, 21, 32]
    assert parsed.warnings == []


def test_sample_answers_are_the_sample_text_byte_for_byte():
    parsed = parse_round(DEMO.read_bytes())
    assert [(a.member, a.question.label, a.author, a.line) for a in parsed.answers] == [
        ("sky", "Q4.", None, 43),
        ("choi", "2.", None, 81),
        ("bee", "1.", None, 101),
        ("클로이", "2.", None, 142),
    ]
    assert {a.member: a.body for a in parsed.answers} == SAMPLE_ANSWERS
    sky = parsed.answers[0].body
    assert sky.startswith("### 응용 계층 (Application Layer):\n\n소프트웨어와 사용자간")
    assert "- 사용자에게 유저 인터페이스를 제공 \n" in sky  # a trailing space is content
    assert (
        "```\n세션은 특정 작업을 위한 기간을 의미\n`a period devoted to a particular activity.`\n```"
        in sky
    )
    assert sky.endswith("전송 순서를 제어하거나 흐름제어등을 수행하는곳")
    bee = parsed.answers[2].body
    assert "|기능의 복잡도|단순함|복잡함 <br> 부하분배에 url패턴등을 이용하기도 함|" in bee
    assert "https://medium.com/@crazy_nuclei/l4-vs-l7-load-balancers-64e47610e2ef" in bee
    assert parsed.answers[3].body.endswith("다음 함수들이 실행될 수 있음")


def test_control_characters_are_dropped_from_names_questions_and_answers():
    text = DEMO.read_text(encoding="utf-8").replace("## sky", "## s\x07ky\x1b", 1)
    text = text.replace("OSI 7계층에서", "OSI\x0b 7계층에서", 1)
    assert "s\x07ky" in text and "OSI\x0b" in text
    parsed = parse_round(text.encode())
    assert parsed.members[3].name == "sky"
    assert parsed.members[3].questions[3].text.startswith("OSI 7계층에서")
    assert not [a for a in parsed.answers if any(c in a.body for c in "\x07\x0b\x1b")]


def test_crlf_bom_trailing_spaces_and_no_final_newline():
    raw = (SAMPLES / "week-03-crlf.md").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw and not raw.endswith(b"\n")
    parsed = parse_round(raw)
    assert [
        (m.name, [(q.label, q.text, q.picked) for q in m.questions]) for m in parsed.members
    ] == [
        (
            "sky",
            [("1.", "TCP와 UDP의 차이는?", False), ("2.", "3-way handshake를 설명하시오", True)],
        ),
        ("bee", [("1)", "DNS 조회 과정은?", False), ("2)", "HTTP keep-alive란?", True)]),
    ]
    assert [(a.member, a.body) for a in parsed.answers] == [
        ("sky", "SYN, SYN-ACK, ACK  \n세 번 주고받는다."),  # two spaces: a Markdown line break
        ("bee", "연결을 재사용한다."),
    ]


def test_heading_and_bold_names_bulleted_lists_title_and_답변():
    parsed = parse_round((SAMPLES / "3주차.md").read_bytes())
    assert parsed.title == "3주차 운영체제"
    assert [(m.name, [(q.label, q.text, q.picked) for q in m.questions]) for m in parsed.members] == [
        ("sky", [
            ("", "프로세스와 스레드의 차이는?", False),
            ("", "컨텍스트 스위칭 비용은 왜 드는가?", True),
            ("", "데드락의 네 가지 조건은?", False),
        ]),
        ("bee", [("", "가상 메모리가 필요한 이유는?", False), ("", "페이지 교체 알고리즘을 비교하시오", False)]),
        ("choi", [
            ("1.", "뮤텍스와 세마포어의 차이", False),
            ("2.", "스케줄링 알고리즘 종류\n(선점형과 비선점형으로 나누어)", True),
        ]),
    ]  # fmt: skip
    assert [(a.member, a.body) for a in parsed.answers] == [
        (
            "sky",
            (
                "레지스터와 캐시를 저장하고 복원해야 하기 때문이다.\n\n"
                "```c\nsave_registers(prev);\nrestore_registers(next);\n```"
            ),
        ),
        ("choi", "- 선점형: RR, SRTF\n- 비선점형: FCFS, SJF"),
    ]
    assert parsed.answers[1].restated == "스케줄링 알고리즘 종류\n(선점형과 비선점형으로 나누어)"


def test_q_paragraphs_and_질문_labels():
    parsed = parse_round((SAMPLES / "week-04-q-paragraphs.md").read_bytes())
    assert [(m.name, [(q.label, q.text, q.picked) for q in m.questions]) for m in parsed.members] == [
        ("클로이", [
            ("Q.", "인덱스를 사용하면 조회가 빨라지는 이유는?", False),
            ("Q.", "B-Tree와 B+Tree의 차이는 무엇이고\n왜 데이터베이스는 B+Tree를 쓰는가?", True),
        ]),
        ("bee", [("질문 1.", "트랜잭션 격리 수준을 설명하시오", False), ("질문 2.", "정규화의 장단점은?", True)]),
    ]  # fmt: skip
    assert [(a.member, a.body) for a in parsed.answers] == [
        (
            "클로이",
            (
                "| | B-Tree | B+Tree |\n|--|--|--|\n| 데이터 위치 | 모든 노드 | 리프 노드 |\n\n"
                "![B+Tree 구조](https://example.com/bplus.png)\n\n"
                "자세한 내용: [MySQL 문서](https://dev.mysql.com/doc/)"
            ),
        ),
        ("bee", "장점: 중복이 줄어든다.\n단점: 조인이 늘어난다."),
    ]


def test_another_marker_at_the_end_of_the_line():
    parsed = parse_round((SAMPLES / "week-05-check-marker.md").read_bytes(), marker="✅")
    assert [(m.name, [(q.label, q.text, q.picked) for q in m.questions]) for m in parsed.members] == [
        ("sky", [
            ("1.", "캐시 적중률을 높이는 방법은?", True),
            ("2.", "👀 표시는 여기서 마커가 아니다", False),
            ("3.", "CDN은 어떻게 동작하는가?", False),
        ]),
        ("choi", [("Q1)", "Redis와 Memcached의 차이", False), ("Q2)", "캐시 무효화 전략은?", True)]),
    ]  # fmt: skip
    assert [(a.member, a.body) for a in parsed.answers] == [
        ("sky", "지역성을 활용한다."),
        ("choi", "TTL, write-through, write-behind."),
    ]


def test_marker_at_the_start_of_unlabelled_lines():
    parsed = parse_round((SAMPLES / "week-06-start-marker.md").read_bytes())
    assert [
        (m.name, [(q.label, q.text, q.picked) for q in m.questions]) for m in parsed.members
    ] == [
        (
            "sky",
            [("", "해시 테이블의 충돌 해결 방법은?", True), ("", "트리와 그래프의 차이는?", False)],
        ),
        (
            "bee",
            [("", "힙 정렬의 시간 복잡도는?", False), ("", "힙과 우선순위 큐의 관계는?", True)],
        ),
    ]
    assert parsed.answers == []


def test_author_lines_name_each_answer_and_are_ignored_inside_code():
    parsed = parse_round((SAMPLES / "week-07-authors.md").read_bytes())
    assert parsed.title == "7주차 보안"
    assert [(a.member, a.question.label, a.author, a.body) for a in parsed.answers] == [
        (
            "sky", "2.", "bee",
            AUTHORED_ANSWER,
        ),
        ("sky", "2.", "choi", "TLS 1.3은 1-RTT로 줄었다."),
        ("bee", "1.", "sky", "해시는 되돌릴 수 없다."),
    ]  # fmt: skip


def test_several_picks_of_one_member_are_matched_by_the_restated_question():
    text = (
        "sky\n```\n👀\n1. 첫 질문\n👀\n2. 둘째 질문\n```\n\n# ANSWER\n\n"
        "## sky님의 질문\n\n2. 둘째 질문\n\n둘째 답\n\n## sky님의 질문\n\n첫 질문\n\n첫 답\n"
    )
    parsed = parse_round(text)
    assert [(a.question.label, a.body) for a in parsed.answers] == [
        ("2.", "둘째 답"),
        ("1.", "첫 답"),
    ]


BAD_FILES = [
    (
        "latin1.md",
        3,
        "This file is not UTF-8 text (byte 0xe9). Save it as UTF-8 and import it again.",
    ),
    ("binary.md", 3, "This is a binary file, not a Markdown text file."),
    (
        "no-members.md",
        1,
        (
            "No member with questions was found. Write each member's name on its own line, "
            "followed by their questions in a ``` block or a numbered list."
        ),
    ),
    (
        "unpicked-section.md",
        21,
        (
            "“bee님의 질문”: bee has no picked (👀) question in this file, so this answer "
            "cannot be matched to a question."
        ),
    ),
    ("unclosed-fence.md", 2, "This ``` block is never closed."),
]


@pytest.mark.parametrize("name,line,message", BAD_FILES)
def test_bad_files_are_refused_naming_file_and_line(name, line, message):
    with pytest.raises(RoundFileError) as caught:
        parse_round((SAMPLES / name).read_bytes(), filename=name)
    assert (caught.value.filename, caught.value.line, caught.value.message) == (name, line, message)
    assert str(caught.value) == f"{name}, line {line}: {message}"


@pytest.mark.parametrize(
    "text,line,message",
    [
        ("```\n1. 이름 없는 질문\n```\n", 1, "These questions have no member name above them."),
        ("sky\n```\n1. 질문\n👀\n```\n", 4, "This 👀 is not followed by a question."),
        ("sky\n```\n1.\n```\n", 3, "This question has no text."),
        ("", 1, "No member with questions was found."),
    ],
)
def test_malformed_lists_are_refused(text, line, message):
    with pytest.raises(RoundFileError) as caught:
        parse_round(text)
    assert caught.value.line == line
    assert caught.value.message.startswith(message)


@pytest.mark.parametrize(
    "filename,number",
    [("3주차.md", 3), ("week-03.md", 3), ("Week_12.md", 12), ("2회차 정리.md", 2), ("notes.md", None),
     ("week-00.md", None), (None, None)],
)  # fmt: skip
def test_round_number_from_file_name(filename, number):
    assert number_from_filename(filename) == number


# Importing: the database.


@pytest.mark.django_db
def test_sample_imports_four_members_thirteen_questions_four_picks_four_answers():
    out = run_import(DEMO, answerer="sky")
    assert "Imported round 1: 13 questions, 4 picks, 4 answers." in out
    assert (Member.objects.count(), Question.objects.count()) == (4, 13)
    assert (Pick.objects.count(), Answer.objects.count()) == (4, 4)
    round_ = Round.objects.get()
    assert (round_.number, round_.title, round_.state) == (1, "", Round.State.CLOSED)
    lists, answers = board_of(1)
    assert [(name, [q[0] for q in qs], [q[0] for q in qs if q[2]]) for name, qs in lists] == [
        (name, labels, [picked]) for name, labels, picked in SAMPLE_LISTS
    ]
    assert list(Question.objects.order_by("pk").values_list("author__name", "position", "label"))[:4] == [
        ("클로이", 1, "1."), ("클로이", 2, "2."), ("클로이", 3, "3."), ("bee", 1, "1."),
    ]  # fmt: skip
    assert set(Pick.objects.values_list("picker", flat=True)) == {None}
    assert {(member, author, body) for member, _label, author, body in answers} == {
        (member, "sky", body) for member, body in SAMPLE_ANSWERS.items()
    }
    assert Answer.objects.get(question__author__name="bee").body == SAMPLE_ANSWERS["bee"]


@pytest.mark.django_db
def test_dry_run_prints_the_summary_and_writes_nothing():
    out = run_import(DEMO, answerer="sky", dry_run=True)
    assert out.splitlines() == [
        "Round 1 “Round 1”, new (Closed).",
        "Members: 4 (4 new)",
        "  클로이 (new): 3 questions, picked: 2.",
        "  bee (new): 3 questions, picked: 1.",
        "  choi (new): 3 questions, picked: 2.",
        "  sky (new): 4 questions, picked: Q4.",
        "Questions: 13",
        "Picks: 4, by curators",
        "Answers: 4",
        "  sky answers sky's Q4.",
        "  sky answers choi's 2.",
        "  sky answers bee's 1.",
        "  sky answers 클로이's 2.",
        "Dry run: nothing was written.",
    ]
    assert_nothing_written()


@pytest.mark.django_db
def test_crlf_file_imports_with_its_number_from_the_file_name():
    run_import(SAMPLES / "week-03-crlf.md", answerer="choi")
    assert board_of(3) == (
        [
            (
                "sky",
                [
                    ("1.", "TCP와 UDP의 차이는?", False),
                    ("2.", "3-way handshake를 설명하시오", True),
                ],
            ),
            ("bee", [("1)", "DNS 조회 과정은?", False), ("2)", "HTTP keep-alive란?", True)]),
        ],
        [
            ("sky", "2.", "choi", "SYN, SYN-ACK, ACK  \n세 번 주고받는다."),
            ("bee", "2)", "choi", "연결을 재사용한다."),
        ],
    )
    assert sorted(Member.objects.values_list("name", flat=True)) == ["bee", "choi", "sky"]


@pytest.mark.django_db
def test_korean_file_name_gives_number_and_heading_gives_title():
    run_import(SAMPLES / "3주차.md", answerer="bee", state="answering")
    round_ = Round.objects.get()
    assert (round_.number, round_.title, round_.state) == (3, "3주차 운영체제", "answering")
    assert (Question.objects.count(), Pick.objects.count(), Answer.objects.count()) == (7, 2, 2)
    assert list(
        Question.objects.filter(picks__isnull=False)
        .order_by("pk")
        .values_list("author__name", "text")
    ) == [
        ("sky", "컨텍스트 스위칭 비용은 왜 드는가?"),
        ("choi", "스케줄링 알고리즘 종류\n(선점형과 비선점형으로 나누어)"),
    ]


@pytest.mark.django_db
def test_options_override_number_and_title_and_pick_by_a_member():
    run_import(SAMPLES / "week-05-check-marker.md", marker="✅", answerer="bee", picker="bee",
               number=9, title="캐시")  # fmt: skip
    round_ = Round.objects.get()
    assert (round_.number, round_.title) == (9, "캐시")
    assert list(Pick.objects.order_by("pk").values_list("question__label", "picker__name")) == [
        ("1.", "bee"), ("Q2)", "bee"),
    ]  # fmt: skip
    assert list(Answer.objects.order_by("pk").values_list("author__name", "body")) == [
        ("bee", "지역성을 활용한다."), ("bee", "TTL, write-through, write-behind."),
    ]  # fmt: skip


@pytest.mark.django_db
def test_without_a_number_in_the_name_the_next_free_number_is_used(tmp_path):
    RoundFactory(number=4)
    notes = tmp_path / "notes.md"
    notes.write_bytes((SAMPLES / "week-06-start-marker.md").read_bytes())
    run_import(notes)
    assert sorted(Round.objects.values_list("number", flat=True)) == [4, 5]
    assert Question.objects.filter(round__number=5).count() == 4


@pytest.mark.django_db
def test_author_lines_need_no_answerer_and_create_their_members():
    run_import(SAMPLES / "week-07-authors.md")
    assert sorted(Member.objects.values_list("name", flat=True)) == ["bee", "choi", "sky"]
    assert board_of(7)[1] == [
        ("sky", "2.", "bee", AUTHORED_ANSWER),
        ("sky", "2.", "choi", "TLS 1.3은 1-RTT로 줄었다."),
        ("bee", "1.", "sky", "해시는 되돌릴 수 없다."),
    ]  # fmt: skip
    assert Round.objects.get().title == "7주차 보안"


@pytest.mark.django_db
def test_existing_members_are_reused():
    Member.objects.create(name="sky")
    run_import(DEMO, answerer="sky")
    assert Member.objects.count() == 4


@pytest.mark.django_db
@pytest.mark.parametrize("name,line,message", BAD_FILES)
def test_bad_files_stop_the_command_and_write_nothing(name, line, message):
    with pytest.raises(CommandError) as caught:
        run_import(SAMPLES / name, answerer="sky")
    assert str(caught.value) == f"{SAMPLES / name}, line {line}: {message}"
    assert_nothing_written()


@pytest.mark.django_db
def test_answers_without_an_answerer_are_refused():
    with pytest.raises(CommandError) as caught:
        run_import(DEMO)
    assert str(caught.value) == (
        f"{DEMO}, line 43: This file has answers but does not say who wrote them. "
        "Name the member who wrote them as the answerer (--answerer NAME)."
    )
    assert_nothing_written()


@pytest.mark.django_db
def test_existing_round_is_refused_without_replace():
    run_import(DEMO, answerer="sky")
    before = qa_tables()
    with pytest.raises(CommandError) as caught:
        run_import(SAMPLES / "week-06-start-marker.md", number=1)
    assert str(caught.value) == (
        f"{SAMPLES / 'week-06-start-marker.md'}: Round 1 already exists. "
        "Import with “replace” to overwrite it."
    )
    assert qa_tables() == before


@pytest.mark.django_db
def test_replace_deletes_the_old_round_in_the_same_import():
    run_import(DEMO, answerer="sky")
    out = run_import(SAMPLES / "week-06-start-marker.md", number=1, replace=True)
    assert "Round 1 “Round 1” replaces the existing round 1 (Closed)." in out
    assert Round.objects.count() == 1
    assert (Question.objects.count(), Pick.objects.count(), Answer.objects.count()) == (4, 2, 0)
    assert Member.objects.count() == 4  # members outlive their rounds


@pytest.mark.django_db
def test_a_picker_cannot_pick_their_own_question_and_nothing_is_written():
    with pytest.raises(CommandError) as caught:
        run_import(DEMO, answerer="sky", picker="sky")
    assert str(caught.value) == f"{DEMO}, line 32: Members cannot pick their own questions."
    assert_nothing_written()


@pytest.mark.django_db
def test_a_rule_broken_while_writing_rolls_everything_back():
    refusal = ValidationError("Only picked (👀) questions take answers.", code="not_picked")
    with (
        mock.patch.object(Question, "save_answer", side_effect=refusal),
        pytest.raises(CommandError) as caught,
    ):
        run_import(DEMO, answerer="sky")
    assert str(caught.value) == f"{DEMO}, line 43: Only picked (👀) questions take answers."
    assert_nothing_written()


@pytest.mark.django_db
def test_plan_then_save_is_the_import():
    summary = plan_import(parse_round(DEMO.read_bytes(), filename="week-01.md"), answerer="sky")
    assert (summary.number, summary.question_count, summary.pick_count, len(summary.answers)) == (
        1, 13, 4, 4,
    )  # fmt: skip
    assert summary.new_member_names == ["클로이", "bee", "choi", "sky"]
    assert_nothing_written()
    round_ = summary.save()
    assert round_.questions.count() == 13


@pytest.mark.django_db
def test_unreadable_path_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        run_import(tmp_path / "missing.md")


@pytest.mark.django_db
def test_load_demo_imports_the_sample_through_the_importer_once():
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "Loaded the demo round 1 from week-01.md." in out.getvalue()
    round_ = Round.objects.get()
    assert (round_.number, round_.state) == (1, Round.State.ANSWERING)
    assert set(Answer.objects.values_list("author__name", flat=True)) == {"sky"}
    assert {
        a.question.author.name: a.body for a in Answer.objects.select_related("question__author")
    } == SAMPLE_ANSWERS
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "The database already has rounds; the demo round was not loaded." in out.getvalue()
    assert Question.objects.count() == 13
