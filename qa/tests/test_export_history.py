"""export_history and the curators' .zip: the whole board as a repository that imports back
into an equal board."""

import io
import zipfile
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.utils import translation

from qa.models import Answer, Member, Pick, Question, Round, Upload

from .factories import MemberFactory, RoundFactory

pytestmark = pytest.mark.django_db

ODD_NAMES = ["2) Network", "- x", "1. x", "# x", "**x**"]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def board():
    """Everything a board shows that files carry, by round, comparable across databases."""
    rounds = []
    for round_ in Round.objects.order_by("number"):
        member_lists, _picked = round_.board()
        lists = [
            (
                author.name if author else None,
                [
                    (
                        q.label,
                        q.text,
                        sorted(p.picker_name for p in q.picks_on_board),
                        sorted((a.author.name, a.body) for a in q.answers_on_board),
                    )
                    for q in items
                ],
            )
            for author, items in member_lists
        ]
        rounds.append((round_.number, round_.title, round_.uses_picks, sorted(lists, key=str)))
    return rounds


def build_history(media):
    members = [MemberFactory(name=name) for name in [*ODD_NAMES, "클로이", "sky"]]
    upload = Upload.objects.create(
        file=ContentFile(_png(), name="0123456789abcdef0123456789abcdef.png"), size=10
    )
    first = RoundFactory(number=1, title="1주차 # 네트워크 **굵게**")
    for index, member in enumerate(members[:5]):
        Question.objects.create(
            round=first, author=member, position=1, label="Q1.", text=f"질문 {index}"
        )
        Question.objects.create(
            round=first, author=member, position=2, label="", text=f"라벨 없음 {index}"
        )
    coded = Question.objects.create(
        round=first, author=members[5], position=1, label="1.",
        text="```python\nprint('hi')\n```\n\n이 코드의 결과는?",
    )  # fmt: skip
    plain = Question.objects.create(
        round=first, author=members[5], position=2, label="2.", text="두 번째 질문\n  - 하위 목록"
    )
    coded.pick(None)
    coded.pick(members[0])
    plain.pick(members[6])
    coded.save_answer(
        members[6], f"코드 답\n\n```python\n## not a section\n```\n\n![그림]({upload.file.url})"
    )
    plain.save_answer(members[0], "# 제목이 있는 답\n\n본문  \n둘째 줄")
    plain.save_answer(members[4], "**x**의 답")
    second = RoundFactory(number=2, title="", uses_picks=False)
    RoundFactory(number=3, title="픽은 쓰지만 아직 없음", uses_picks=True)
    group = Question.objects.create(
        round=second, author=None, position=1, label="1.", text="공통 질문"
    )
    Question.objects.create(
        round=second, author=members[6], position=1, label="Q1.", text="sky의 질문"
    )
    group.save_answer(members[1], "공통 답")
    return upload


def _png():
    from .trees import png

    return png()


def test_export_then_import_into_an_empty_database_gives_an_equal_board(tmp_path, media):
    upload = build_history(media)
    before = board()
    out = tmp_path / "export"
    call_command("export_history", str(out), stdout=StringIO())
    week = (out / "week-01" / "questions.md").read_text()
    assert "## 2\\) Network\n" in week and "## \\- x\n" in week and "## \\*\\*x\\*\\*\n" in week
    assert "- 👀 1.\n  ```python\n  print('hi')\n  ```" in week
    assert '  <!-- studyboard-picks: [null, "2) Network"] -->' in week
    assert (out / "images" / upload.file.name.split("/")[-1]).read_bytes()[:4] == b"\x89PNG"
    sky = (out / "week-01" / "sky.md").read_text()
    assert "](../images/0123456789abcdef0123456789abcdef.png)" in sky
    for model in (Answer, Pick, Question, Round, Upload):
        model.objects.all().delete()
    Member.objects.all().delete()
    call_command("import_history", str(out), stdout=StringIO())
    after = board()
    # The image is copied again under a new name; everything else reads back exactly.
    [copied] = Upload.objects.all()
    assert after == [
        tuple(_renamed(part, upload.file.url, copied.file.url) for part in round_)
        for round_ in before
    ]
    assert sorted(Member.objects.values_list("name", flat=True)) == sorted(
        [*ODD_NAMES, "클로이", "sky"]
    )


def _renamed(value, old, new):
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, (list, tuple)):
        return type(value)(_renamed(v, old, new) for v in value)
    return value


def test_export_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "file").write_text("")
    with pytest.raises(CommandError, match="is not empty"):
        call_command("export_history", str(tmp_path / "x"))


def test_curators_download_the_board_as_a_zip(staff_client, client, media):
    build_history(media)
    response = staff_client.get("/admin/qa/round/export-history/")
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="studyboard.zip"'
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert "studyboard/week-01/questions.md" in names
    assert "studyboard/images/0123456789abcdef0123456789abcdef.png" in names
    assert client.get("/admin/qa/round/export-history/").status_code == 302  # to the login
