"""E-mail when someone else answers a member's question or follows up on their answer: sent
once the write commits, to members who have not turned it off, with links to the board."""

import email
import email.header
import logging
import smtplib

import pytest
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation

from qa import notifications
from qa.models import Answer, FollowUp, Member, Round

from .factories import AnswerFactory, PickFactory, QuestionFactory, RoundFactory, UserFactory
from .people import sign_in
from .test_reminders import smtp_server  # noqa: F401  (the aiosmtpd server on loopback)

pytestmark = pytest.mark.django_db

SITE = "https://board.example.com"


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def sky():
    """The question's author, with an account and an address (sky@example.com)."""
    return sign_in("sky")


@pytest.fixture
def bee():
    return sign_in("bee")


@pytest.fixture
def question(sky):
    round_ = RoundFactory(number=3, title="3주차 네트워크", state=Round.State.ANSWERING)
    question = QuestionFactory(
        round=round_, author=Member.objects.get(name="sky"), text="L4와 L7 로드 밸런서의 차이"
    )
    PickFactory(question=question)
    return question


def answer_url(question):
    return reverse("qa:question-answer", args=[question.pk])


def post_answer(client, question, body="## L4\n\nIP와 포트로 나눈다."):
    response = client.post(answer_url(question), {"body": body, "version": 0})
    assert response.status_code == 302
    return Answer.objects.get(question=question, author__user=response.wsgi_request.user)


def follow_up(answer, author, body="그럼 L7은 TLS를 어디서 끝내나요?"):
    return FollowUp.objects.create(answer=answer, author=author, round=answer.round, body=body)


def html_of(message):
    (html, kind), = message.alternatives
    assert kind == "text/html"
    return html


