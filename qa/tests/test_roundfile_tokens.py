"""Round files (the sample's format) read on CommonMark tokens, without a database; names that
look like Markdown survive export and import."""

import pytest
from django.utils import translation

from qa.exporter import export_round
from qa.importer import plan_import
from qa.models import Answer, Member, Question, Round
from qa.roundfile.weekfile import (
    LABEL_MAX,
    MEMBER_NAME_MAX,
    TITLE_MAX,
    RoundFileError,
    parse_round,
    written_name,
    written_title,
)

from .factories import AnswerFactory, MemberFactory, QuestionFactory, RoundFactory

# Each reads as something else when written as it is: a list item, a heading, bold text.
MARKUP_NAMES = ["2) Network", "- x", "1. x", "# x", "**x**"]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


# The parser alone: no database.


@pytest.mark.parametrize(
    "name,written",
    [
        ("2) Network", "2\\) Network"),
        ("- x", "\\- x"),
        ("1. x", "1\\. x"),
        ("# x", "\\# x"),
        ("**x**", "\\*\\*x\\*\\*"),
        ("r1-m0", "r1-m0"),  # reads back as it is: written as it is
        ("클로이", "클로이"),
    ],
)
def test_a_name_is_escaped_only_when_it_would_read_as_markup(name, written):
    assert written_name(name) == written


def test_escaped_names_read_back_as_written_in_lists_sections_and_author_lines():
    text = (
        "# C\\# 기초\n\n"
        "2\\) Network\n```\n👀\n1. 첫 질문\n```\n\n"
        "\\*\\*x\\*\\*\n```\n1. 둘째 질문\n```\n\n"
        "---\n\n# ANSWER\n\n"
        "## 2\\) Network님의 질문\n\n첫 질문\n\n"
        "### ✍️ \\- x님의 답변\n\n답\n"
    )
    parsed = parse_round(text)
    assert parsed.title == "C# 기초"
    assert [(m.name, [q.text for q in m.questions]) for m in parsed.members] == [
        ("2) Network", ["첫 질문"]),
        ("**x**", ["둘째 질문"]),
    ]
    assert [(a.member, a.author, a.body) for a in parsed.answers] == [("2) Network", "- x", "답")]
    assert parsed.warnings == []


def test_unescaped_markup_names_are_still_read_as_before():
    # Hand-written files: a heading or bold line is a name, a list item is a question.
    parsed = parse_round("## sky\n```\n1. 질문\n```\n\n**bee**\n```\n1. 질문\n```\n")
    assert [m.name for m in parsed.members] == ["sky", "bee"]


@pytest.mark.parametrize("title", ["C# 기초", "# x", "주차 #", "**굵게**", "1주차 네트워크"])
def test_a_title_reads_back_as_written(title):
    text = f"# {written_title(title)}\n\nsky\n```\n1. 질문\n```\n"
    assert parse_round(text).title == title


# Export then import: the database.


@pytest.mark.django_db
def test_names_that_look_like_markup_survive_export_and_import():
    round_ = RoundFactory(number=1, title="# 제목")
    members = [MemberFactory(name=name) for name in MARKUP_NAMES]
    for i, member in enumerate(members):
        question = QuestionFactory(
            round=round_, author=member, position=1, label="1.", text=f"질문 {i}"
        )
        question.pick(None)
        # Answered by the next member: every name is an author line too.
        AnswerFactory(question=question, author=members[(i + 1) % len(members)], body=f"답 {i}")
    exported = export_round(round_)
    assert "\n2\\) Network\n```\n" in exported
    assert "\n## \\*\\*x\\*\\*님의 질문\n" in exported
    assert "\n### ✍️ 1\\. x님의 답변\n" in exported

    round_.delete()
    Member.objects.all().delete()  # the import must create every member from the file
    summary = plan_import(parse_round(exported, filename="week-02.md"))
    assert summary.parsed.warnings == []
    second = summary.save()
    assert second.title == "# 제목"
    assert list(
        Question.objects.filter(round=second)
        .order_by("author__name")
        .values_list("author__name", "text")
    ) == sorted((name, f"질문 {i}") for i, name in enumerate(MARKUP_NAMES))
    assert sorted(
        Answer.objects.filter(question__round=second).values_list(
            "question__author__name", "author__name", "body"
        )
    ) == sorted(
        (name, MARKUP_NAMES[(i + 1) % len(MARKUP_NAMES)], f"답 {i}")
        for i, name in enumerate(MARKUP_NAMES)
    )
    assert export_round(second) == exported


