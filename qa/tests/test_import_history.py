"""import_history: a group's whole repository (folder or .zip) in one transaction."""

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from qa.models import Answer, Member, Pick, Question, Round, Upload

from .test_import import assert_nothing_written
from .trees import png, write_tree, zip_bytes

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).parent / "import_samples"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def run(path, *args):
    out = StringIO()
    call_command("import_history", str(path), *args, stdout=out)
    return out.getvalue()


def questions_of(number):
    """[(member or None, label, text, picked)] of a round in board order."""
    member_lists, _picked = Round.objects.get(number=number).board()
    return [
        (author.name if author else None, q.label, q.text, bool(q.picks_on_board))
        for author, items in member_lists
        for q in items
    ]


def answers_of(number):
    """{(answerer, question text): body} of a round."""
    return {
        (a.author.name, a.question.text): a.body
        for a in Answer.objects.filter(round__number=number).select_related("author", "question")
    }


WEEK_FOLDERS = {
    "README.md": "# 우리 스터디\n",
    "1주차/질문.md": (
        "# 1주차 네트워크\n\n## 클로이\n- Q1. 로드 밸런싱이 필요한 이유\n"
        "- Q2. 👀 L4와 L7의 차이\n  - 하위 목록도 질문이다\n\n## bee\n1. TCP와 UDP\n2. HTTP/2의 특징 👀\n"
    ),
    # CRLF line ends and a byte-order mark, as Windows editors save them.
    "1주차/bee_1주차.md": "\ufeff## Q2. L4와 L7의 차이\r\n\r\nL4는 **전송** 계층  \r\nL7은 응용 계층\r\n".encode(),
    "1주차/클로이.md": (
        "# 클로이의 1주차 답변\n\n## 2. HTTP/2의 특징\n멀티플렉싱\n\n![구조](./images/h2.png)\n"
        "![없는 그림](./images/missing.png)\n"
    ),
    "1주차/images/h2.png": png(),
    "2024-04-05/questions.md": "## bee\n- 프로세스와 스레드\n- 교착 상태\n\n## 하늘\n- 가상 메모리\n",
    "2024-04-05/하늘_0405.md": "## 1. 프로세스와 스레드\n프로세스는 자원 할당의 단위\n",
    "2024-04-05/LeeHeeJe_0405.md": "## 가상 메모리\n페이지 단위\n",
}


