"""What the pages say about themselves: this week's board, links between weeks, a question's
title, link previews, the favicon, the feeds, labels and the error pages."""

from html.parser import HTMLParser
from unittest import mock

import pytest
from django.contrib.staticfiles import finders
from django.db import DatabaseError, connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.views.defaults import server_error

from qa.admin_import import RoundImportForm
from qa.forms import QuestionForm
from qa.models import Question, Round

from .factories import AnswerFactory, MemberFactory, PickFactory, QuestionFactory, RoundFactory

pytestmark = pytest.mark.django_db

DRAFT, OPEN, ANSWERING, CLOSED = Round.State.values


# This week (/): the newest round in progress, else the newest visible one.
@pytest.mark.parametrize(
    "rounds, shown",
    [
        # An old week imported as round 3 leaves the running round 2 on the home page.
        ({1: CLOSED, 2: ANSWERING, 3: CLOSED}, 2),
        ({1: CLOSED, 2: OPEN, 3: CLOSED}, 2),
        ({1: ANSWERING, 2: OPEN}, 2),  # the newest of those in progress
        ({4: OPEN, 5: ANSWERING, 6: DRAFT}, 5),  # drafts are never this week
        ({1: CLOSED, 2: CLOSED, 3: DRAFT}, 2),  # none in progress: the newest visible
        ({7: CLOSED}, 7),
        ({1: DRAFT}, None),  # nothing to show: the page that explains how to start
        ({}, None),
    ],
)
def test_this_week_is_the_newest_round_in_progress(client, rounds, shown):
    for number, state in rounds.items():
        RoundFactory(number=number, state=state)
    response = client.get("/")
    if shown is None:
        assert "qa/home_empty.html" in [t.name for t in response.templates]
    else:
        assert response.context["round"].number == shown
        assert response.context["round"].is_in_progress() == (rounds[shown] in (OPEN, ANSWERING))


def test_the_home_page_says_whether_it_shows_this_week_or_the_latest(client):
    RoundFactory(number=1, state=CLOSED)
    assert "가장 최근 주차 ·" in client.get("/").content.decode()
    RoundFactory(number=2, state=ANSWERING)
    html = client.get("/").content.decode()
    assert "이번 주 ·" in html and "가장 최근 주차" not in html


def test_a_cached_home_page_follows_the_round_in_progress(client):
    RoundFactory(number=1, title="지난 주", state=CLOSED)
    RoundFactory(number=2, title="이번 주 주제", state=ANSWERING)
    assert client.get("/").context["round"].number == 2
    client.get("/")  # now cached
    Round.objects.filter(number=2).update(state=CLOSED)  # the admin's bulk action
    Round.objects.filter(number=1).update(state=OPEN)
    assert "지난 주" in main(client.get("/"))


def test_the_import_form_closes_an_imported_week_while_a_round_is_in_progress():
    RoundFactory(number=1, state=CLOSED)
    assert RoundImportForm().fields["state"].initial == ANSWERING
    RoundFactory(number=2, state=OPEN)
    assert RoundImportForm().fields["state"].initial == CLOSED


# Links between weeks.
def main(response):
    assert response.status_code == 200
    return response.content.decode().split('<main id="main"')[1]


def week_links(html):
    nav = html.split('class="round-nav"')[1].split("</nav>")[0]
    prev = nav.split('rel="prev" href="')[1].split('"')[0] if 'rel="prev"' in nav else None
    next_ = nav.split('rel="next" href="')[1].split('"')[0] if 'rel="next"' in nav else None
    return prev, next_


def test_each_board_links_to_the_visible_weeks_before_and_after(client, staff_client):
    for number, state in {1: CLOSED, 2: CLOSED, 4: ANSWERING, 5: DRAFT}.items():
        RoundFactory(number=number, state=state)
    assert week_links(main(client.get("/rounds/1/"))) == (None, "/rounds/2/")
    assert week_links(main(client.get("/rounds/2/"))) == ("/rounds/1/", "/rounds/4/")
    assert week_links(main(client.get("/rounds/4/"))) == ("/rounds/2/", None)  # 5 is a draft
    assert week_links(main(client.get("/"))) == ("/rounds/2/", None)
    assert "2주차" in main(client.get("/rounds/4/"))
    assert week_links(main(staff_client.get("/rounds/5/"))) == ("/rounds/4/", None)


@pytest.mark.parametrize(
    "change, links",
    [
        (lambda: Round.objects.filter(number=5).update(state=OPEN), ("/rounds/2/", "/rounds/5/")),
        (lambda: RoundFactory(number=3, state=CLOSED), ("/rounds/3/", None)),
        (lambda: Round.objects.filter(number=2).delete(), ("/rounds/1/", None)),
    ],
    ids=["a draft published", "a week added before", "a week deleted"],
)
def test_a_cached_board_follows_its_neighbours(client, change, links):
    for number, state in {1: CLOSED, 2: CLOSED, 4: ANSWERING, 5: DRAFT}.items():
        RoundFactory(number=number, state=state)
    first = client.get("/rounds/4/")
    assert not client.get("/rounds/4/").templates  # the second one came from the cache
    assert week_links(main(first)) == ("/rounds/2/", None)
    change()  # none of these touches round 4's revision
    assert week_links(main(client.get("/rounds/4/"))) == links


