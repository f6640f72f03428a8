"""qa.roundfile.plan: a repository's tree into rounds, layouts told apart; no database."""

import pytest
from django.utils import translation

from qa.roundfile import HistoryError, plan_history, read_repository
from qa.roundfile.plan import member_of_file, week_of

from .trees import write_tree, zip_bytes


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    "name,week",
    [
        ("3주차", (3, None)), ("3회차", (3, None)), ("week3", (3, None)),
        ("week-03", (3, None)), ("W03", (3, None)), ("1주차_네트워크", (1, None)),
        ("0405", (None, ("", "04", "05"))), ("2024-04-05", (None, ("2024", "04", "05"))),
        ("images", None), ("README.md", None), ("notes.md", None), ("1345", None),
    ],
)  # fmt: skip
def test_week_names(name, week):
    assert week_of(name) == week


@pytest.mark.parametrize(
    "stem,name",
    [("LeeHeeJe_0405", "LeeHeeJe"), ("하늘_2주차", "하늘"), ("김강호", "김강호"),
     ("devyeeun", "devyeeun"), ("bee-week3", "bee"), ("민준_답변", "민준")],
)  # fmt: skip
def test_a_week_suffix_is_no_part_of_a_member_name(stem, name):
    assert member_of_file(stem) == name


def test_week_folders_read_questions_and_answers_by_text_label_or_number():
    plan = plan_history(
        {
            "README.md": b"# repo",
            "week-01/questions.md": "## bee\n- Q1. 캐시\n- Q2. 👀 프로세스\n## sky\n- 스레드 👀\n".encode(),
            "week-01/sky.md": "## Q2. 프로세스\n답 하나\n".encode(),
            "week-01/bee.md": "## 스레드\n답 둘\n## 없는 질문\n?\n".encode(),
        }
    )
    (round_,) = plan.rounds
    assert (round_.number, round_.uses_picks, round_.members) == (1, True, ["bee", "sky"])
    assert [(a.author, a.question.text, a.body) for a in round_.answers] == [
        ("bee", "스레드", "답 둘"), ("sky", "프로세스", "답 하나"),
    ]  # fmt: skip
    assert [str(n) for n in plan.warnings] == [
        "week-01/bee.md, line 3: “없는 질문” matches no question of this week; left out."
    ]
    assert [(n.path, n.message) for n in plan.skipped] == [("README.md", "the repository's README")]


def test_numbered_weeks_then_dated_weeks_in_date_order_with_first_round():
    files = {
        "2주차/질문.md": "## bee\n- 둘\n".encode(),
        "1주차/질문.md": "## bee\n- 하나\n".encode(),
        "0412/질문.md": "## bee\n- 넷\n".encode(),
        "0405/질문.md": "# 봄 특집\n## bee\n- 셋\n".encode(),
        "notes.md": b"hello",
    }
    plan = plan_history(files, first_round=10)
    assert [(r.number, r.title, r.source) for r in plan.rounds] == [
        (10, "", "1주차"), (11, "", "2주차"), (12, "봄 특집", "0405"), (13, "04-12", "0412"),
    ]  # fmt: skip
    assert [(n.path, n.message) for n in plan.skipped] == [
        ("notes.md", "not a week: its name has no week number or date")
    ]


def test_taken_round_numbers_are_refused_naming_the_week():
    with pytest.raises(HistoryError) as err:
        plan_history({"3주차/질문.md": "## bee\n- 하나\n".encode()}, taken_numbers=[3])
    assert str(err.value) == (
        "3주차: Round 3 already exists. Import with --first-round to put the history after "
        "the existing rounds."
    )


def test_nothing_that_reads_as_a_week_is_an_error():
    with pytest.raises(HistoryError, match="No weeks were found"):
        plan_history({"README.md": b"# x", "docs/guide.md": b"# y"})


def test_the_same_member_across_files_is_one_member():
    decomposed = "\u1112\u1161\u1102\u1173\u11af"  # 하늘, as macOS writes file names (NFD)
    plan = plan_history(
        {
            "1주차/질문.md": "## 하늘\n- 하나\n## bee\n- 둘\n".encode(),
            f"1주차/{decomposed}_1주차.md": "## 둘\n답\n".encode(),
            "2주차/질문.md": "##  BEE \n- 셋\n".encode(),
            "2주차/하늘.md": "## 셋\n답\n".encode(),
        },
        existing_members=["Bee"],
    )
    assert plan.members == ["하늘", "Bee"]
    assert plan.new_members == ["하늘"]
    assert [[(a.author, a.question.author) for a in r.answers] for r in plan.rounds] == [
        [("하늘", "Bee")], [("하늘", "Bee")],
    ]  # fmt: skip


def test_a_zip_wrapped_in_one_folder_reads_like_the_folder(tmp_path):
    files = {"1주차/질문.md": "## bee\n- 하나\n", "1주차/sky.md": "## 하나\n답\n"}
    archive = tmp_path / "repo.zip"
    archive.write_bytes(zip_bytes(files, wrapper="study-main/"))
    from_zip = plan_history(read_repository(archive))
    from_folder = plan_history(read_repository(write_tree(tmp_path / "repo", files)))
    for plan in (from_zip, from_folder):
        assert [(r.number, r.source, len(r.questions), len(r.answers)) for r in plan.rounds] == [
            (1, "1주차", 1, 1)
        ]


def test_a_zip_naming_a_path_outside_itself_is_refused(tmp_path):
    archive = tmp_path / "bad.zip"
    archive.write_bytes(zip_bytes({"../1주차/질문.md": "## bee\n- 하나\n"}))
    with pytest.raises(HistoryError, match="names a path outside itself"):
        read_repository(archive)


def test_headings_no_member_has_are_topics_and_the_questions_the_groups():
    plan = plan_history(
        {
            "1주차/README.md": "## 네트워크\n- TCP\n## 운영체제\n- 스레드\n".encode(),
            "1주차/sky.md": "## TCP\n답\n".encode(),
        }
    )
    (round_,) = plan.rounds
    assert [(q.author, q.text) for q in round_.questions] == [(None, "TCP"), (None, "스레드")]
    assert [str(n) for n in plan.warnings] == [
        (
            "1주차/README.md, line 1: No member has the names of these headings (네트워크, "
            "운영체제): they are read as topics, and the questions as the group's."
        )
    ]
