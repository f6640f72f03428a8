from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from qa.exporter import export_round
from qa.importer import normalize_markdown, parse_round, plan_import
from qa.models import Answer, Question, Round

from .conftest import build_round
from .factories import AnswerFactory, MemberFactory, QuestionFactory, RoundFactory

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).parent / "import_samples"
DEMO = Path(__file__).resolve().parents[1] / "demo" / "week-01.md"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def import_text(text, number, **options):
    return plan_import(parse_round(text, filename="export.md"), number=number, **options).save()


def contents(round_):
    """Members, questions with labels and picks, answers; what a round trip must keep."""
    member_lists, picked = round_.board()
    return (
        [
            (
                author.name,
                [(q.position, q.label, q.text, bool(q.picks_on_board)) for q in questions],
            )
            for author, questions in member_lists
        ],
        [
            (q.author.name, q.label, a.author.name, normalize_markdown(a.body))
            for q in picked
            for a in q.answers_on_board
        ],
    )


def test_sample_exports_in_the_sample_format():
    round_ = import_text(DEMO.read_bytes(), 1, answerer="sky")
    text = export_round(round_)
    assert text == (SAMPLES / "exported-week-01.md").read_text(encoding="utf-8")
    assert text.startswith(
        "클로이\n```\n1. 로드 밸런싱이 필요한 이유에 대해서 설명하시오\n👀\n2. blocking"
    )
    assert "\n\nbee\n```\n👀\n1. L4 Load Balancing과 L7 Load Balancing의 차이\n" in text
    assert "\n👀\nQ4. OSI 7계층에서" in text
    assert "\n```\n\n---\n\n# ANSWER\n\n## 클로이님의 질문\n\n" in text
    assert [line for line in text.splitlines() if line.startswith("## ")] == [
        "## 클로이님의 질문", "## bee님의 질문", "## choi님의 질문", "## sky님의 질문",
    ]  # fmt: skip
    assert text.count("\n### ✍️ sky님의 답변\n") == 4
    assert text.endswith("전송 순서를 제어하거나 흐름제어등을 수행하는곳\n")


def test_sample_round_trip_gives_the_same_file_and_the_same_round():
    first = import_text(DEMO.read_bytes(), 1, answerer="sky")
    exported = export_round(first)
    second = import_text(exported, 2)  # the author lines stand in for --answerer
    assert export_round(second) == exported
    assert contents(second) == contents(first)
    bodies = Answer.objects.order_by("question__author__name").values_list("body", flat=True)
    assert list(bodies.filter(question__round=second)) == list(bodies.filter(question__round=first))


def test_round_trip_keeps_titles_multi_line_questions_and_several_answers():
    round_ = build_round(members=3, questions_each=3, number=1)
    round_.title = "1주차 네트워크"
    round_.save()
    picked = round_.questions.get(author__name="r1-m0", position=2)
    picked.text = "첫 줄\n  들여쓴 둘째 줄\n\n셋째 문단 ```code```"
    picked.save()
    AnswerFactory(question=picked, author=MemberFactory(name="guest"), body="- 목록\n\n    코드\n")
    QuestionFactory(round=round_, author=picked.author, position=4, label="", text="라벨 없는 질문")
    exported = export_round(round_)
    assert exported.startswith("# 1주차 네트워크\n\nr1-m0\n```\n1. ")
    assert "👀\n2. 첫 줄\n      들여쓴 둘째 줄\n\n    셋째 문단 ```code```\n3. " in exported
    second = import_text(exported, 2)
    assert second.title == "1주차 네트워크"
    # A question without a label is numbered as on the board, and comes back with it.
    assert "```\n1. 로드" in exported and "\n4. 라벨 없는 질문\n" in exported
    Question.objects.filter(round=round_, label="").update(label="4.")
    assert contents(second) == contents(round_)
    assert export_round(second) == exported