# A question's page: its heading and tab title are the question.
def title_of(html):
    return html.split("<title>")[1].split("</title>")[0]


def test_a_question_page_is_titled_with_the_question(client):
    question = QuestionFactory(
        author=MemberFactory(name="클로이"), label="Q2.", text="**TCP**와 UDP의 차이는?"
    )
    html = client.get(question.get_absolute_url()).content.decode()
    assert "<h1>TCP와 UDP의 차이는?</h1>" in html
    assert title_of(html) == "TCP와 UDP의 차이는? · 클로이님의 질문 · StudyBoard"
    assert '<a href="/members/%ED%81%B4%EB%A1%9C%EC%9D%B4/">클로이님의 질문</a>' in html
    # The heading says it all, except the bold: the text is shown as written below it.
    assert "<strong>TCP</strong>" in html


def test_a_long_question_is_shortened_in_its_heading_and_shown_whole_below(client):
    text = "프로세스와 스레드의 차이를 설명하고, " * 8
    question = QuestionFactory(text=text)
    html = client.get(question.get_absolute_url()).content.decode()
    heading = html.split("<h1>")[1].split("</h1>")[0]
    assert heading.endswith("…") and len(heading) == 80
    assert text.strip() in html


def test_a_short_plain_question_is_not_repeated_below_its_heading(client):
    question = QuestionFactory(text="VIP란?")
    html = main(client.get(question.get_absolute_url()))
    assert html.count("VIP란?") == 1


def test_a_question_of_an_image_alone_is_titled_by_its_author(client):
    question = QuestionFactory(author=MemberFactory(name="sky"), text="![](/media/a.png)")
    html = client.get(question.get_absolute_url()).content.decode()
    assert "<h1>sky님의 질문</h1>" in html