def test_week_folders_with_labels_picks_crlf_bom_suffixes_a_date_and_images(tmp_path, media):
    output = run(write_tree(tmp_path / "repo", WEEK_FOLDERS), "--accept-warnings")
    assert "Imported 2 rounds: 7 questions, 2 picks, 4 answers, 1 images." in output
    assert [(r.number, r.title, r.uses_picks, r.state) for r in Round.objects.order_by("number")] == [
        (1, "1주차 네트워크", True, "closed"), (2, "2024-04-05", False, "closed"),
    ]  # fmt: skip
    assert questions_of(1) == [
        ("클로이", "Q1.", "로드 밸런싱이 필요한 이유", False),
        ("클로이", "Q2.", "L4와 L7의 차이\n- 하위 목록도 질문이다", True),
        ("bee", "1.", "TCP와 UDP", False),
        ("bee", "2.", "HTTP/2의 특징", True),
    ]
    [upload] = Upload.objects.all()
    answers = answers_of(1)
    assert answers == {
        ("bee", "L4와 L7의 차이\n- 하위 목록도 질문이다"): "L4는 **전송** 계층  \nL7은 응용 계층",
        ("클로이", "HTTP/2의 특징"): (
            f"멀티플렉싱\n\n![구조]({upload.file.url})\n![없는 그림](./images/missing.png)"
        ),
    }
    assert upload.file.url.startswith("/media/answers/") and upload.uploaded_by is None
    assert (media / upload.file.name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert questions_of(2) == [
        ("bee", "", "프로세스와 스레드", False),
        ("bee", "", "교착 상태", False),
        ("하늘", "", "가상 메모리", False),
    ]
    assert answers_of(2) == {
        ("하늘", "프로세스와 스레드"): "프로세스는 자원 할당의 단위",
        ("LeeHeeJe", "가상 메모리"): "페이지 단위",
    }
    assert sorted(Member.objects.values_list("name", flat=True)) == [
        "LeeHeeJe", "bee", "클로이", "하늘",
    ]  # fmt: skip
    assert (
        "Warning: 1주차/클로이.md, line 3: The image ./images/missing.png is not in the repository"
        in output
    )
    assert "Skipped README.md: the repository's README" in output


def test_warnings_refuse_the_import_unless_accepted_and_nothing_is_written(tmp_path, media):
    repo = write_tree(tmp_path / "repo", WEEK_FOLDERS)
    with pytest.raises(
        CommandError, match=r"The plan has 1 warnings \(above\); nothing was written"
    ):
        run(repo)
    assert_nothing_written()
    assert not media.exists()


def test_dry_run_writes_nothing(tmp_path, media):
    output = run(write_tree(tmp_path / "repo", WEEK_FOLDERS), "--dry-run")
    assert "Round 1 “1주차 네트워크” from 1주차: 4 questions, 2 picks, 2 answers" in output
    assert "Round 2 “2024-04-05” from 2024-04-05: 3 questions, 0 picks, 2 answers" in output
    assert "Dry run: nothing was written." in output
    assert_nothing_written()


def test_a_zip_as_github_downloads_it(tmp_path, media):
    archive = tmp_path / "study-main.zip"
    archive.write_bytes(zip_bytes(WEEK_FOLDERS, wrapper="study-main/"))
    run(archive, "--accept-warnings", "--first-round", "5")
    assert list(Round.objects.order_by("number").values_list("number", flat=True)) == [5, 6]
    assert (Question.objects.count(), Pick.objects.count(), Answer.objects.count()) == (7, 2, 4)


def test_a_refused_image_refuses_the_whole_import(tmp_path, media):
    files = {**WEEK_FOLDERS, "1주차/images/h2.png": b"<svg onload=alert(1)>"}
    with pytest.raises(CommandError) as err:
        run(write_tree(tmp_path / "repo", files), "--accept-warnings")
    assert str(err.value) == (
        "1주차/images/h2.png: Upload a PNG, JPEG, GIF or WebP image; this file is not one, "
        "or it is damaged."
    )
    assert_nothing_written()


def test_member_folders_with_topic_headings_and_lazy_answers(tmp_path, media):
    repo = write_tree(
        tmp_path / "repo",
        {
            "README.md": "# CS 스터디\n",
            "민준/1주차.md": (
                "# 민준의 1주차\n## 네트워크\n- 프로세스와 스레드의 차이?\n프로세스는 자원 할당의 단위다.\n"
                "- Q2. TCP의 특징\n  연결 지향\n## 운영체제\n### 1. 교착 상태란?\n서로 기다린다.\n\n"
                "```c\nlock(a); lock(b);\n```\n"
            ),
            "민준/2주차/정리.md": "## Q. 캐시란?\n빠른 저장소\n",
            "하늘/week1.md": "- 가상 메모리란?\n  페이지 단위로 나눈다.\n",
            "하늘/README.md": "# 하늘의 답변 모음\n",
        },
    )
    run(repo)
    assert questions_of(1) == [
        ("민준", "", "프로세스와 스레드의 차이?", False),
        ("민준", "Q2.", "TCP의 특징", False),
        ("민준", "1.", "교착 상태란?", False),
        ("하늘", "", "가상 메모리란?", False),
    ]
    assert answers_of(1) == {
        ("민준", "프로세스와 스레드의 차이?"): "프로세스는 자원 할당의 단위다.",
        ("민준", "TCP의 특징"): "연결 지향",
        ("민준", "교착 상태란?"): "서로 기다린다.\n\n```c\nlock(a); lock(b);\n```",
        ("하늘", "가상 메모리란?"): "페이지 단위로 나눈다.",
    }
    assert questions_of(2) == [("민준", "Q.", "캐시란?", False)]
    assert not Member.objects.filter(name__in=["네트워크", "운영체제"]).exists()
    assert Round.objects.get(number=1).uses_picks is False


def test_round_files_in_todays_format(tmp_path, media):
    repo = write_tree(
        tmp_path / "repo",
        {
            "README.md": "# repo\n",
            "week-01.md": (SAMPLES / "exported-week-01.md").read_bytes(),
            "3주차.md": (SAMPLES / "3주차.md").read_bytes(),
        },
    )
    output = run(repo, "--accept-warnings")
    assert [(r.number, r.uses_picks) for r in Round.objects.order_by("number")] == [
        (1, True), (3, True),
    ]  # fmt: skip
    assert Question.objects.filter(round__number=1).count() == 13
    assert Pick.objects.filter(round__number=1).count() == 4
    assert Answer.objects.filter(round__number=1).count() == 4
    assert re.search(r"Round 3 .* from 3주차\.md", output)


def test_wrong_imports_never_make_members(tmp_path, media):
    repo = write_tree(
        tmp_path / "repo",
        {
            "1주차/질문.md": (
                "## bee\n- Q1. 호이스팅이란?\n\n**<함수 선언문>**\n```js\nfunction add(a, b) {\n"
                "  return a + b;\n}\n```\n\n클로저는 다음과 같이 쓸 수 있다.\n```\nconst f = () => x;\n```\n"
            ),
            "1주차/sky.md": "## 호이스팅이란?\n선언이 끌어올려진다.\n",
            "2주차/README.md": "## 네트워크\n- TCP와 UDP\n## 운영체제\n- 스레드\n",
            "2주차/sky.md": "## TCP와 UDP\n답\n",
        },
    )
    output = run(repo, "--dry-run")
    assert (
        "1주차/질문.md, line 4: Answer text under a question in a question file; left out."
        in output
    )
    assert "1주차/질문.md, line 11: This text belongs to no member or question; left out." in output
    with pytest.raises(CommandError, match="The plan has 5 warnings"):
        run(repo)
    assert_nothing_written()
    run(repo, "--accept-warnings")
    assert sorted(Member.objects.values_list("name", flat=True)) == ["bee", "sky"]
    assert questions_of(1) == [("bee", "Q1.", "호이스팅이란?", False)]
    # Topic headings over the lists: the questions are the group's, under no member.
    assert questions_of(2) == [(None, "", "TCP와 UDP", False), (None, "", "스레드", False)]
    assert answers_of(2) == {("sky", "TCP와 UDP"): "답"}


def test_a_common_question_list_is_the_groups_and_its_board_shows_the_answers(
    tmp_path, media, client
):
    repo = write_tree(
        tmp_path / "repo",
        {
            "week-01/README.md": "# 1주차 공통 질문\n\n1. 프로세스와 스레드의 차이\n2. 교착 상태의 조건\n",
            "week-01/devyeeun.md": "## 1. 프로세스와 스레드의 차이\n스레드는 자원을 공유한다.\n",
            "week-01/김강호.md": "## 2. 교착 상태의 조건\n상호 배제, 점유 대기\n",
        },
    )
    output = run(repo)
    assert "Imported 1 rounds: 2 questions, 0 picks, 2 answers, 0 images." in output
    round_ = Round.objects.get()
    assert (round_.title, round_.uses_picks) == ("1주차 공통 질문", False)
    assert questions_of(1) == [
        (None, "1.", "프로세스와 스레드의 차이", False), (None, "2.", "교착 상태의 조건", False),
    ]  # fmt: skip
    assert answers_of(1) == {
        ("devyeeun", "프로세스와 스레드의 차이"): "스레드는 자원을 공유한다.",
        ("김강호", "교착 상태의 조건"): "상호 배제, 점유 대기",
    }
    html = client.get("/rounds/1/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<h3 class="member-list__name">The group\'s questions</h3>' in html
    assert html.count('class="picked-question"') == 2
    assert "<p>스레드는 자원을 공유한다.</p>" in html and "<p>상호 배제, 점유 대기</p>" in html


def test_an_existing_round_number_is_refused(tmp_path, media):
    Round.objects.create(number=1)
    with pytest.raises(CommandError, match="1주차: Round 1 already exists"):
        run(write_tree(tmp_path / "repo", WEEK_FOLDERS), "--accept-warnings")
    assert Round.objects.count() == 1


def test_a_path_that_is_neither_folder_nor_zip(tmp_path):
    with pytest.raises(CommandError, match="is neither a folder nor a .zip file"):
        run(tmp_path / "nothing")


def test_a_round_file_never_makes_members_of_a_code_caption_or_a_sentence(tmp_path, media):
    repo = write_tree(
        tmp_path / "repo",
        {
            "week-02.md": (
                "bee\n```\n1. 호이스팅이란?\n👀\n2. 클로저란?\n```\n\n"
                "**<함수 선언문>**\n```\nfunction add(a, b) {\n  return a + b;\n}\n```\n\n"
                "설명은 다음과 같다.\n```\nconst f = () => x;\n```\n"
            ),
        },
    )
    output = run(repo, "--dry-run")
    assert (
        "week-02.md, line 8: “<함수 선언문>” is not read as a member: what follows it is no list "
        "of questions; left out with it."
    ) in output
    assert "week-02.md, line 15: “설명은 다음과 같다.” is not read as a member" in output
    run(repo, "--accept-warnings")
    assert list(Member.objects.values_list("name", flat=True)) == ["bee"]
    assert questions_of(2) == [
        ("bee", "1.", "호이스팅이란?", False),
        ("bee", "2.", "클로저란?", True),
    ]