@pytest.mark.parametrize(
    "text",
    [
        "이 코드의 출력은?\n\n```python\nprint(1)\n```",
        "첫 문단\n\n# 제목 같은 줄\n\n끝",
        "첫 문단\n\n## bee님의 질문",
        "```\n코드로 시작하는 질문\n```",
    ],
)
def test_questions_with_code_or_headings_import_back_without_warnings(text):
    # A code block restated under "님의 질문" was read back as an answer without an author,
    # and the import refused the whole file.
    round_ = RoundFactory(number=1, title="")
    question = QuestionFactory(
        round=round_, author=MemberFactory(name="sky"), position=1, label="1.", text=text
    )
    question.pick(None)
    AnswerFactory(question=question, author=MemberFactory(name="bee"), body="답변")
    exported = export_round(round_)
    parsed = parse_round(exported)
    assert parsed.warnings == []
    assert [(a.author, a.body) for a in parsed.answers] == [("bee", "답변")]
    second = import_text(exported, 2)
    assert contents(second) == contents(round_)
    assert export_round(second) == exported


def test_picks_are_exported_once_whoever_picked():
    round_ = RoundFactory(number=3, title="")
    question = QuestionFactory(round=round_, label="Q1.", text="질문")
    question.pick(None)
    question.pick(MemberFactory(name="picker"))
    assert export_round(round_) == (
        f"{question.author.name}\n```\n👀\nQ1. 질문\n```\n\n---\n\n# ANSWER\n\n"
        f"## {question.author.name}님의 질문\n\n질문\n"
    )


def test_empty_round_exports_just_the_answer_heading():
    assert export_round(RoundFactory(title="빈 주")) == "# 빈 주\n\n---\n\n# ANSWER\n"


def test_export_view_downloads_markdown(client):
    round_ = import_text(DEMO.read_bytes(), 1, answerer="sky")
    response = client.get("/rounds/1/export.md")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="week-01.md"'
    assert response.content.decode("utf-8") == export_round(round_)


def test_round_page_links_to_its_export(client):
    RoundFactory(number=2)
    html = client.get("/rounds/2/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<a href="/rounds/2/export.md" download>Export .md</a>' in html


def test_drafts_export_only_for_curators(client, staff_client):
    RoundFactory(number=5, state=Round.State.DRAFT)
    assert client.get("/rounds/5/export.md").status_code == 404
    assert staff_client.get("/rounds/5/export.md").status_code == 200
    assert client.get("/rounds/6/export.md").status_code == 404
    assert client.post("/rounds/5/export.md").status_code == 405


def test_export_command_writes_stdout_a_file_and_every_round(tmp_path):
    first = import_text(DEMO.read_bytes(), 1, answerer="sky")
    second = import_text((SAMPLES / "week-06-start-marker.md").read_bytes(), 12)
    out = StringIO()
    call_command("export_round", "1", stdout=out)
    assert out.getvalue() == export_round(first)

    target = tmp_path / "one.md"
    call_command("export_round", "1", "-o", str(target), stdout=StringIO())
    assert target.read_bytes() == export_round(first).encode("utf-8")
    assert b"\r" not in target.read_bytes()

    out = StringIO()
    call_command("export_round", "--all", str(tmp_path / "all"), stdout=out)
    assert out.getvalue().strip() == f"Wrote 2 rounds to {tmp_path / 'all'}."
    assert sorted(p.name for p in (tmp_path / "all").iterdir()) == ["week-01.md", "week-12.md"]
    assert (tmp_path / "all" / "week-12.md").read_text(encoding="utf-8") == export_round(second)


def test_exported_file_imports_back_with_the_command(tmp_path):
    import_text(DEMO.read_bytes(), 1, answerer="sky")
    target = tmp_path / "week-01.md"
    call_command("export_round", "1", "-o", str(target), stdout=StringIO())
    call_command("import_round", str(target), "--round", "2", stdout=StringIO())
    call_command("export_round", "2", "-o", str(tmp_path / "again.md"), stdout=StringIO())
    assert (tmp_path / "again.md").read_bytes() == target.read_bytes()


@pytest.mark.parametrize(
    "args,message",
    [
        ([], "Give a round number, or --all DIR for every round."),
        (["9"], "There is no round 9."),
        (["1", "--all", "out"], "Give either a round number or --all DIR, not both."),
    ],
)
def test_export_command_errors(args, message):
    with pytest.raises(CommandError) as caught:
        call_command("export_round", *args, stdout=StringIO())
    assert str(caught.value) == message
