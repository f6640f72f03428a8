"""Moving in, in a real browser: a curator uploads the group's repository as a .zip, reads the
preview of every round with its warnings, accepts them, and the week without 👀 shows its
answers on the board."""

import pytest

from qa.models import Answer, Round

from .browsing import sign_in
from .factories import UserFactory
from .trees import zip_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPO = {
    "README.md": "# 스터디\n",
    "1주차/질문.md": "## bee\n- Q1. 👀 캐시 전략\n- Q2. 프로세스\n## sky\n- 👀 스레드\n",
    "1주차/sky.md": "## 캐시 전략\nwrite-back은 나중에 쓴다.\n",
    "1주차/bee.md": "## 스레드\n가볍다.\n## 없는 질문\n?\n",
    "2주차/질문.md": "## bee\n- 교착 상태의 조건\n",
    "2주차/sky_2주차.md": "## 교착 상태의 조건\n상호 배제, 점유 대기\n",
}


def test_curator_imports_a_repository_zip_after_reading_its_warnings(
    page, live_server, shoot, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    archive = tmp_path / "study-main.zip"
    archive.write_bytes(zip_bytes(REPO, wrapper="study-main/"))
    sign_in(page.context, live_server, UserFactory(is_staff=True, is_superuser=True, password=None))

    page.goto(live_server.url + "/admin/qa/round/")
    page.get_by_role("link", name="저장소 가져오기(.zip)").click()
    page.locator("#id_archive").set_input_files(archive)
    page.locator("input[type=submit]").click()
    page.wait_for_selector(".import-preview")
    warnings = page.locator(".import-warnings li").all_inner_texts()
    assert warnings == ["1주차/bee.md, 3번째 줄: “없는 질문”에 맞는 질문이 이 주차에 없어 제외했습니다."]
    rows = page.locator(".import-preview tbody tr").all_inner_texts()
    assert [row.split("\t")[:2] for row in rows] == [["1", "1주차"], ["2", "2주차"]]
    shoot(page, "history-preview")

    page.locator("input[type=submit]").click()  # without accepting the warnings
    assert "경고가 있습니다" in page.locator(".errorlist").inner_text()
    assert not Round.objects.exists()
    page.locator("#id_accept_warnings").check()
    with page.expect_navigation():
        page.locator("input[type=submit]").click()
    assert "2개 주차를 가져왔습니다" in page.locator(".messagelist").inner_text()
    assert Answer.objects.count() == 3

    page.goto(live_server.url + "/rounds/2/")
    answers = page.locator(".picked-question").all_inner_texts()
    assert len(answers) == 1 and "상호 배제, 점유 대기" in answers[0]
    shoot(page, "board-without-picks")
