"""remind_round: what each member owes, e-mailed over a real SMTP conversation and posted to
a Discord or Slack webhook, both servers on loopback."""

import email
import json
import socket
import threading
import time
from email.header import decode_header, make_header
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from qa.models import Round
from qa.reminders import dues, webhook_kind, webhook_payloads

from .conftest import kst
from .factories import AnswerFactory, MemberFactory, PickFactory, QuestionFactory, RoundFactory, UserFactory

pytestmark = pytest.mark.django_db


def member(name, email=None, active=True, account=True):
    user = None
    if account:
        user = UserFactory(username=name, password=None, is_active=active)
        user.email = f"{name}@example.com" if email is None else email
        user.save()
    return MemberFactory(name=name, user=user)


@pytest.fixture
def open_week(clock, settings):
    """Week 1 takes questions until Wednesday night, three each.

    sky has one, bee all three, 클로이 (no account) two; choi (no address) and dan (account
    closed) have none."""
    settings.SITE_URL = "https://board.example.com"
    round_ = RoundFactory(
        number=1, title="1주차 네트워크", state=Round.State.QUESTIONS_OPEN, question_limit=3,
        questions_due=kst(9, 23, 59), answers_due=kst(13, 23, 59),
    )  # fmt: skip
    sky, bee, chloe = member("sky"), member("bee"), member("클로이", account=False)
    member("choi", email="")
    member("dan", active=False)
    QuestionFactory(round=round_, author=sky, position=1, label="1.")
    for position in (1, 2, 3):
        QuestionFactory(round=round_, author=bee, position=position, label=f"{position}.")
    for position in (1, 2):
        QuestionFactory(round=round_, author=chloe, position=position, label=f"Q{position}.")
    clock.now = kst(8, 21)
    return round_


@pytest.fixture
def answering_week(clock, settings):
    """Week 2 is answering: sky's, bee's and choi's questions are picked; bee answered sky's."""
    settings.SITE_URL = "https://board.example.com/"
    round_ = RoundFactory(
        number=2, title="2주차", state=Round.State.ANSWERING,
        questions_due=kst(9, 23, 59), answers_due=kst(13, 23, 59),
    )  # fmt: skip
    sky, bee, choi = member("sky"), member("bee"), member("choi", account=False)
    QuestionFactory(round=round_, author=sky, position=1, text="TCP와 UDP의 차이")
    picked = {
        sky: QuestionFactory(round=round_, author=sky, position=2, label="2.", text="3-way handshake란?"),
        bee: QuestionFactory(round=round_, author=bee, position=1, label="1.", text="L4와 L7 로드 밸런서"),
        choi: QuestionFactory(round=round_, author=choi, position=1, label="Q1.", text="**VIP**는 무엇인가?"),
    }  # fmt: skip
    PickFactory(question=picked[sky], picker=bee)
    PickFactory(question=picked[bee], picker=choi)
    PickFactory(question=picked[choi], picker=sky)
    AnswerFactory(question=picked[sky], author=bee)
    clock.now = kst(12, 22)
    return round_, picked


def remind(*args):
    out = StringIO()
    call_command("remind_round", *args, stdout=out)
    return out.getvalue()


def test_while_questions_are_open_members_owe_the_rest_of_their_list(open_week):
    assert [(d.member.name, d.questions, d.answers, d.email) for d in dues(open_week)] == [
        ("sky", 2, (), "sky@example.com"),
        ("클로이", 1, (), ""),
        ("choi", 3, (), ""),
    ]


