"""The admin's repository import: a .zip → a preview of every round with its warnings →
confirm (with the warnings accepted) → one transaction."""

import os
import re
import tempfile
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from qa.models import Answer, Member, Question, Round

from .test_import import assert_nothing_written
from .trees import zip_bytes

pytestmark = pytest.mark.django_db

URL = "/admin/qa/round/import-history/"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
REPO = {
    "README.md": "# 스터디\n",
    "1주차/질문.md": "## bee\n- Q1. 👀 캐시\n- Q2. 프로세스\n## sky\n- 스레드\n",
    "1주차/sky.md": "## 캐시\n빠르다\n",
    "1주차/bee.md": "## 스레드\n가볍다\n## 없는 질문\n?\n",
    "2주차/질문.md": "## bee\n- 교착 상태\n",
    "2주차/sky.md": "## 교착 상태\n서로 기다린다\n",
}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def own_temporary_folder(tmp_path, monkeypatch):
    """Archives between preview and confirm go to this test's folder."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))


def archive(files=REPO):
    return SimpleUploadedFile("study-main.zip", zip_bytes(files, "study-main/"), "application/zip")


def payload_of(response):
    return unescape(re.search(r'name="payload" value="([^"]+)"', response.content.decode())[1])


def test_the_changelist_links_import_and_export(staff_client):
    html = staff_client.get("/admin/qa/round/", **EN).content.decode()
    assert f'<a href="{URL}" class="addlink">Import a repository (.zip)</a>' in html
    assert '<a href="/admin/qa/round/export-history/">Export all (.zip)</a>' in html


def test_preview_lists_every_round_and_warning_and_writes_nothing(staff_client, media):
    response = staff_client.post(URL, {"archive": archive(), "first_round": ""}, **EN)
    assert response.templates[0].name == "admin/qa/round/history_preview.html"
    html = unescape(response.content.decode())
    assert "Importing the repository will create 2 rounds:" in html
    assert "4 questions, 1 picks, 2 answers, 0 images; 2 members (2 new)." in html
    assert (
        "<li>1주차/bee.md, line 3: “없는 질문” matches no question of this week; left out.</li>"
        in html
    )
    assert (
        "<li>1주차/bee.md, line 1: This week has 👀 picks and this answer's question has none; "
        "left out.</li>"
    ) in html
    assert (
        "<td>2</td><td>Round 2</td><td>2주차</td><td>1</td><td>no picks</td><td>1</td><td>bee, sky</td>"
        in html
    )
    assert "README.md: the repository's README" in html
    assert_nothing_written()


def test_confirming_needs_the_warnings_accepted_then_imports_everything(staff_client, media):
    preview = staff_client.post(URL, {"archive": archive(), "first_round": "3"}, **EN)
    payload = payload_of(preview)
    refused = staff_client.post(URL, {"payload": payload}, **EN)
    assert "The plan has warnings: read them, then tick the box to import anyway." in unescape(
        refused.content.decode()
    )
    assert_nothing_written()
    response = staff_client.post(URL, {"payload": payload, "accept_warnings": "on"}, **EN)
    assert response.status_code == 302 and response["Location"] == "/admin/qa/round/"
    assert [(r.number, r.uses_picks) for r in Round.objects.order_by("number")] == [
        (3, True),
        (4, False),
    ]
    assert (Member.objects.count(), Question.objects.count(), Answer.objects.count()) == (2, 4, 2)
    # The archive is gone once imported: the same payload cannot import twice.
    again = staff_client.post(URL, {"payload": payload, "accept_warnings": "on"}, **EN)
    assert "This preview has already been imported or has expired." in unescape(
        again.content.decode()
    )
    assert Round.objects.count() == 2


def test_a_tampered_payload_is_refused(staff_client, media):
    preview = staff_client.post(URL, {"archive": archive(), "first_round": ""}, **EN)
    response = staff_client.post(URL, {"payload": payload_of(preview) + "x"}, **EN)
    assert "This preview was changed after it was made." in unescape(response.content.decode())
    assert_nothing_written()


def test_an_archive_that_cannot_be_read_names_the_problem(staff_client, media):
    bad = SimpleUploadedFile("x.zip", b"not a zip", "application/zip")
    response = staff_client.post(URL, {"archive": bad, "first_round": ""}, **EN)
    page = unescape(response.content.decode())
    assert "This is not a .zip file, or it is damaged." in page
    # The weekly file's form, saying what a repository needs.
    assert "The repository cannot be imported as it is." in page
    assert "The file cannot be imported as it is." not in page
    assert "GitHub's “Download ZIP”" in page
    response = staff_client.post(
        URL, {"archive": archive({"notes.md": "# x"}), "first_round": ""}, **EN
    )
    assert "No weeks were found" in unescape(response.content.decode())
    assert_nothing_written()


def test_members_without_the_add_permission_are_refused(client, django_user_model):
    user = django_user_model.objects.create_user("viewer", password=None, is_staff=True)
    client.force_login(user)
    assert client.get(URL).status_code == 403
    assert client.get("/admin/qa/round/export-history/").status_code == 403


def test_archives_of_previews_never_confirmed_are_removed_after_the_payload_expires(
    staff_client, media
):
    from qa import admin_import

    staff_client.post(URL, {"archive": archive(), "first_round": ""})
    [first] = admin_import._archive_folder().glob("*.zip")
    old = first.stat().st_mtime - admin_import.PAYLOAD_MAX_AGE - 1
    os.utime(first, (old, old))
    staff_client.post(URL, {"archive": archive(), "first_round": ""})
    assert first not in list(admin_import._archive_folder().glob("*.zip"))
