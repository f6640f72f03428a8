import re
from html import unescape
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.contrib.staticfiles import finders
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.templatetags.static import static

from qa.admin_import import PAYLOAD_SALT
from qa.models import Answer, Member, Pick, Question, Round

from .test_import import SAMPLE_ANSWERS, assert_nothing_written, qa_tables

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).parent / "import_samples"
DEMO = Path(__file__).resolve().parents[1] / "demo" / "week-01.md"
URL = "/admin/qa/round/import/"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def upload(path, name=None):
    return SimpleUploadedFile(name or path.name, path.read_bytes(), content_type="text/markdown")


def options(**changes):
    return {"number": "", "title": "", "answerer": "", "picker": "", "marker": "👀",
            "state": "closed", **changes}  # fmt: skip


def payload_of(response):
    html = response.content.decode()
    return unescape(re.search(r'name="payload" value="([^"]+)"', html)[1])


def test_changelist_has_an_import_button(staff_client):
    html = staff_client.get("/admin/qa/round/", **EN).content.decode()
    assert f'<a href="{URL}" class="addlink">Import .md</a>' in html


def test_upload_shows_a_preview_and_writes_nothing(staff_client):
    response = staff_client.post(URL, {"file": upload(DEMO), **options(answerer="sky")}, **EN)
    assert response.status_code == 200
    assert response.templates[0].name == "admin/qa/round/import_preview.html"
    summary = response.context["summary"]
    assert (summary.number, summary.question_count, summary.pick_count, len(summary.answers)) == (
        1, 13, 4, 4,
    )  # fmt: skip
    html = response.content.decode()
    assert "Nothing has been written yet." in html
    assert "<td>Q4.</td><td>OSI 7계층에서" in html
    assert "클로이 (new member) · 3 questions" in html
    assert qa_tables()["Round"] == [] and Member.objects.count() == 0


def test_preview_shows_member_names_as_written(staff_client):
    # Django's admin stylesheet sets `.module caption { text-transform: uppercase }`, which drew
    # the names in the member captions as BEE, CHOI, SKY; the preview's own stylesheet undoes
    # it for the captions inside .import-preview (the browser check is in test_browser_admin).
    html = staff_client.post(URL, {"file": upload(DEMO), **options(answerer="sky")}).content
    html = html.decode()
    captions = re.findall(r"<caption>([^<]*?) \(", html)
    assert captions == ["클로이", "bee", "choi", "sky"]
    assert '<div id="content-main" class="import-preview">' in html
    assert f'href="{static("qa/css/admin.css")}"' in html
    stylesheet = Path(finders.find("qa/css/admin.css")).read_text()
    assert re.search(r"\.import-preview caption \{[^}]*text-transform: none", stylesheet)


def test_confirming_the_preview_imports_the_round(staff_client):
    preview = staff_client.post(
        URL, {"file": upload(DEMO), **options(answerer="sky", state="answering")}
    )
    response = staff_client.post(URL, {"payload": payload_of(preview)}, **EN)
    round_ = Round.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/qa/round/{round_.pk}/change/"
    assert (round_.number, round_.state) == (1, "answering")
    assert (Member.objects.count(), Question.objects.count()) == (4, 13)
    assert (Pick.objects.count(), Answer.objects.count()) == (4, 4)
    assert {
        a.question.author.name: a.body for a in Answer.objects.select_related("question__author")
    } == SAMPLE_ANSWERS
    page = staff_client.get(response["Location"], **EN).content.decode()
    assert "Imported Round 1: 13 questions, 4 picks, 4 answers." in page


@pytest.mark.parametrize(
    "name,extra,message",
    [
        ("latin1.md", {}, "latin1.md, line 3: This file is not UTF-8 text (byte 0xe9)."),
        ("binary.md", {}, "binary.md, line 3: This is a binary file, not a Markdown text file."),
        ("no-members.md", {}, "no-members.md, line 1: No member with questions was found."),
        (
            "unpicked-section.md",
            {"answerer": "sky"},
            "unpicked-section.md, line 21: “bee님의 질문”",
        ),
        (
            "week-01.md",
            {},
            "week-01.md, line 43: This file has answers but does not say who wrote them.",
        ),
    ],
)
def test_errors_are_shown_on_the_form_with_file_and_line(staff_client, name, extra, message):
    path = DEMO if name == "week-01.md" else SAMPLES / name
    response = staff_client.post(URL, {"file": upload(path), **options(**extra)}, **EN)
    assert response.status_code == 200
    assert response.templates[0].name == "admin/qa/round/import_form.html"
    assert message in unescape(response.content.decode())
    assert_nothing_written()


def test_an_existing_round_is_refused_unless_replace_is_ticked(staff_client):
    staff_client.post(URL, {"payload": payload_of(
        staff_client.post(URL, {"file": upload(DEMO), **options(answerer="sky")})
    )})  # fmt: skip
    before = qa_tables()
    refused = staff_client.post(URL, {"file": upload(DEMO), **options(answerer="sky")}, **EN)
    assert "week-01.md: Round 1 already exists." in unescape(refused.content.decode())
    assert qa_tables() == before
    preview = staff_client.post(
        URL,
        {"file": upload(SAMPLES / "week-06-start-marker.md"), **options(number="1", replace="on")},
        **EN,
    )
    assert "Round 1 exists: it will be deleted" in preview.content.decode()
    staff_client.post(URL, {"payload": payload_of(preview)})
    assert (Round.objects.count(), Question.objects.count(), Answer.objects.count()) == (1, 4, 0)


def test_a_changed_payload_is_refused(staff_client):
    preview = staff_client.post(URL, {"file": upload(DEMO), **options(answerer="sky")})
    data = signing.loads(payload_of(preview), salt=PAYLOAD_SALT)
    forged = signing.dumps({**data, "answerer": "mallory"}, salt="another salt", compress=True)
    response = staff_client.post(URL, {"payload": forged}, **EN)
    assert "This preview was changed after it was made." in unescape(response.content.decode())
    assert_nothing_written()


def test_a_round_created_between_preview_and_confirm_is_not_overwritten(staff_client):
    preview = staff_client.post(URL, {"file": upload(DEMO), **options(answerer="sky")})
    Round.objects.create(number=1, title="먼저 만든 회차")
    response = staff_client.post(URL, {"payload": payload_of(preview)}, **EN)
    assert "Round 1 already exists." in unescape(response.content.decode())
    assert Round.objects.get().title == "먼저 만든 회차" and Question.objects.count() == 0


def test_visitors_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_staff_without_add_permission_are_refused(client, django_user_model):
    user = django_user_model.objects.create_user("viewer", password="pw-12345!", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_round"))
    client.force_login(user)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"file": upload(DEMO), **options(answerer="sky")}).status_code == 403
    html = client.get("/admin/qa/round/").content.decode()
    assert URL not in html
    assert_nothing_written()