# Link previews (Open Graph).
class _Meta(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and "content" in attrs:
            self.tags[attrs.get("property") or attrs.get("name")] = attrs["content"]


def meta(html):
    parser = _Meta()
    parser.feed(html.split("</head>")[0])
    return parser.tags


def test_a_board_previews_as_its_week_with_its_counts(client, make_round):
    round_ = make_round(members=3, questions_each=2, number=3)
    Round.objects.filter(pk=round_.pk).update(title="3주차 운영체제")
    tags = meta(client.get("/rounds/3/").content.decode())
    assert tags["og:title"] == "3주차 운영체제"
    assert tags["og:description"] == "3주차 · 답변 받는 중 · 질문 6개, 👀 고른 질문 3개, 답변 3개"
    assert tags["og:type"] == "website"
    assert tags["og:url"] == "http://testserver/rounds/3/"
    assert tags["og:site_name"] == "StudyBoard"
    assert tags["twitter:card"] == "summary"
    assert tags["description"] == tags["og:description"]
    assert meta(client.get("/").content.decode())["og:url"] == "http://testserver/"


def test_a_question_previews_as_its_text_in_plain_words(client):
    question = QuestionFactory(
        round=RoundFactory(number=2, title="2주차"),
        author=MemberFactory(name="클로이"),
        text='`<b>` 태그와 "따옴표" & <em>기호</em><script>alert(1)</script>',
    )
    PickFactory(question=question)
    AnswerFactory(question=question, author=MemberFactory(name="bee"))
    html = client.get(question.get_absolute_url()).content.decode()
    tags = meta(html)
    # As a reader sees the text: the script tag was written as text, and shown as text.
    assert tags["og:title"] == '<b> 태그와 "따옴표" & 기호<script>alert(1)</script>'
    assert tags["og:description"] == "클로이님의 질문 · 2주차 · 답변 1개"
    assert tags["og:type"] == "article"
    assert tags["og:url"] == f"http://testserver{question.get_absolute_url()}"
    head = html.split("</head>")[0]
    assert "<b>" not in head and "<script>alert" not in head
    assert "&lt;b&gt;" in head and "&lt;script&gt;" in head and "&quot;따옴표&quot;" in head


def test_a_page_cached_for_one_host_name_never_names_it_to_another(client):
    RoundFactory(number=1)
    first = client.get("/rounds/1/")
    assert meta(first.content.decode())["og:url"] == "http://testserver/rounds/1/"
    other = client.get("/rounds/1/", HTTP_HOST="localhost")
    assert meta(other.content.decode())["og:url"] == "http://localhost/rounds/1/"


def test_other_pages_preview_as_the_site(client):
    tags = meta(client.get("/rounds/").content.decode())
    assert tags["og:title"] == "StudyBoard" and tags["og:description"]


# Copy link, favicon, feeds.
def test_questions_and_answers_have_a_link_to_copy(client):
    question = QuestionFactory(round=RoundFactory(number=1))
    PickFactory(question=question)
    answer = AnswerFactory(question=question)
    copy = '<a class="copy-link" href="{}" data-copy-link'
    for page in ("/rounds/1/", question.get_absolute_url()):
        html = client.get(page).content.decode()
        assert copy.format(question.get_absolute_url()) in html
        assert copy.format(answer.get_absolute_url()) in html
    assert 'src="/static/qa/js/copy-link.js" defer' in html
    assert finders.find("qa/js/copy-link.js")


def test_there_is_a_favicon_and_favicon_ico_finds_it(client):
    html = client.get("/rounds/").content.decode()
    assert '<link rel="icon" href="/static/qa/favicon.svg" type="image/svg+xml">' in html
    assert '<link rel="icon" href="/static/qa/favicon.ico" sizes="32x32">' in html
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"] == "/static/qa/favicon.ico"
    with open(finders.find("qa/favicon.ico"), "rb") as icon:
        assert icon.read(4) == b"\x00\x00\x01\x00"  # an ICO file's header
    assert b"<svg" in open(finders.find("qa/favicon.svg"), "rb").read()


def test_the_favicon_needs_no_sign_in_on_a_private_board(client, settings):
    settings.BOARD_PUBLIC = False
    assert client.get("/favicon.ico")["Location"] == "/static/qa/favicon.ico"


def test_feeds_are_announced_and_linked_on_every_page(client):
    html = client.get("/rounds/").content.decode()
    for name in ("answer-feed", "round-feed"):
        url = reverse(f"qa:{name}")
        assert f'<link rel="alternate" type="application/atom+xml" href="{url}"' in html
        assert f'<a href="{url}" type="application/atom+xml">' in html.split("<footer")[1]


# Labels: a new question is numbered.
def test_a_new_questions_label_is_the_next_number_and_can_be_changed():
    round_ = RoundFactory(state=OPEN)
    author = MemberFactory()
    assert QuestionForm(round=round_, author=author).initial["label"] == "1."
    first = round_.add_question(author, "첫 질문")
    assert first.label == "1."
    assert QuestionForm(round=round_, author=author).initial["label"] == "2."
    round_.add_question(author, "둘째", label="Q7.")
    assert QuestionForm(round=round_, author=author).initial["label"] == "Q8."
    assert round_.add_question(author, "셋째", label="  ").label == "Q8."


def test_a_question_added_from_the_form_with_a_blank_label_is_numbered():
    round_ = RoundFactory(state=OPEN)
    author = MemberFactory()
    QuestionFactory(round=round_, author=author, position=1, label="1.")
    form = QuestionForm({"label": "", "text": "라벨 없이"}, round=round_, author=author)
    assert form.is_valid()
    assert form.save().label == "2."


def test_unlabelled_questions_are_numbered_on_the_board_by_their_place(client):
    round_ = RoundFactory(number=1)
    author = MemberFactory(name="bee")
    for position, label in [(1, ""), (3, "Q3."), (7, "")]:  # imported, with gaps
        QuestionFactory(round=round_, author=author, position=position, label=label)
    html = client.get("/rounds/1/").content.decode()
    labels = [part.split("<")[0] for part in html.split('<span class="question__label">')[1:]]
    assert labels == ["1.", "Q3.", "3."]


# Error pages: Korean, under production settings.
def test_an_unknown_address_gets_the_korean_404_page(client, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="ko">' in html
    assert "없는 페이지입니다" in html and "Not Found" not in html
    assert "<title>페이지를 찾을 수 없습니다 · StudyBoard</title>" in html


def test_an_unknown_question_gets_the_same_404_page(client, settings):
    settings.DEBUG = False
    assert "없는 페이지입니다" in client.get("/questions/999/").content.decode()


def test_a_server_error_gets_the_korean_500_page(settings):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    with mock.patch.object(Round, "for_board", side_effect=DatabaseError("down")):
        response = client.get("/")
    assert response.status_code == 500
    html = response.content.decode()
    assert '<html lang="ko">' in html and "서버에서 문제가 생겼습니다" in html


def test_the_500_page_needs_neither_the_database_nor_a_request_context():
    request = RequestFactory().get("/")
    with (
        mock.patch.object(connection, "cursor", side_effect=DatabaseError("down")),
        CaptureQueriesContext(connection) as queries,
    ):
        response = server_error(request)
    assert response.status_code == 500
    assert "서버에서 문제가 생겼습니다" in response.content.decode()
    assert len(queries) == 0


def test_questions_keep_their_labels_in_every_language(client):
    # The label is data, not interface: English readers see the same numbers.
    QuestionFactory(round=RoundFactory(number=1), label="", position=5)
    html = client.get("/rounds/1/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<span class="question__label">1.</span>' in html
    assert Question.objects.get().label == ""
