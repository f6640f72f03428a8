"""qa.roundfile.parse: one file's tokens into questions, answers and notes; no database."""

import pytest
from django.utils import translation

from qa.roundfile.parse import (
    HistoryError,
    comparable,
    name_key,
    normalize_text,
    parse_answer_file,
    parse_member_file,
    parse_question_file,
    split_label,
)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


UNDER_QUESTION = (
    "Answer text under a question in a question file; left out. Answers go in each member's "
    "own answer file."
)


def lists_of(parsed):
    return [
        (m.name, [(q.label, q.text, q.picked, q.line) for q in m.questions]) for m in parsed.lists
    ]


def notes_of(parsed):
    return [(n.line, n.message) for n in parsed.notes]


def test_member_lists_in_a_fence_and_in_lists_with_labels_and_picks():
    parsed = parse_question_file(
        "# 3주차 네트워크\n\n"
        "클로이\n```\n1. 로드 밸런싱이 필요한 이유\n👀\n2. blocking과 synchronous\n   그 차이\n```\n\n"
        "**bee**\n- Q1. L4와 L7의 차이 👀\n- Q2. TCP와 UDP\n\n"
        "## choi\n* 1) 프로세스\n* 질문 3. 스레드\n",
        "q.md",
    )
    assert parsed.title == "3주차 네트워크"
    assert lists_of(parsed) == [
        ("클로이", [("1.", "로드 밸런싱이 필요한 이유", False, 5),
                   ("2.", "blocking과 synchronous\n그 차이", True, 7)]),
        ("bee", [("Q1.", "L4와 L7의 차이", True, 12), ("Q2.", "TCP와 UDP", False, 13)]),
        ("choi", [("1)", "프로세스", False, 16), ("질문 3.", "스레드", False, 17)]),
    ]  # fmt: skip
    assert parsed.notes == []


def test_a_sub_list_and_a_quote_under_a_question_stay_part_of_it():
    parsed = parse_question_file(
        "## bee\n- Q1. 캐시 전략\n  - write-through\n  - write-back\n\n  > 면접 단골\n- Q2. 다음\n"
    )
    assert lists_of(parsed) == [
        ("bee", [
            ("Q1.", "캐시 전략\n- write-through\n- write-back\n\n> 면접 단골", False, 2),
            ("Q2.", "다음", False, 7),
        ])
    ]  # fmt: skip


def test_an_ordered_lists_own_number_is_the_label():
    parsed = parse_question_file("## bee\n1. 첫째\n2. 👀 둘째\n")
    assert lists_of(parsed) == [("bee", [("1.", "첫째", False, 2), ("2.", "둘째", True, 3)])]


def test_a_bold_code_caption_is_no_member_and_its_code_no_questions():
    parsed = parse_question_file(
        "## bee\n- Q1. 호이스팅이란?\n\n**<함수 선언문>**\n```js\nfunction add(a, b) {\n"
        "  return a + b;\n}\n```\n",
        "q.md",
    )
    assert lists_of(parsed) == [("bee", [("Q1.", "호이스팅이란?", False, 2)])]
    assert notes_of(parsed) == [
        (5, "A code block that is no list of questions; left out."),
        (4, UNDER_QUESTION),
    ]


def test_an_answer_sentence_before_a_code_fence_is_no_member():
    parsed = parse_question_file(
        "## bee\n- Q1. 클로저란?\n\n클로저는 다음과 같이 쓸 수 있다.\n```\nconst f = () => x;\n```\n"
    )
    assert [m.name for m in parsed.lists] == ["bee"]
    assert notes_of(parsed) == [
        (5, "A code block that is no list of questions; left out."),
        (4, UNDER_QUESTION),
    ]


def test_answer_paragraphs_in_a_question_file_are_named_as_such():
    parsed = parse_question_file(
        "## bee\n- Q1. 클로저란?\n\n클로저는 함수와 그 환경이다.\n외부 변수를 기억한다.\n\n## sky\n- 둘째\n"
    )
    assert lists_of(parsed) == [
        ("bee", [("Q1.", "클로저란?", False, 2)]),
        ("sky", [("", "둘째", False, 8)]),
    ]
    assert notes_of(parsed) == [(4, UNDER_QUESTION)]


def test_a_name_that_reads_like_a_sentence_is_a_warning_with_its_line():
    parsed = parse_question_file("오늘은 네트워크를 공부했습니다.\n- 질문 하나\n", "q.md")
    assert [m.name for m in parsed.lists] == ["오늘은 네트워크를 공부했습니다."]
    assert [str(n) for n in parsed.notes] == [
        "q.md, line 1: “오늘은 네트워크를 공부했습니다.” reads like a sentence, not a member name."
    ]


def test_a_list_with_no_name_above_it_is_the_groups():
    parsed = parse_question_file("# 1주차\n\n1. 프로세스와 스레드\n2. 교착 상태\n")
    assert lists_of(parsed) == [
        (None, [("1.", "프로세스와 스레드", False, 3), ("2.", "교착 상태", False, 4)])
    ]