def test_while_answering_members_owe_the_picked_questions_they_have_not_answered(answering_week):
    round_, picked = answering_week
    sky, bee, choi = picked
    assert [(d.member.name, d.questions, [q.pk for q in d.answers]) for d in dues(round_)] == [
        ("sky", 0, [picked[bee].pk, picked[choi].pk]),
        ("bee", 0, [picked[choi].pk]),
        ("choi", 0, [picked[sky].pk, picked[bee].pk]),
    ]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """An SMTP server on loopback (aiosmtpd), with Django's SMTP backend pointed at it."""
    from aiosmtpd.controller import Controller

    class Inbox:
        def __init__(self):
            self.envelopes = []

        async def handle_DATA(self, server, session, envelope):
            self.envelopes.append(envelope)
            return "250 Message accepted for delivery"

        def messages(self):
            """(recipients, headers, text) of each message received, headers decoded."""
            received = []
            for envelope in self.envelopes:
                message = email.message_from_bytes(envelope.content)
                headers = {
                    name: str(make_header(decode_header(message[name])))
                    for name in ("Subject", "From", "To")
                }
                text = message.get_payload(decode=True).decode(message.get_content_charset())
                # SMTP carries lines ending in CRLF.
                received.append((envelope.rcpt_tos, headers, text.replace("\r\n", "\n")))
            return received

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS, settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = False, "", ""
    settings.DEFAULT_FROM_EMAIL = "StudyBoard <board@example.com>"
    yield inbox
    controller.stop()


def test_answers_owed_are_emailed_over_smtp_with_absolute_links(answering_week, smtp_server):
    round_, picked = answering_week
    sky, bee, choi = picked
    assert remind("2") == (
        "멤버 2명에게 메일을 보냈어요.\n"
        "계정이나 메일 주소가 없어 메일을 보내지 않은 멤버: choi\n"
    )
    received = smtp_server.messages()
    assert [(to, h["Subject"], h["From"], h["To"]) for to, h, _text in received] == [
        (["sky@example.com"], "[StudyBoard] 2주차: 써야 할 답변 2개", "StudyBoard <board@example.com>", "sky@example.com"),
        (["bee@example.com"], "[StudyBoard] 2주차: 써야 할 답변 1개", "StudyBoard <board@example.com>", "bee@example.com"),
    ]  # fmt: skip
    assert received[0][2] == (
        "sky님, 2주차에 아직 남은 일이에요.\n"
        "\n"
        "답변 2개\n"
        "- bee님의 질문 1. L4와 L7 로드 밸런서\n"
        f"  https://board.example.com/questions/{picked[bee].pk}/answer/\n"
        "- choi님의 질문 Q1. VIP는 무엇인가?\n"
        f"  https://board.example.com/questions/{picked[choi].pk}/answer/\n"
        "\n"
        "답변 마감: 2026년 12월 13일 11:59 오후 (KST) · 1일 1시간 남음\n"
        "\n"
        "이번 주 보드: https://board.example.com/rounds/2/\n"
    )
    assert received[1][2] == (
        "bee님, 2주차에 아직 남은 일이에요.\n"
        "\n"
        "답변 1개\n"
        "- choi님의 질문 Q1. VIP는 무엇인가?\n"
        f"  https://board.example.com/questions/{picked[choi].pk}/answer/\n"
        "\n"
        "답변 마감: 2026년 12월 13일 11:59 오후 (KST) · 1일 1시간 남음\n"
        "\n"
        "이번 주 보드: https://board.example.com/rounds/2/\n"
    )


def test_questions_owed_are_emailed_only_to_members_with_an_account_and_an_address(open_week, smtp_server):
    assert remind("1") == (
        "멤버 1명에게 메일을 보냈어요.\n"
        "계정이나 메일 주소가 없어 메일을 보내지 않은 멤버: 클로이, choi\n"
    )
    [(to, headers, text)] = smtp_server.messages()
    assert (to, headers["Subject"]) == (["sky@example.com"], "[StudyBoard] 1주차: 질문 2개가 더 필요해요")
    assert text == (
        "sky님, 1주차 네트워크에 아직 남은 일이에요.\n"
        "\n"
        "질문 2개 더 (이번 주는 한 사람에 3개까지)\n"
        "  https://board.example.com/rounds/1/questions/add/\n"
        "\n"
        "질문 마감: 2026년 12월 9일 11:59 오후 (KST) · 1일 2시간 남음\n"
        "\n"
        "이번 주 보드: https://board.example.com/rounds/1/\n"
    )


