from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from qa.models import Answer, Round

from .factories import AnswerFactory, MemberFactory, PickFactory, QuestionFactory, RoundFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
ANSWER_TITLE = "%(name)s's question — answer by %(author)s"


def parse(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    return feed


def entries(feed):
    return feed.findall(f"{ATOM}entry")


def text(element, tag):
    return element.find(f"{ATOM}{tag}").text


@pytest.fixture
def answered():
    """sky's picked question in round 4, answered by bee; and an answer in a draft round."""
    round_ = RoundFactory(number=4, title="4주차 네트워크")
    question = QuestionFactory(round=round_, author=MemberFactory(name="sky"), text="VIP란?")
    PickFactory(question=question)
    answer = AnswerFactory(
        question=question, author=MemberFactory(name="bee"), body="**가상 IP** <script>x</script>"
    )
    draft = QuestionFactory(round=RoundFactory(number=5, state=Round.State.DRAFT))
    PickFactory(question=draft)
    AnswerFactory(question=draft, author=MemberFactory(name="choi"), body="초안에 단 답")
    return answer


def test_answer_feed_is_valid_atom_with_one_entry_per_visible_answer(client, answered):
    feed = parse(client.get("/feed/", HTTP_ACCEPT_LANGUAGE="en"))
    # What Atom (RFC 4287) requires of a feed and of each entry.
    for tag in ["id", "title", "updated"]:
        assert text(feed, tag)
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == "http://testserver/feed/"
    [entry] = entries(feed)  # the draft round's answer stays out
    for tag in ["id", "title", "updated", "published"]:
        assert text(entry, tag)
    assert text(entry, "title") == "sky's question — answer by bee"
    assert entry.find(f"{ATOM}author/{ATOM}name").text == "bee"
    assert entry.find(f"{ATOM}link").get("href") == (
        f"http://testserver{answered.get_absolute_url()}"
    )
    summary = entry.find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    assert "<strong>가상 IP</strong>" in summary.text  # the sanitized HTML, as escaped text
    assert "<script>" not in summary.text


def test_answer_titles_read_like_the_weekly_file_in_korean(client, answered):
    with translation.override("ko"):
        if gettext(ANSWER_TITLE) == ANSWER_TITLE:
            pytest.skip("the Korean catalogue has no translation of the feed title yet")
    [entry] = entries(parse(client.get("/feed/")))
    assert text(entry, "title") == "sky님의 질문 — 답변 by bee"


def test_answer_feed_is_newest_first(client, answered):
    Answer.objects.filter(pk=answered.pk).update(created=timezone.now() - timedelta(days=1))
    question = QuestionFactory(round=answered.question.round, author=MemberFactory(name="choi"))
    PickFactory(question=question)
    newer = AnswerFactory(question=question, author=MemberFactory(name="클로이"))
    links = [e.find(f"{ATOM}link").get("href") for e in entries(parse(client.get("/feed/")))]
    assert links == [
        f"http://testserver{newer.get_absolute_url()}",
        f"http://testserver{answered.get_absolute_url()}",
    ]


def test_round_feed_lists_visible_rounds_newest_first(client, staff_client):
    RoundFactory(number=1, title="1주차 네트워크", state=Round.State.CLOSED)
    RoundFactory(number=2, title="2주차 운영체제", state=Round.State.ANSWERING)
    RoundFactory(number=3, title="3주차 초안", state=Round.State.DRAFT)
    for viewer in [client, staff_client]:  # a curator's reader gets no drafts either
        feed = parse(viewer.get("/rounds/feed/"))
        assert [text(e, "title") for e in entries(feed)] == ["2주차 운영체제", "1주차 네트워크"]
    entry = entries(feed)[0]
    assert entry.find(f"{ATOM}link").get("href") == "http://testserver/rounds/2/"
    assert text(entry, "summary").startswith("2주차")


@pytest.mark.parametrize("answers", [3, 30])
def test_answer_feed_has_an_entry_for_each_answer(client, answers):
    question = QuestionFactory()
    PickFactory(question=question)
    for i in range(answers):
        AnswerFactory(question=question, author=MemberFactory(name=f"m{i}"))
    assert len(entries(parse(client.get("/feed/")))) == answers


def test_pages_point_feed_readers_to_the_feeds(client):
    html = client.get("/").content.decode()
    assert '<link rel="alternate" type="application/atom+xml" href="/feed/"' in html
    assert '<link rel="alternate" type="application/atom+xml" href="/rounds/feed/"' in html
