"""The README's backup and restore, line by line: a filled database is backed up, emptied
and restored, and shows the same boards, pages, history, search results and exports."""

import re
import shlex
import shutil
import subprocess
from datetime import datetime
from io import StringIO

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command
from django.test import Client

from qa.exporter import export_filename, export_round
from qa.models import Answer, Member, Pick, Question, Revision, Round, SearchEntry, Upload

from .conftest import build_round
from .factories import AnswerFactory, UserFactory

PASSWORD = "correct horse battery staple"
IMAGE = "0123456789abcdef0123456789abcdef.png"
# A time in a page's markup (<time datetime>, the feeds' <updated>), with its fraction of a
# second, which isoformat() leaves out when it is 0.
TIME = re.compile(r"(T\d\d:\d\d:\d\d)(?:\.(\d+))?")
MODELS = (Member, Round, Question, Pick, Answer, Revision, SearchEntry, Upload)


def documented_steps(heading="### Backups"):
    """The shell blocks of the README's section: the backup's lines, then the restore's."""
    readme = (settings.BASE_DIR / "README.md").read_text(encoding="utf-8")
    section = readme.split(heading, 1)[1].split("\n### ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.S)
    assert len(blocks) == 2, "the README's backups section has a backup and a restore block"
    blocks = [block.replace("\\\n", " ") for block in blocks]  # continued lines
    return [[line for line in block.splitlines() if line.strip()] for block in blocks]


def run(lines, folder):
    """Each line as the README gives it: manage.py through call_command, the rest in a shell."""
    for line in lines:
        words = shlex.split(line, comments=True)
        if words[:2] == [".venv/bin/python", "manage.py"]:
            call_command(*words[2:], stdout=StringIO())
        else:
            subprocess.run(line, shell=True, cwd=folder, check=True)


def fill(media):
    """Rounds in every state, accounts with passwords, an answer with earlier versions, the
    curators' pick, code, an uploaded image."""
    closed = build_round(members=3, questions_each=3, number=1, state=Round.State.CLOSED)
    current = build_round(members=4, questions_each=3, number=2)
    build_round(members=2, questions_each=2, number=3, state=Round.State.DRAFT)
    curator = UserFactory(username="curator", password=PASSWORD, is_staff=True)
    bee = UserFactory(username="bee", password=PASSWORD)
    Member.objects.filter(name="r2-m0").update(user=bee)
    Member.objects.create(name="큐레이터", user=curator)
    answer = Answer.objects.filter(round=current).order_by("pk").first()
    for editor, body in ((bee, "## 고친 답변\n\nL4는 **전송** 계층"), (curator, "세 번째 글")):
        answer.body, answer.edited_by = body, editor
        answer.save()
    unpicked = current.questions.filter(picks__isnull=True).order_by("pk")
    unpicked[0].pick(None)
    code = closed.questions.order_by("pk").first()
    code.text = "캐시 일관성은?\n\n```python\ndef get(key):\n    return cache[key]\n```"
    code.save()
    # Under a millisecond past the second: the dump keeps .000, and pages then show none.
    Question.objects.filter(pk=code.pk).update(created=code.created.replace(microsecond=500))
    (media / "answers").mkdir(parents=True)
    (media / "answers" / IMAGE).write_bytes(b"\x89PNG\r\n\x1a\nimage")
    Upload.objects.create(file=f"answers/{IMAGE}", size=13, uploaded_by=bee)
    AnswerFactory(
        question=unpicked[0],
        author=Member.objects.get(name="r2-m1"),
        body=f"그림으로 보면\n\n![](/media/answers/{IMAGE})",
    )
    return answer


def pages(answer):
    """What readers see: visitors' pages, and a curator's (drafts, an answer's history)."""
    for cache in caches.all():
        cache.clear()
    visitor, curator = Client(), Client()
    curator.force_login(Member.objects.get(name="큐레이터").user)
    visible = Round.objects.visible()
    numbers = visible.values_list("number", flat=True)
    urls = ["/", "/rounds/", "/feed/", "/rounds/feed/"]
    urls += [f"/rounds/{n}/" for n in numbers] + [f"/rounds/{n}/export.md" for n in numbers]
    questions = Question.objects.visible_in(visible).values_list("pk", flat=True)
    urls += [f"/questions/{pk}/" for pk in questions]
    urls += [f"/members/{name}/" for name in Member.objects.values_list("name", flat=True)]
    urls += [f"/search/?q={q}" for q in ("로드밸런싱", "L4", "전송 계층", "cache", "답변")]
    seen = {url: visitor.get(url) for url in urls}
    history = f"/answers/{answer.pk}/history/"
    for url in ("/rounds/3/", history, f"{history}?a=1&b=3"):
        seen[f"curator {url}"] = curator.get(url)
    shown = {}
    for url, response in seen.items():
        assert response.status_code == 200, url
        text = response.content.decode()
        if "<main" in text:
            text = text[text.index("<main") : text.index("</main>")]
        text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
        shown[url] = TIME.sub(to_milliseconds, text)
    return shown


def stored():
    """Every row of StudyBoard's models, as its fields' values, in primary key order."""
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in MODELS}