def test_a_dry_run_prints_every_message_and_sends_none(open_week, smtp_server, webhook, settings):
    settings.REMINDER_WEBHOOK_URL = webhook.url("/hooks/secret")
    settings.REMINDER_WEBHOOK_KIND = "slack"
    output = remind("1", "--dry-run")
    assert output.startswith(
        "To: sky@example.com\nSubject: [StudyBoard] 1주차: 질문 2개가 더 필요해요\n\n"
        "sky님, 1주차 네트워크에 아직 남은 일이에요.\n"
    )
    assert '\nslack: {"text": "1주차 네트워크\\n질문 마감:' in output
    assert output.endswith(
        "멤버 1명에게 메일을 보낼 거예요.\n"
        "계정이나 메일 주소가 없어 메일을 보내지 않은 멤버: 클로이, choi\n"
    )
    assert smtp_server.envelopes == [] and webhook.received == []


def test_an_smtp_server_that_does_not_answer_is_a_clear_error(answering_week, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", free_port(), False
    with pytest.raises(CommandError, match="^메일을 보내지 못했어요: .*Connection refused"):
        remind("2")


@pytest.mark.parametrize("state", [Round.State.DRAFT, Round.State.CLOSED])
def test_nobody_owes_anything_outside_questions_and_answering(answering_week, state):
    Round.objects.filter(number=2).update(state=state)
    with pytest.raises(CommandError, match="^2주차는 “.*” 상태라 멤버가 할 일이 없어요.$"):
        remind("2")
    with pytest.raises(CommandError, match="^9주차가 없어요.$"):
        remind("9")


def test_reminders_need_the_sites_address(answering_week, settings, mailoutbox):
    settings.SITE_URL = ""
    with pytest.raises(CommandError, match="SITE_URL"):
        remind("2")
    assert mailoutbox == []


class Webhook(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self):
        super().__init__(("127.0.0.1", 0), WebhookHandler)
        self.received, self.status, self.reply, self.delay = [], 204, b"", 0

    def url(self, path):
        return f"http://127.0.0.1:{self.server_address[1]}{path}"


class WebhookHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append((self.path, self.headers["Content-Type"], json.loads(body)))
        time.sleep(self.server.delay)
        self.send_response(self.server.status)
        self.send_header("Content-Length", str(len(self.server.reply)))
        self.end_headers()
        self.wfile.write(self.server.reply)

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook(monkeypatch):
    """An incoming-webhook server on loopback (http.server in a thread)."""
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    server = Webhook()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


SUMMARY = (
    "2주차\n"
    "답변 마감: 2026년 12월 13일 11:59 오후 (KST) · 1일 1시간 남음\n"
    "\n"
    "sky: 답변 2개\n"
    "- bee님의 질문 1. L4와 L7 로드 밸런서\n"
    "  https://board.example.com/questions/{bee}/answer/\n"
    "- choi님의 질문 Q1. VIP는 무엇인가?\n"
    "  https://board.example.com/questions/{choi}/answer/\n"
    "bee: 답변 1개\n"
    "- choi님의 질문 Q1. VIP는 무엇인가?\n"
    "  https://board.example.com/questions/{choi}/answer/\n"
    "choi: 답변 2개\n"
    "- sky님의 질문 2. 3-way handshake란?\n"
    "  https://board.example.com/questions/{sky}/answer/\n"
    "- bee님의 질문 1. L4와 L7 로드 밸런서\n"
    "  https://board.example.com/questions/{bee}/answer/\n"
    "\n"
    "https://board.example.com/rounds/2/"
)


def test_the_summary_goes_to_a_discord_webhook_in_discords_format(answering_week, webhook, settings, mailoutbox):
    round_, picked = answering_week
    sky, bee, choi = picked
    settings.REMINDER_WEBHOOK_URL = webhook.url("/api/webhooks/123/token")
    settings.REMINDER_WEBHOOK_KIND = "discord"
    output = remind("2")
    assert output.endswith("discord 웹훅에 요약을 올렸어요.\n")
    assert len(mailoutbox) == 2
    summary = SUMMARY.format(sky=picked[sky].pk, bee=picked[bee].pk, choi=picked[choi].pk)
    assert webhook.received == [
        (
            "/api/webhooks/123/token",
            "application/json",
            {"content": summary, "allowed_mentions": {"parse": []}},
        )
    ]


def test_the_summary_goes_to_a_slack_webhook_in_slacks_format(answering_week, webhook, settings):
    round_, picked = answering_week
    sky, bee, choi = picked
    # Slack reads <...> as markup: a member's name is text.
    Round.objects.filter(number=2).update(title="2주차 <!channel> & co")
    webhook.status, webhook.reply = 200, b"ok"
    settings.REMINDER_WEBHOOK_URL = webhook.url("/services/T0/B0/secret")
    settings.REMINDER_WEBHOOK_KIND = "slack"
    assert remind("2").endswith("slack 웹훅에 요약을 올렸어요.\n")
    summary = SUMMARY.format(sky=picked[sky].pk, bee=picked[bee].pk, choi=picked[choi].pk)
    summary = summary.replace("2주차\n", "2주차 &lt;!channel&gt; &amp; co\n", 1)
    assert webhook.received == [("/services/T0/B0/secret", "application/json", {"text": summary})]


def test_a_webhook_that_refuses_is_a_clear_error_naming_its_host_not_its_secret(answering_week, webhook, settings):
    webhook.status, webhook.reply = 404, b'{"message": "Unknown Webhook"}'
    settings.REMINDER_WEBHOOK_URL = webhook.url("/api/webhooks/123/secret-token")
    settings.REMINDER_WEBHOOK_KIND = "discord"
    with pytest.raises(CommandError) as raised:
        remind("2")
    assert str(raised.value) == (
        '127.0.0.1의 웹훅이 메시지를 거절했어요: HTTP 404 {"message": "Unknown Webhook"}'
    )
    assert "secret-token" not in str(raised.value)


def test_a_webhook_that_does_not_answer_in_time_is_a_clear_error(answering_week, webhook, settings):
    webhook.delay = 2
    settings.REMINDER_WEBHOOK_URL = webhook.url("/api/webhooks/123/token")
    settings.REMINDER_WEBHOOK_KIND = "discord"
    settings.REMINDER_WEBHOOK_TIMEOUT = 0.3
    started = time.monotonic()
    with pytest.raises(CommandError, match="^127.0.0.1의 웹훅이 응답하지 않았어요: .*timed out"):
        remind("2")
    assert time.monotonic() - started < 1.5


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://discord.com/api/webhooks/1/x", "discord"),
        ("https://canary.discord.com/api/webhooks/1/x", "discord"),
        ("https://discordapp.com/api/webhooks/1/x", "discord"),
        ("https://hooks.slack.com/services/T/B/x", "slack"),
    ],
)
def test_the_webhooks_kind_is_told_by_its_host(url, kind):
    assert webhook_kind(url) == kind


