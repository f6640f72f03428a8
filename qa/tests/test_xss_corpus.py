"""Every payload of xss_payloads.txt through every place user text reaches HTML, each result
parsed: no script, handler, style, dangerous URL or active element may come from user text.

Payloads are batched: one round holds them all as member names, labels, questions and answers,
and each page is fetched once. Every stored text but a label starts with a marker (xss017),
so a finding names the payloads around it. The pages' own elements (their static scripts, forms, the
admin's icons) are learnt from the same pages holding harmless text and allowed.
"""

import html
import re
import xml.etree.ElementTree as ET
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib import admin
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from qa import feeds, member_history, views
from qa.importer import clean_question_text, normalize_markdown, parse_round
from qa.markdown import render_markdown
from qa.models import Answer, Member, Question, Round
from qa.text import without_control_characters

from .factories import AnswerFactory, MemberFactory, QuestionFactory, RoundFactory, UserFactory

PAYLOAD_FILE = Path(__file__).with_name("xss_payloads.txt")
ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|t|n|\\)")


def _unescape(text):
    def replace(match):
        code = match[1]
        if code in ("t", "n", "\\"):
            return {"t": "\t", "n": "\n", "\\": "\\"}[code]
        return chr(int(code[1:], 16))

    return ESCAPE.sub(replace, text)


def load_payloads(path=PAYLOAD_FILE):
    """[(description, payload)]: each payload follows a "%% description" line ("%%\\" when
    written with backslash escapes); "%%%" lines are comments."""
    payloads, current = [], None
    for line in path.read_text(encoding="utf-8").split("\n"):
        if line.startswith("%%%"):
            continue
        if line.startswith("%%"):
            escaped = line.startswith("%%\\")
            current = [line[3:].strip(), escaped, []]
            payloads.append(current)
        elif current is not None:
            current[2].append(line)
    loaded = []
    for description, escaped, lines in payloads:
        text = "\n".join(lines).strip("\n")
        loaded.append((description, _unescape(text) if escaped else text))
    return loaded


# Long and deep inputs, made here rather than written out.
GENERATED = [
    ("150 nested divs around an img onerror", "<div>" * 150 + "<img src=x onerror=alert(1)>"),
    ("200 nested quotes around a javascript: link", "> " * 200 + "[x](javascript:alert(1))"),
    (
        "120 nested list items around a script",
        "".join("  " * i + "- x\n" for i in range(120)) + "<script>alert(1)</script>",
    ),
    ("a long line of onerror attributes", "<img src=x " + "onerror=alert(1) " * 2000 + ">"),
    ("5,000 unclosed tags", "<b>" * 5000 + "<img src=x onerror=alert(1)>"),
    ("a long run of javascript: links", "[x](javascript:alert(1)) " * 1000),
]
PAYLOADS = load_payloads() + GENERATED
ALLOWED_MARKDOWN = (
    "**굵게** [링크](https://example.com) ![그림](https://example.com/a.png)\n\n"
    "| a | b |\n|---|---|\n| 1 | 2 |\n\n```python\nprint(1)\n```\n\n- [x] 끝"
)
HARMLESS = [("plain text", "평범한 답변입니다."), ("allowed Markdown", ALLOWED_MARKDOWN)]

MARKER = re.compile(r"xss(\d{3})")
URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "xlink:href", "srcset", "lowsrc", "dynsrc",
    "background", "poster", "data", "ping", "cite", "codebase", "longdesc", "srcdoc",
}  # fmt: skip
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")
# What a browser ignores in a URL before reading its scheme, and more.
IGNORED_IN_URL = re.compile("[\x00-\x20\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]")
ACTIVE_ELEMENTS = {
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "meta",
    "link", "style", "form", "svg", "math", "template", "noscript", "isindex", "keygen",
    "plaintext", "xmp", "noembed", "noframes",
}  # fmt: skip


def one_line(text, limit):
    """What a one-line field can hold of `text`: names, labels and titles refuse line breaks
    and control characters (qa.text)."""
    # Forms strip what they are given, so no name ends in a space either.
    return " ".join(without_control_characters(text).replace("\u2028", " ").split())[:limit].strip()


TEXT_ATTRIBUTES = {"content", "title", "alt", "aria-label", "placeholder", "value"}


@dataclass(frozen=True)
class Finding:
    what: str  # the element or attribute, as a signature: the same on every page that has it
    before: int | None  # the payloads around it: markers seen before and after
    after: int | None