def test_a_new_answer_mails_the_questions_author_with_links_and_the_question(
    question, bee, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        answer = post_answer(bee, question)
    assert len(callbacks) == 1
    (message,) = mailoutbox
    assert message.to == ["sky@example.com"]
    assert message.subject.startswith("[StudyBoard] ")
    assert "L4와 L7 로드 밸런서의 차이" in message.subject
    link = f"{SITE}/questions/{question.pk}/#answer-{answer.pk}"
    for content in (message.body, html_of(message)):
        assert link in content
        assert f"{SITE}/profile/" in content  # where to turn it off
        assert "L4와 L7 로드 밸런서의 차이" in content
        assert "bee" in content
    assert "IP와 포트로 나눈다." in message.body  # a taste of the answer, as plain text
    assert "##" not in message.body


def test_an_edit_mails_nobody(question, bee, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        answer = post_answer(bee, question)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = bee.post(
            reverse("qa:answer-edit", args=[answer.pk]), {"body": "고친 답변", "version": 1}
        )
    assert response.status_code == 302
    assert Answer.objects.get(pk=answer.pk).version == 2
    assert callbacks == []
    assert mailoutbox == []


def test_answering_ones_own_question_mails_nobody(
    question, sky, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        post_answer(sky, question)
    assert callbacks == []
    assert mailoutbox == []


def test_a_member_who_turned_it_off_gets_nothing(
    question, bee, mailoutbox, django_capture_on_commit_callbacks
):
    Member.objects.filter(name="sky").update(notify_by_email=False)
    with django_capture_on_commit_callbacks(execute=True):
        post_answer(bee, question)
    assert mailoutbox == []


@pytest.mark.parametrize("change", ["no address", "account closed", "no account"])
def test_members_without_an_address_to_mail_get_nothing(
    question, bee, change, mailoutbox, django_capture_on_commit_callbacks
):
    sky = Member.objects.select_related("user").get(name="sky")
    if change == "no account":
        sky.user = None
        sky.save(update_fields=["user"])
    else:
        sky.user.email = "" if change == "no address" else sky.user.email
        sky.user.is_active = change != "account closed"
        sky.user.save()
    with django_capture_on_commit_callbacks(execute=True):
        post_answer(bee, question)
    assert Answer.objects.filter(question=question).count() == 1
    assert mailoutbox == []


def test_an_answer_rolled_back_mails_nobody(
    question, mailoutbox, django_capture_on_commit_callbacks
):
    bee = Member.objects.create(name="bee")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            answer = AnswerFactory(question=question, author=bee)
            notifications.answer_posted(answer)
            raise RuntimeError("the request failed after the save")
    assert callbacks == []
    assert mailoutbox == []
    assert not Answer.objects.filter(question=question).exists()


def test_a_mail_that_cannot_be_sent_is_logged_and_the_answer_stays(
    question, bee, monkeypatch, caplog, mailoutbox, django_capture_on_commit_callbacks
):
    def refuse(message, *args, **kwargs):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse)
    with caplog.at_level(logging.ERROR, logger="qa.notifications"):
        with django_capture_on_commit_callbacks(execute=True):
            post_answer(bee, question)
    assert Answer.objects.filter(question=question, author__name="bee").exists()
    assert "not sent" in caplog.text
    assert "SMTPServerDisconnected" in caplog.text


def test_without_the_sites_address_nothing_is_sent_and_a_warning_says_why(
    question, bee, settings, caplog, mailoutbox, django_capture_on_commit_callbacks
):
    settings.SITE_URL = ""
    with caplog.at_level(logging.WARNING, logger="qa.notifications"):
        with django_capture_on_commit_callbacks(execute=True):
            post_answer(bee, question)
    assert mailoutbox == []
    assert "SITE_URL" in caplog.text


def test_the_mail_is_in_the_groups_language_whoever_wrote_the_text(
    question, mailoutbox, django_capture_on_commit_callbacks
):
    user = UserFactory(username="bee", password=None)
    bee = Member.objects.create(name="bee", user=user)
    english = Client(headers={"accept-language": "en"})
    english.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        answer = post_answer(english, question)
    translation.activate("en")  # as after a request in English
    with django_capture_on_commit_callbacks(execute=True):
        notifications.follow_up_posted(follow_up(answer, Member.objects.get(name="sky")))
    # Korean, as settings.LANGUAGE_CODE: a string translated before this feature shows it.
    (_, to_bee) = mailoutbox
    assert to_bee.to == [bee.user.email]
    assert "sky님의 질문" in to_bee.body
    assert "sky's question" not in to_bee.body


# Follow-ups: the answer's author is told, on the same terms.


@pytest.fixture
def bees_answer(question):
    bee = Member.objects.create(name="bee", user=UserFactory(username="bee", password=None))
    return AnswerFactory(question=question, author=bee, body="**L4**는 전송 계층")


def test_a_follow_up_mails_the_answers_author_with_links(
    bees_answer, mailoutbox, django_capture_on_commit_callbacks
):
    sky = Member.objects.get(name="sky")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        skys = follow_up(bees_answer, sky)
        notifications.follow_up_posted(skys)
    assert len(callbacks) == 1
    (message,) = mailoutbox
    assert message.to == ["bee@example.com"]
    assert "L4와 L7 로드 밸런서의 차이" in message.subject
    link = f"{SITE}/questions/{bees_answer.question_id}/#follow-up-{skys.pk}"
    for content in (message.body, html_of(message)):
        assert link in content
        assert f"{SITE}/profile/" in content
        assert "그럼 L7은 TLS를 어디서 끝내나요?" in content
        assert "sky" in content


def test_following_up_on_ones_own_answer_mails_nobody(
    bees_answer, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notifications.follow_up_posted(follow_up(bees_answer, bees_answer.author))
    assert callbacks == []
    assert mailoutbox == []


def test_a_follow_up_to_a_member_who_turned_it_off_or_has_no_address_mails_nobody(
    bees_answer, mailoutbox, django_capture_on_commit_callbacks
):
    sky = Member.objects.get(name="sky")
    Member.objects.filter(pk=bees_answer.author_id).update(notify_by_email=False)
    with django_capture_on_commit_callbacks(execute=True):
        notifications.follow_up_posted(follow_up(bees_answer, sky))
    Member.objects.filter(pk=bees_answer.author_id).update(notify_by_email=True)
    bees_answer.author.user.email = ""
    bees_answer.author.user.save()
    with django_capture_on_commit_callbacks(execute=True):
        notifications.follow_up_posted(follow_up(bees_answer, sky, body="하나 더"))
    assert mailoutbox == []


def test_a_follow_up_rolled_back_mails_nobody(
    bees_answer, mailoutbox, django_capture_on_commit_callbacks
):
    sky = Member.objects.get(name="sky")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            notifications.follow_up_posted(follow_up(bees_answer, sky))
            raise RuntimeError("rolled back")
    assert callbacks == []
    assert mailoutbox == []
    assert not FollowUp.objects.exists()


def test_an_answer_is_mailed_over_a_real_smtp_conversation(
    question, bee, smtp_server, django_capture_on_commit_callbacks  # noqa: F811
):
    with django_capture_on_commit_callbacks(execute=True):
        answer = post_answer(bee, question)
    (envelope,) = smtp_server.envelopes
    assert envelope.rcpt_tos == ["sky@example.com"]
    message = email.message_from_bytes(envelope.content)
    assert message.get_content_type() == "multipart/alternative"
    subject = str(email.header.make_header(email.header.decode_header(message["Subject"])))
    assert "L4와 L7 로드 밸런서의 차이" in subject
    parts = {
        part.get_content_type(): part.get_payload(decode=True).decode(part.get_content_charset())
        for part in message.walk()
        if not part.is_multipart()
    }
    link = f"{SITE}/questions/{question.pk}/#answer-{answer.pk}"
    assert link in parts["text/plain"]
    assert f'href="{link}"' in parts["text/html"]
    assert f"{SITE}/profile/" in parts["text/plain"]


# The opt-out, on the member's own profile.


def test_the_profile_turns_the_mail_off_and_on(sky):
    page = sky.get("/profile/").content.decode()
    assert 'name="notify_by_email"' in page
    assert "checked" in page.split('name="notify_by_email"')[1].split(">")[0]
    response = sky.post("/profile/", {"name": "sky"})  # an unticked box sends nothing
    assert response["Location"] == "/profile/"
    assert Member.objects.get(name="sky").notify_by_email is False
    sky.post("/profile/", {"name": "sky", "notify_by_email": "on"})
    assert Member.objects.get(name="sky").notify_by_email is True


def test_the_profile_changes_only_the_readers_own_member(sky, bee):
    bee.post("/profile/", {"name": "bee"})
    assert Member.objects.get(name="bee").notify_by_email is False
    assert Member.objects.get(name="sky").notify_by_email is True


def test_the_opt_out_needs_a_csrf_token_and_an_account(sky):
    user = Member.objects.get(name="sky").user
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    assert strict.post("/profile/", {"name": "sky"}).status_code == 403
    visitor = Client().post("/profile/", {"name": "sky"})
    assert visitor.status_code == 302
    assert visitor["Location"].startswith("/accounts/login/")
    assert Member.objects.get(name="sky").notify_by_email is True


def test_curators_see_and_change_the_opt_out_in_the_admin(sky, staff_client):
    sky_member = Member.objects.get(name="sky")
    page = staff_client.get(reverse("admin:qa_member_change", args=[sky_member.pk]))
    assert 'name="notify_by_email"' in page.content.decode()
    listing = staff_client.get(reverse("admin:qa_member_changelist") + "?notify_by_email__exact=1")
    assert "sky" in listing.content.decode()