@pytest.mark.parametrize(
    ("url", "kind", "error"),
    [
        ("https://chat.example.com/hook", "", "chat.example.com가 Discord 웹훅인지 Slack 웹훅인지"),
        ("https://evil-discord.com/api/webhooks/1/x", "", "evil-discord.com가 Discord"),
        ("https://hooks.slack.com/services/T/B/x", "teams", '"teams"가 아니라'),
        ("file:///etc/passwd", "slack", "http 또는 https 주소"),
    ],
)
def test_a_webhook_of_unknown_kind_is_refused_before_anything_is_sent(url, kind, error):
    from qa.reminders import ReminderError

    with pytest.raises(ReminderError, match=error):
        webhook_kind(url, kind)


def test_a_long_summary_is_cut_between_lines_within_discords_limit():
    text = "\n".join(f"member{n}: 답변 3개 https://board.example.com/questions/{n}/answer/" for n in range(100))
    payloads = webhook_payloads("discord", text)
    assert len(payloads) > 1 and all(len(p["content"]) <= 2000 for p in payloads)
    assert "\n".join(p["content"] for p in payloads) == text


def test_without_a_number_this_weeks_round_is_reminded(answering_week, mailoutbox):
    RoundFactory(number=1, state=Round.State.CLOSED)
    RoundFactory(number=3, state=Round.State.DRAFT)
    assert remind().startswith("멤버 2명에게 메일을 보냈어요.\n")
    assert [m.subject for m in mailoutbox] == [
        "[StudyBoard] 2주차: 써야 할 답변 2개", "[StudyBoard] 2주차: 써야 할 답변 1개",
    ]  # fmt: skip
    Round.objects.filter(number=2).update(state=Round.State.CLOSED)
    with pytest.raises(CommandError, match="^질문이나 답변을 받는 주차가 없어요.$"):
        remind()