def in_json(value):
    """A value as a JSON dump keeps it: times to the millisecond (ECMA-262's format)."""
    if isinstance(value, datetime):
        return value.replace(microsecond=value.microsecond // 1000 * 1000)
    return value


def to_milliseconds(match):
    """A time in markup as in_json() keeps it."""
    return f"{match[1]}.{((match[2] or '') + '000')[:3]}"


def differences(rows, again):
    """(model, id, field) of each value `again` does not keep, and models whose rows differ."""
    found = [name for name in rows if len(rows[name]) != len(again[name])]
    for name in rows:
        for row, other in zip(rows[name], again[name]):
            found += [
                (name, row["id"], field)
                for field, value in row.items()
                if other.get(field) != in_json(value)
            ]
    return found


@pytest.mark.django_db(transaction=True)
def test_a_restore_into_an_empty_database_gives_the_same_boards(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = media = tmp_path / "media"
    monkeypatch.chdir(tmp_path)  # the README's relative paths: backup/, media/
    answer = fill(media)
    before, rows = pages(answer), stored()
    assert "캐시 일관성은?" in before["/rounds/1/"] and "세 번째 글" in before["/rounds/2/"]
    assert "고친 답변" in before[f"curator /answers/{answer.pk}/history/?a=1&b=3"]
    assert "r1-m0" in before["/search/?q=로드밸런싱"] and "전송" in before["/search/?q=전송 계층"]

    backup, restore = documented_steps()
    run(backup, tmp_path)
    call_command("flush", "--no-input")  # an empty database, as a new server has
    shutil.rmtree(media)  # and no images yet
    assert not Question.objects.exists() and not Member.objects.exists()
    run(restore, tmp_path)

    assert not differences(rows, stored())  # search entries too: same ids, so the same order
    after = pages(answer)
    for url, page in before.items():
        assert after[url] == page, url
    for round_ in Round.objects.all():
        written = tmp_path / "backup" / "rounds" / export_filename(round_)
        assert written.read_text(encoding="utf-8") == export_round(round_)
    assert (media / "answers" / IMAGE).read_bytes() == b"\x89PNG\r\n\x1a\nimage"
    assert Client().login(username="bee", password=PASSWORD)  # sessions are not kept
    call_command("rebuild_derived", "--check", stdout=StringIO())

    # The database carries on: new rows get new ids, search finds them.
    question = Round.objects.get(number=2).add_question(
        Member.objects.get(name="r2-m2"), "복원 뒤의 새 질문"
    )
    assert question.pk > max(row["id"] for row in rows["Question"])
    assert "<mark>복원</mark> 뒤의 새 질문" in Client().get("/search/?q=복원").content.decode()