class Checker(HTMLParser):
    """Collects what no user text may produce, with the markers around each finding."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.raw, self.markers_seen, self.open_raw = [], [], None

    def _see(self, text):
        for match in MARKER.finditer(text) if "xss" in text else ():
            self.markers_seen.append(int(match[1]))

    def handle_starttag(self, tag, attrs):
        for _name, value in attrs:
            if value and "xss" in value:
                self._see(value)
        found = []
        if tag in ACTIVE_ELEMENTS:
            found.append("element")
        for name, value in attrs:
            if name.startswith("on"):
                found.append(f"handler {name}")
            elif name == "style":
                found.append("style attribute")
            elif name in URL_ATTRIBUTES or name.endswith(":href"):
                scheme = IGNORED_IN_URL.sub("", html.unescape(value or "")).lower()
                if scheme.startswith(BAD_SCHEMES):
                    found.append(f"{name}={value!r}")
        if found:
            # Numbers (ids, form indexes) vary between the two corpora's pages; nothing else may.
            # Plain-text values (a link preview's description) hold the user's text, escaped,
            # and cannot run: they are left out of the signature, their attribute is not.
            attributes = " ".join(
                f"{n}={'…' if n in TEXT_ATTRIBUTES else v!r}" for n, v in sorted(attrs, key=str)
            )
            signature = re.sub(r"\d+", "0", f"<{tag} {attributes}>")
            self.raw += [(f"{what} in {signature}", len(self.markers_seen)) for what in found]
        if tag in ("script", "style"):
            self.open_raw = tag

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        # Inline script or style text: never allowed, whatever element holds it.
        if self.open_raw and data.strip():
            what = f"inline {self.open_raw}: {data.strip()[:80]!r}"
            self.raw.append((what, len(self.markers_seen)))
        self._see(data)

    def handle_endtag(self, tag):
        if tag == self.open_raw:
            self.open_raw = None

    def findings(self):
        seen = [None, *self.markers_seen, None]
        return [Finding(what, seen[index], seen[index + 1]) for what, index in self.raw]


def check_html(text):
    checker = Checker()
    checker.feed(text)
    checker.close()
    return checker.findings()


@dataclass
class Corpus:
    payloads: list
    writer: Member
    board: Round  # every payload as a member, a label, a question and an answer
    export: Round  # the same with importable labels, to export and import again
    titles: list  # one round per payload, titled with it
    history: Answer  # an answer whose second version holds every payload
    inline: Question  # a question answered with every payload
    members: list
    answers: list


def build_corpus(payloads, first_number):
    """All rows for `payloads`; round numbers from `first_number`."""
    writer = MemberFactory(name=f"writer{first_number}")
    board = RoundFactory(number=first_number, title=f"board{first_number}")
    export = RoundFactory(number=first_number + 1, title=f"export{first_number}")
    members, answers = [], []
    for i, (_description, payload) in enumerate(payloads):
        member = MemberFactory(name=one_line(f"xss{i:03d} {payload}", 50))
        members.append(member)
        for round_, label in ((board, one_line(payload, 20)), (export, "1.")):
            question = QuestionFactory(
                round=round_, author=member, position=1, label=label,
                text=f"qxss{i:03d}\n\n{payload}"[:5000],
            )  # fmt: skip
            question.pick()
            answers.append(
                AnswerFactory(question=question, author=writer, body=f"axss{i:03d}\n\n{payload}")
            )
    # One question with every payload as an answer, for the admin's inline answers.
    inline = QuestionFactory(round=board, author=writer, position=1, label="", text="inline")
    for i, (member, (_description, payload)) in enumerate(zip(members, payloads)):
        AnswerFactory(question=inline, author=member, body=f"ixss{i:03d}\n\n{payload}")
    titles = [
        RoundFactory(
            number=first_number + 2 + i,
            title=one_line(f"xss{i:03d} {payload}", 200),
            state=Round.State.CLOSED,
        )
        for i, (_description, payload) in enumerate(payloads)
    ]
    history = answers[0]
    combined = "\n\n".join(f"hxss{i:03d}\n{p[:1000]}" for i, (_d, p) in enumerate(payloads))
    history.question.save_answer(writer, combined)
    return Corpus(payloads, writer, board, export, titles, history, inline, members, answers)


@contextmanager
def long_pages():
    """Every row on one page, so each list is fetched once; no rate limits (they have tests of
    their own, and here one client makes hundreds of requests)."""
    with pytest.MonkeyPatch.context() as patch, override_settings(RATELIMIT_ENABLE=False):
        patch.setattr(views, "SEARCH_PAGE_SIZE", 1000)
        for section in member_history.ROUNDS_PER_PAGE:
            patch.setitem(member_history.ROUNDS_PER_PAGE, section, 1000)
        patch.setattr(views, "ROUND_PAGE_SIZE", 1000)
        patch.setattr(feeds, "FEED_LENGTH", 1000)
        for model in (Answer, Question, Member, Round):
            patch.setattr(admin.site._registry[model], "list_per_page", 1000)
        yield


def clear_caches():
    for each in caches.all():
        each.clear()


@pytest.fixture(scope="module")
def corpus(django_db_setup, django_db_blocker):
    """The payload corpus, built once for the module and rolled back after it (each test still
    runs in a transaction of its own inside), with what each sink's pages show of their own:
    learnt from the same pages holding harmless text, in a transaction undone before. Long
    pages and no rate limits for the whole module."""
    with django_db_blocker.unblock(), transaction.atomic(), long_pages():
        staff = Client()
        curator = UserFactory(username="curator", is_staff=True, is_superuser=True, password=None)
        staff.force_login(curator)
        own = {}
        with transaction.atomic():
            sinks = Sinks(build_corpus(HARMLESS, 1), Client(), staff)
            for sink in SINKS:
                own[sink] = {f.what for page, _i in sinks.pages(sink) for f in check_html(page)}
            transaction.set_rollback(True)
        clear_caches()  # no page of the harmless rounds may be served for the payloads' ones
        yield build_corpus(PAYLOADS, 1), own, staff
        transaction.set_rollback(True)


def describe(finding, payloads):
    def name(index):
        if index is None or index >= len(payloads):
            return "-"
        return f"#{index} {payloads[index][0]!r}"

    return f"{finding.what[:300]}  (after {name(finding.before)}, before {name(finding.after)})"


class Sinks:
    """Fetches a sink's pages for one corpus: [(html, the payload's index when the page holds
    one payload, else None)]."""

    def __init__(self, corpus, client, staff):
        self.corpus, self.client, self.staff = corpus, client, staff

    def get(self, client, url, **params):
        response = client.get(url, params)
        assert response.status_code == 200, (url, response.status_code)
        return response.content.decode()

    def pages(self, sink):
        return getattr(self, sink.replace("-", "_"))()

    def board(self):
        return [(self.get(self.client, self.corpus.board.get_absolute_url()), None)]

    def question_pages(self):
        questions = Question.objects.filter(round=self.corpus.board)
        return [(self.get(self.client, q.get_absolute_url()), None) for q in questions]

    def member_pages(self):
        members = [self.corpus.writer, *self.corpus.members]
        return [(self.get(self.client, m.get_absolute_url()), None) for m in members]

    def search_snippets(self):
        url = reverse("qa:search")
        return [(self.get(self.client, url, q=term), None) for term in ("qxss", "axss")]

    def search_query(self):
        """The query, shown again in the search box: payloads a search box holds (200
        characters) at a time, in a round with no texts (the page lists every member too)."""
        url, empty = reverse("qa:search"), self.corpus.titles[0].number
        pages, query, first = [], "", 0
        for i, (_description, payload) in enumerate([*self.corpus.payloads, ("", "x" * 200)]):
            if query and len(query) + len(payload[:200]) >= 200:
                page = self.get(self.client, url, q=query, round=empty)
                pages.append((page, (first, i - 1)))
                query, first = "", i
            query = f"{query} {payload[:200]}".strip()
        return pages

    def history(self):
        answer = self.corpus.history
        return [(self.get(self.staff, answer.get_history_url(), a=1, b=2), None)]

    def round_titles(self):
        rounds = [self.corpus.board, *self.corpus.titles]
        return [
            (self.get(self.client, reverse("qa:round-list")), None),
            *((self.get(self.client, r.get_absolute_url()), None) for r in rounds),
        ]

    def preview(self):
        url = reverse("qa:answer-preview")
        pages = []
        for i, (_description, payload) in enumerate(self.corpus.payloads):
            response = self.staff.post(url, {"content": payload})
            assert response.status_code == 200, (url, response.status_code)
            pages.append((response.content.decode(), i))
        return pages

    def admin_lists(self):
        models = ("answer", "question", "member", "round")
        return [
            (self.get(self.staff, reverse(f"admin:qa_{model}_changelist")), None)
            for model in models
        ]

    def admin_change_pages(self):
        objects = [
            ("round", self.corpus.board),  # every question inline, with its author's name
            ("question", self.corpus.inline),  # every answer inline, with its author's name
            ("answer", self.corpus.history),  # every payload in one text
            *(("member", m) for m in self.corpus.members),
        ]
        return [
            (self.get(self.staff, reverse(f"admin:qa_{model}_change", args=[obj.pk])), None)
            for model, obj in objects
        ]

    def import_preview(self):
        """The round's export, uploaded in the admin: every payload as a member name, a
        question and an answer in the preview of what importing it would create."""
        url = reverse("qa:round-export", args=[self.corpus.export.number])
        upload = SimpleUploadedFile("week.md", self.get(self.client, url).encode())
        data = {"file": upload, "number": 9000, "marker": "👀", "state": Round.State.CLOSED}
        response = self.staff.post(reverse("admin:qa_round_import"), data)
        assert response.status_code == 200
        errors = re.findall(r'class="errorlist.*?</ul>', response.content.decode(), re.DOTALL)
        assert b'name="payload"' in response.content, f"the import was refused: {errors}"
        return [(response.content.decode(), None)]

    def feeds(self):
        """The HTML inside each entry; text constructs must hold text only."""
        pages = []
        atom = "{http://www.w3.org/2005/Atom}"
        for url in (reverse("qa:answer-feed"), reverse("qa:round-feed")):
            response = self.client.get(url)
            assert response.status_code == 200
            root = ET.fromstring(response.content)
            for entry in root.iter(f"{atom}entry"):
                for child in entry.iter():
                    if child.get("type") == "html":
                        pages.append((child.text or "", None))
                    elif child is not entry:
                        assert not child.tag.startswith("{http://www.w3.org/1999/xhtml}")
                        # Readers show these as text: checked as the text they are.
                        pages.append((html.escape(child.text or ""), None))
        return pages


SINKS = [
    "board", "question-pages", "member-pages", "search-snippets", "search-query", "history",
    "round-titles", "preview", "admin-lists", "admin-change-pages", "import-preview", "feeds",
]  # fmt: skip


# Sinks whose pages show every payload's marker; the others fetch one page per payload.
MARKED = set(SINKS) - {"search-query", "preview"}


@pytest.mark.parametrize("sink", SINKS)
def test_no_payload_becomes_active_html(sink, corpus, db):
    corpus, own, staff = corpus
    found, markers = [], set()
    for page, index in Sinks(corpus, Client(), staff).pages(sink):  # long pages: see corpus()
        findings = check_html(page)
        markers.update(int(m[1]) for m in MARKER.finditer(page))
        # A page of one payload, or a few: it names them, whatever the markers say.
        first, last = index if isinstance(index, tuple) else (index, index)
        found += [
            Finding(f.what, first, last) if index is not None else f
            for f in findings
            if f.what not in own[sink]
        ]
    assert not found, f"{sink}: {len(found)} findings\n" + "\n".join(
        describe(f, corpus.payloads) for f in found[:30]
    )
    if sink in MARKED:  # the payloads were really on these pages, escaped or sanitized
        missing = set(range(len(corpus.payloads))) - markers
        assert not missing, f"{sink}: no marker of payloads {sorted(missing)}"


def test_the_export_is_plain_markdown_that_imports_back_the_same(corpus, db, client):
    corpus = corpus[0]
    response = client.get(reverse("qa:round-export", args=[corpus.export.number]))
    assert response["Content-Type"].startswith("text/markdown")
    assert response["Content-Disposition"].startswith("attachment;")  # never shown as a page
    parsed = parse_round(response.content)
    assert parsed.warnings == []
    stored = Question.objects.filter(round=corpus.export).select_related("author")
    expected = {q.author.name: clean_question_text(q.text) for q in stored}
    read = {m.name: [q.text for q in m.questions] for m in parsed.members}
    mismatched = [
        corpus.payloads[int(MARKER.search(name)[1])][0]
        for name, text in expected.items()
        if read.get(name) != [text]
    ]
    assert not mismatched, mismatched
    bodies = {a.body for a in Answer.objects.filter(round=corpus.export)}
    assert {a.body for a in parsed.answers} == {normalize_markdown(b) for b in bodies}


def test_the_payloads_are_many_and_distinct():
    payloads = load_payloads()
    assert len(payloads) >= 100
    assert len({p for _d, p in payloads}) == len(payloads)
    assert all(p and d for d, p in payloads)


def test_the_checker_finds_what_it_looks_for():
    """The corpus test can fail: each kind of finding is recognised, between its markers."""
    bad = [
        "<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
        '<a href=" java&#x09;script:alert(1)">x</a>', '<a href="&#1;vbscript:x">x</a>',
        '<img src="data:text/html,x">', '<p style="color:red">x</p>', "<iframe></iframe>",
        '<form action="/x"></form>', "<svg></svg>", "<math></math>", "<base href=/>",
        '<meta http-equiv="refresh">', '<button formaction="javascript:x">',
        '<svg><a xlink:href="javascript:x"></a></svg>', "<style>p{}</style>",
    ]  # fmt: skip
    for text in bad:
        findings = check_html(f"<p>xss001</p>{text}<p>xss002</p>")
        assert findings, text
        assert {(f.before, f.after) for f in findings} == {(1, 2)}, text
    assert not check_html(render_markdown("**a** [b](https://example.com) ![c](/d.png) `<x>`"))