# What CommonMark says a line is decides the file's shape, not how the line looks.

QUESTIONS = "sky\n```\n👀\n1. 첫 질문\n2. 둘째 질문\n```\n\n---\n\n# ANSWER\n\n## sky님의 질문\n\n첫 질문\n\n"


def test_an_author_line_inside_a_list_item_is_part_of_the_answer():
    answer = "- 항목\n\n  ### ✍️ bee님의 답변\n\n  항목의 둘째 문단"
    parsed = parse_round(QUESTIONS + answer)
    assert [(a.author, a.body) for a in parsed.answers] == [(None, answer)]


def test_an_author_line_in_an_indented_code_block_is_part_of_the_answer():
    answer = "코드:\n\n    ### ✍️ bee님의 답변\n    ## sky님의 질문\n\n끝"
    parsed = parse_round(QUESTIONS + answer)
    assert [(a.author, a.body) for a in parsed.answers] == [(None, answer)]


def test_headings_in_tilde_fences_start_no_section_or_answer_part():
    text = (
        "sky\n~~~~\n👀\n1. 질문\n~~~~\n\n# ANSWER\n\n## sky님의 질문\n\n질문\n\n"
        "~~~\n# ANSWER\n## sky님의 질문\n### ✍️ bee님의 답변\n~~~\n"
    )
    parsed = parse_round(text)
    assert [(a.author, a.body) for a in parsed.answers] == [
        (None, "~~~\n# ANSWER\n## sky님의 질문\n### ✍️ bee님의 답변\n~~~")
    ]
    assert parsed.warnings == []


def test_a_script_left_open_in_an_answer_hides_no_later_section():
    text = (
        "sky\n```\n👀\n1. 질문\n```\n\nbee\n```\n👀\n1. 둘째\n```\n\n# ANSWER\n\n"
        "## sky님의 질문\n\n질문\n\n<script>alert(1)\n\n## bee님의 질문\n\n둘째\n\n답\n"
    )
    parsed = parse_round(text)
    assert [(a.member, a.body) for a in parsed.answers] == [
        ("sky", "<script>alert(1)"),
        ("bee", "답"),
    ]


def test_a_code_block_inside_a_question_item_stays_in_the_question():
    parsed = parse_round(
        "sky\n- 이 코드의 출력은?\n\n  ```python\n  print(1)\n  ```\n- 다음 질문\n"
    )
    assert [q.text for q in parsed.questions] == [
        "이 코드의 출력은?\n\n```python\nprint(1)\n```",
        "다음 질문",
    ]


def test_deeply_nested_lists_in_an_answer_are_read_to_the_end():
    nested = "".join("  " * i + "- x\n" for i in range(120)).rstrip("\n")
    parsed = parse_round(QUESTIONS + nested + "\n\n### ✍️ bee님의 답변\n\n끝\n")
    assert [(a.author, a.body) for a in parsed.answers] == [(None, nested), ("bee", "끝")]


def test_nesting_too_deep_to_read_is_refused_not_read_short():
    nested = "".join("  " * i + "- x\n" for i in range(200))
    with pytest.raises(RoundFileError) as refused:
        parse_round(QUESTIONS + nested + "\n### ✍️ bee님의 답변\n\n끝\n", filename="deep.md")
    assert refused.value.message == "Lists or quotes are nested too deeply here to be read."
    assert refused.value.line > QUESTIONS.count("\n")


def test_the_parsers_limits_are_the_models():
    assert (MEMBER_NAME_MAX, LABEL_MAX, TITLE_MAX) == (
        Member._meta.get_field("name").max_length,
        Question._meta.get_field("label").max_length,
        Round._meta.get_field("title").max_length,
    )