def test_crlf_and_a_byte_order_mark_are_normalised():
    assert normalize_text("\ufeff# a\r\nb\rc".encode()) == "# a\nb\nc"


def test_labels_split_from_text():
    assert split_label("Q1. 무엇") == ("Q1.", "무엇")
    assert split_label("질문 3. 무엇") == ("질문 3.", "무엇")
    assert split_label("1) 무엇") == ("1)", "무엇")
    assert split_label("무엇 1.") == ("", "무엇 1.")


def test_answer_file_sections_keep_their_markdown_byte_for_byte():
    body = "답변 **하나**  \n\n```\n## not a section\n```\n\n### 소제목\n|a|b|\n|-|-|\n|1|2|"
    parsed = parse_answer_file(
        f"# 민준의 1주차 답변\n\n## Q1. L4와 L7의 차이\n{body}\n\n## [JS] 클로저\n둘\n\n"
        "#### *질문 2. 호이스팅*\n셋\n"
    )
    assert parsed.title == "민준의 1주차 답변"
    assert [(s.label, s.text, s.line, s.body) for s in parsed.sections] == [
        ("Q1.", "L4와 L7의 차이", 3, body),
        ("", "클로저", 15, "둘\n\n#### *질문 2. 호이스팅*\n셋"),
    ]


def test_a_deep_list_in_one_answer_never_swallows_the_next_question():
    # markdown-it's default limit (20 levels, a 10-deep list) dropped the rest of the file, and
    # the second question's section went into the first answer.
    deep = "\n".join("  " * depth + "- 단계" for depth in range(12))
    parsed = parse_answer_file(f"## Q1. 첫 질문\n{deep}\n\n## Q2. 둘째 질문\n답\n")
    assert [(s.label, s.body) for s in parsed.sections] == [("Q1.", deep), ("Q2.", "답")]


def test_a_list_nested_past_the_limit_is_refused_with_its_file_and_line():
    deep = "\n".join("  " * depth + "- x" for depth in range(200))
    with pytest.raises(HistoryError) as refused:
        parse_answer_file(f"## Q1. 질문\n{deep}\n", "bee.md")
    assert refused.value.path == "bee.md"
    assert "nested too deeply" in refused.value.message


def test_answer_file_with_only_deeper_headings_cuts_at_them():
    parsed = parse_answer_file("#### *질문 2. 호이스팅*\n셋\n#### *질문 3. 클로저*\n넷\n")
    assert [(s.label, s.text, s.body) for s in parsed.sections] == [
        ("질문 2.", "호이스팅", "셋"), ("질문 3.", "클로저", "넷"),
    ]  # fmt: skip


def test_member_file_topic_headings_group_questions_and_answers_follow_them():
    parsed = parse_member_file(
        "# 1주차\n## 네트워크\n- 프로세스와 스레드의 차이?\n프로세스는 자원 할당 단위다.\n"
        "- Q2. TCP?\n  연결 지향\n\n## 운영체제\n### 1. 교착 상태란?\n교착 상태는...\n\n```c\nint x;\n```\n"
        "### 2. 세마포어?\n세마포어는\n"
    )
    assert parsed.title == "1주차"
    assert [(q.label, q.text, body) for q, body in parsed.entries] == [
        ("", "프로세스와 스레드의 차이?", "프로세스는 자원 할당 단위다."),
        ("Q2.", "TCP?", "연결 지향"),
        ("1.", "교착 상태란?", "교착 상태는...\n\n```c\nint x;\n```"),
        ("2.", "세마포어?", "세마포어는"),
    ]
    assert parsed.notes == []


def test_names_compare_after_trimming_and_unicode_normalisation():
    decomposed = "\u1112\u1161\u1102\u1173\u11af"  # 하늘 in conjoining jamo (NFD)
    assert name_key(f"  {decomposed} ") == name_key("하늘")
    assert name_key("ｂｅｅ") == name_key("bee")
    assert comparable("**L4**와 `L7`의 차이?") == comparable("L4와 L7의 차이")


def test_a_question_heading_whose_answer_starts_with_a_list_is_no_topic():
    parsed = parse_member_file(
        "## 네트워크\n- TCP란?\n\n## 교착 상태의 조건은?\n- 상호 배제\n- 점유 대기\n"
        "### Q3. 세마포어\n1. P 연산\n2. V 연산\n"
    )
    assert [(q.label, q.text, body) for q, body in parsed.entries] == [
        ("", "TCP란?", ""),
        ("", "교착 상태의 조건은?", "- 상호 배제\n- 점유 대기\n### Q3. 세마포어\n1. P 연산\n2. V 연산"),
    ]


def test_an_answer_file_without_question_headings_is_said_to_be_left_out():
    parsed = parse_answer_file("그냥 쓴 답변입니다.\n", "bee.md")
    assert parsed.sections == []
    assert [str(n) for n in parsed.notes] == [
        "bee.md, line 1: No section of this file is headed by a question; it is left out."
    ]
