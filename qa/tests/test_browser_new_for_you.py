"""The board's "new for you" list in a real browser: shown to the member it is for, on a
laptop and a phone, and emptied with "Mark as seen" without any script."""

from datetime import timedelta

import pytest
from django.utils import timezone

from qa.models import FollowUp, Member, Round

from .browsing import member_account, page_overflow, sign_in
from .conftest import VIEWPORTS
from .factories import AnswerFactory, PickFactory, QuestionFactory, RoundFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_sees_what_is_new_for_them_and_marks_it_seen(open_page, live_server, shoot):
    sky, bee = member_account("sky"), member_account("bee")
    round_ = RoundFactory(number=1, title="1주차 네트워크", state=Round.State.ANSWERING)
    question = QuestionFactory(round=round_, author=sky.member, text="TCP와 UDP의 차이는?")
    PickFactory(question=question)
    others = QuestionFactory(round=round_, author=bee.member, text="L4와 L7 로드 밸런서")
    PickFactory(question=others)
    skys = AnswerFactory(question=others, author=sky.member, body="L7은 HTTP를 본다", edited_by=sky)
    Member.objects.filter(pk=sky.member.pk).update(
        last_seen_at=timezone.now() - timedelta(hours=2)
    )
    bees = AnswerFactory(question=question, author=bee.member, body="TCP는 연결", edited_by=bee)
    bees_follow_up = FollowUp.objects.create(
        answer=skys, author=bee.member, round=round_, body="TLS는 어디서 끝나나요?"
    )

    page = open_page()
    sign_in(page.context, live_server, sky)
    page.goto(live_server.url + "/")
    items = page.locator(".new-for-you__item a")
    assert items.count() == 2
    # Newest first: bee's follow-up on sky's answer, then bee's answer to sky's question.
    assert items.first.get_attribute("href") == (
        f"/questions/{others.pk}/#follow-up-{bees_follow_up.pk}"
    )
    assert items.nth(1).get_attribute("href") == f"/questions/{question.pk}/#answer-{bees.pk}"
    assert "TCP와 UDP의 차이는?" in items.nth(1).inner_text()
    shoot(page, "new-for-you", element=".new-for-you")
    page.set_viewport_size(VIEWPORTS["phone"])
    assert page_overflow(page) <= 0
    page.set_viewport_size(VIEWPORTS["desktop"])

    # bee's board, from the same cached parts, lists none of sky's.
    other = open_page()
    sign_in(other.context, live_server, bee)
    other.goto(live_server.url + "/")
    theirs = other.locator("#new-for-you").inner_text()
    assert "L4와 L7 로드 밸런서" in theirs and "TCP와 UDP" not in theirs

    page.locator(".new-for-you button").click()
    page.wait_for_url(live_server.url + "/")
    assert page.locator(".new-for-you").count() == 0
