"""`make soak`: members pick, answer, edit one shared answer and add questions at once, for a
fixed time, against gunicorn with production settings; then every acknowledged write is looked
for in the database.

1. A fresh PostgreSQL database gets a round that takes answers (every question already picked
   for the group, so each takes answers) and a round that takes questions, 4 per member.
2. gunicorn serves it on loopback with Redis as the cache and the rate limits on. Each
   simulated member is a thread with its own cookies: it signs in through the real form
   (CSRF token included) and loops over what members do, through the pages a browser would
   load first for their tokens and versions. The curators and the shared answer's author all
   edit that one answer, so their saves collide; a 409 is answered by merging and saving on
   the conflict page's version, as its form offers.
3. Afterwards, through the ORM: each acknowledged write is in the database (a pick's last
   acknowledged state, an answer's last acknowledged text and its version count, every added
   question not deleted since, no deleted one), the shared answer's history holds each
   acknowledged edit exactly at the version after the one it was based on (a lost update
   puts it later), every 409 was a real conflict, no request got a 5xx, no limit was hit,
   the derived data is current (rebuild_derived --check) and visitors' cached pages show the
   final texts.

The figures go to standard output and, when every check passes, between the markers in
docs/RELIABILITY.md. SOAK_SECONDS (60), SOAK_MEMBERS (12), SOAK_CURATORS (3) change the run.
"""

import http.client
import os
import random
import re
import statistics
import sys
import threading
import time
from collections import Counter, defaultdict
from http.cookies import SimpleCookie
from io import StringIO
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (  # noqa: E402  (bench/ is not a package: run as a script)
    ROOT,
    Server,
    create_database,
    flush_cache,
    machine,
    percentile,
    production_settings,
    workers,
    write_report,
)

DATABASE_URL = os.environ.get("SOAK_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/soak_bench")
REDIS_URL = os.environ.get("SOAK_REDIS_URL", "redis://127.0.0.1:6379/14")
PORT = int(os.environ.get("SOAK_PORT", "8766"))
SECONDS = int(os.environ.get("SOAK_SECONDS", "60"))
MEMBERS = int(os.environ.get("SOAK_MEMBERS", "12"))
CURATORS = int(os.environ.get("SOAK_CURATORS", "3"))
REPORT = Path(os.environ.get("SOAK_REPORT", ROOT / "docs" / "RELIABILITY.md"))
START, END = "<!-- soak:start -->", "<!-- soak:end -->"
PASSWORD = "soak-password-for-loopback-only"
QUESTION_LIMIT = 4
# The rate limits stay on (qa/limits.py; allauth's for signing in); each member keeps under
# them: one sign-in per account (MEMBERS of 30 per address), previews at most every 2 s
# (120/min allowed), searches every 3 s (30/min allowed). The cache is emptied first, so
# earlier runs count nothing.
PREVIEW_EVERY, SEARCH_EVERY = 2.0, 3.0

# Cookies over plain HTTP on loopback, as the README says for trying production settings.
production_settings(DATABASE_URL, REDIS_URL, DJANGO_SECURE_COOKIES="0")

# What each request may get; anything else is a failure. Forms and pages answer 200.
EXPECTED = {
    "sign in": {302},
    "pick": {302},  # refused or not: the message says which
    "answer save": {302},  # nobody else writes a member's own answer
    "shared edit save": {302, 409},
    "shared edit save after 409": {302, 409},
    "question add": {302, 200},  # 200: the form again, at the limit
    "question delete": {302},
}

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION_FIELD = re.compile(r'name="version" value="(\d+)"')
QUESTION_ANCHOR = re.compile(r"#question-(\d+)$")


class Browser:
    """One member's HTTP client: a cookie jar, CSRF tokens from the pages, every request
    timed and counted by kind."""

    def __init__(self, log):
        self.cookies = {}
        self.log = log

    def request(self, kind, method, path, fields=None):
        """(status, headers, body); status None when the connection failed."""
        headers = {"Host": f"127.0.0.1:{PORT}", "Accept-Language": "ko"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urlencode(fields).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", errors="replace")
        except OSError as error:
            self.log.record(kind, None, time.perf_counter() - started, f"{path}: {error}")
            return None, {}, ""
        finally:
            connection.close()
        self.log.record(kind, response.status, time.perf_counter() - started, path)
        set_cookies = self.store_cookies(response.headers.get_all("Set-Cookie") or [])
        return response.status, {"set-cookie": set_cookies, **dict(response.headers)}, text

    def store_cookies(self, lines):
        """Keep the session and CSRF cookies; return the names of every cookie set."""
        names = set()
        for line in lines:
            for name, morsel in SimpleCookie(line).items():
                names.add(name)
                if name == "messages":
                    # A browser shows the message on its next page and drops it; only whether
                    # one was set matters here (a refused pick says why in one).
                    continue
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return names

    def get_form(self, kind, path):
        """GET a page with a form: (status, its CSRF token, the page)."""
        status, _headers, text = self.request(kind, "GET", path)
        token = CSRF_FIELD.search(text)
        return status, token.group(1) if token else self.cookies.get("csrftoken", ""), text


class Log:
    """Every request's kind, status and time, and every acknowledged or refused write."""

    def __init__(self):
        self.lock = threading.Lock()
        self.requests = defaultdict(list)  # kind: [(status, seconds)]
        self.errors = []
        # kind: what each acknowledged write stored (or, for a refused edit, its version)
        self.writes = defaultdict(list)
        self.refused = Counter()

    def record(self, kind, status, seconds, where):
        with self.lock:
            self.requests[kind].append((status, seconds))
            if status is None or status >= 500:
                self.errors.append(f"{kind} {where}: {status or 'connection failed'}")

    def note(self, kind, **write):
        with self.lock:
            self.writes[kind].append({"at": time.monotonic(), **write})

    def refuse(self, reason):
        with self.lock:
            self.refused[reason] += 1


class Member(threading.Thread):
    def __init__(self, index, plan, log, deadline):
        super().__init__(name=f"member-{index}")
        self.index = index
        self.username = plan["usernames"][index]
        self.member_id = plan["member_ids"][index]
        self.is_curator = index < CURATORS
        self.plan = plan
        self.log = log
        self.deadline = deadline
        self.browser = Browser(log)
        self.random = random.Random(index)
        self.sequence = 0
        self.picked = {}  # question id: whether my pick is on, as last acknowledged
        self.my_questions = []  # in the round taking questions, oldest first
        self.next_preview = self.next_search = 0.0

    def token(self):
        self.sequence += 1
        return f"soak-{self.username}-{self.sequence}"

    def run(self):
        if not self.sign_in():
            return
        editors_of_shared = self.is_curator or self.member_id == self.plan["shared_author_id"]
        actions = [
            (self.toggle_pick, 3),
            (self.write_own_answer, 3),
            (self.add_question, 2),
            (self.preview, 1),
            (self.search, 1),
        ]
        if editors_of_shared:
            actions.append((self.edit_shared_answer, 4))
        choices, weights = zip(*actions)
        while time.monotonic() < self.deadline:
            self.random.choices(choices, weights)[0]()
            time.sleep(self.random.uniform(0, 0.1))  # a moment between clicks

    def sign_in(self):
        status, token, _ = self.browser.get_form("sign-in form", "/accounts/login/")
        status, headers, _ = self.browser.request(
            "sign in",
            "POST",
            "/accounts/login/",
            {"csrfmiddlewaretoken": token, "login": self.username, "password": PASSWORD},
        )
        if status != 302 or "sessionid" not in self.browser.cookies:
            self.log.errors.append(f"{self.username} could not sign in: {status}")
            return False
        return True

    def toggle_pick(self):
        """From the board, as the member sees it: 👀 on another member's question, or off."""
        _status, token, _ = self.browser.get_form("board, signed in", "/rounds/1/")
        question_id = self.random.choice(
            [q for q, author in self.plan["answering_questions"] if author != self.member_id]
        )
        picked = not self.picked.get(question_id, False)
        status, headers, _ = self.browser.request(
            "pick",
            "POST",
            f"/questions/{question_id}/pick/",
            {"csrfmiddlewaretoken": token, "pick": "1" if picked else "0", "next": "/rounds/1/"},
        )
        if status != 302:
            return
        if "messages" in headers["set-cookie"]:
            # Refused with a message: one pick per member's list per round.
            self.log.refuse("pick refused by a rule (one per member's list)")
            return
        self.picked[question_id] = picked
        self.log.note("pick", member=self.member_id, question=question_id, picked=picked)

    def write_own_answer(self):
        question_id = self.random.choice(
            [
                q
                for q, _author in self.plan["answering_questions"]
                if q != self.plan["shared_question_id"]
                or self.member_id != self.plan["shared_author_id"]
            ]
        )
        path = f"/questions/{question_id}/answer/"
        _status, token, page = self.browser.get_form("answer editor", path)
        version = VERSION_FIELD.search(page)
        if not version:
            return
        body = self.answer_text()
        status, _headers, _ = self.browser.request(
            "answer save",
            "POST",
            path,
            {"csrfmiddlewaretoken": token, "version": version.group(1), "body": body},
        )
        if status == 302:
            self.log.note("answer", member=self.member_id, question=question_id, body=body)

    def edit_shared_answer(self):
        """Load the shared answer's editor, take a moment to write, save on the version
        loaded; after a 409, merge and save once more on the version the page offers."""
        path = f"/answers/{self.plan['shared_answer_id']}/edit/"
        _status, token, page = self.browser.get_form("shared answer editor", path)
        version = VERSION_FIELD.search(page)
        if not version:
            return
        time.sleep(self.random.uniform(0, 0.3))  # typing: others may save meanwhile
        for attempt in ("shared edit save", "shared edit save after 409"):
            base = int(version.group(1))
            body = self.answer_text()
            status, _headers, page = self.browser.request(
                attempt,
                "POST",
                path,
                {"csrfmiddlewaretoken": token, "version": base, "body": body},
            )
            if status == 302:
                self.log.note("shared edit", base=base, body=body, by=self.username)
                return
            if status != 409:
                self.log.note("shared edit refused", base=base, status=status)
                return
            self.log.note("shared edit conflict", base=base, by=self.username)
            token, version = CSRF_FIELD.search(page), VERSION_FIELD.search(page)
            if not (token and version):
                return
            token = token.group(1)

    def add_question(self):
        """Add to my list in the round taking questions; at the limit, delete my oldest."""
        _status, token, _ = self.browser.get_form("question form", "/rounds/2/questions/add/")
        text = f"{self.token()}: 로드 밸런싱과 캐시 일관성, 무엇을 먼저 볼까요?"
        status, headers, _ = self.browser.request(
            "question add",
            "POST",
            "/rounds/2/questions/add/",
            {"csrfmiddlewaretoken": token, "label": "Q.", "text": text},
        )
        if status == 302:
            question_id = int(QUESTION_ANCHOR.search(headers["Location"]).group(1))
            self.my_questions.append(question_id)
            self.log.note("question", id=question_id, text=text, member=self.member_id)
            return
        if status != 200:
            return
        self.log.refuse("question add refused at the limit of 4")
        if not self.my_questions:
            return
        oldest = self.my_questions[0]
        path = f"/rounds/2/questions/{oldest}/delete/"
        _status, token, _ = self.browser.get_form("question delete page", path)
        status, _headers, _ = self.browser.request(
            "question delete", "POST", path, {"csrfmiddlewaretoken": token}
        )
        if status == 302:
            self.my_questions.pop(0)
            self.log.note("question deleted", id=oldest)

    def preview(self):
        if time.monotonic() < self.next_preview:
            return
        self.next_preview = time.monotonic() + PREVIEW_EVERY
        self.browser.request(
            "preview",
            "POST",
            "/answers/preview/",
            {"csrfmiddlewaretoken": self.browser.cookies.get("csrftoken", ""),
             "content": self.answer_text()},
        )  # fmt: skip

    def search(self):
        if time.monotonic() < self.next_search:
            return
        self.next_search = time.monotonic() + SEARCH_EVERY
        term = self.random.choice(["로드밸런싱", "캐시", "soak", "교착 상태"])
        self.browser.request("search", "GET", "/search/?" + urlencode({"q": term}))

    def answer_text(self):
        token = self.token()
        return (
            f"## {token}\n\n"
            "L4는 전송 계층에서, L7은 응용 계층에서 나눕니다.\n\n"
            "| 구분 | L4 | L7 |\n|---|---|---|\n| 기준 | IP, 포트 | URL, 헤더 |\n\n"
            f"```python\ndef route(request):\n    return pick(servers, '{token}')\n```"
        )  # no line break at the end: the form strips it, and the texts are compared as sent


def prepare():
    """Members with accounts, a round taking answers and one taking questions."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from qa.models import Member as MemberRow
    from qa.models import Round

    password = make_password(PASSWORD)  # hashed once: every account shares it
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"soak{i:02d}", password=password, is_staff=i < CURATORS)
        for i in range(MEMBERS)
    )
    members = [MemberRow.objects.create(name=f"멤버{i:02d}", user=u) for i, u in enumerate(users)]
    answering = Round.objects.create(number=1, title="1주차 소크", state=Round.State.ANSWERING)
    Round.objects.create(
        number=2, title="2주차 소크", state=Round.State.QUESTIONS_OPEN,
        question_limit=QUESTION_LIMIT,
    )  # fmt: skip
    questions = []
    for member in members:
        for n in (1, 2):
            question = answering.add_question(member, f"{member.name}의 질문 {n}: TCP와 UDP?")
            question.pick(None)  # the group's pick: every question takes answers
            questions.append(question)
    # The shared answer: by the first member who is no curator, edited by the curators too.
    author = members[min(CURATORS, MEMBERS - 1)]
    shared_question = next(q for q in questions if q.author != author)
    shared = shared_question.save_answer(author, "## 함께 고치는 답변\n\n처음 글.")
    return {
        "usernames": [u.username for u in users],
        "member_ids": [m.pk for m in members],
        "answering_questions": [(q.pk, q.author_id) for q in questions],
        "shared_question_id": shared_question.pk,
        "shared_answer_id": shared.pk,
        "shared_author_id": author.pk,
    }


def verify(plan, log):
    """Every acknowledged write against the database; a list of what is wrong."""
    from django.core.management import CommandError, call_command

    from qa.models import Answer, Pick, Question

    problems = list(log.errors)
    for kind, rows in log.requests.items():
        unexpected = Counter(s for s, _ in rows if s not in EXPECTED.get(kind, {200}))
        problems += [f"{kind}: {n} answers {s}" for s, n in unexpected.items() if s]
    writes = log.writes
    # 👀: the last acknowledged state of each member's pick of each question.
    last_pick = {}
    for write in writes["pick"]:
        last_pick[write["member"], write["question"]] = write["picked"]
    stored = set(Pick.objects.filter(picker__isnull=False).values_list("picker", "question"))
    for key, picked in last_pick.items():
        if (key in stored) != picked:
            problems.append(f"pick {key}: acknowledged {'on' if picked else 'off'}, stored not")
    # Own answers: the last acknowledged text, and one version for each acknowledged save.
    own = defaultdict(list)
    for write in writes["answer"]:
        own[write["member"], write["question"]].append(write["body"])
    answers = {
        (a.author_id, a.question_id): a for a in Answer.objects.exclude(pk=plan["shared_answer_id"])
    }
    for key, bodies in own.items():
        answer = answers.get(key)
        if answer is None or answer.body != bodies[-1]:
            problems.append(f"answer {key}: the last acknowledged text is not stored")
        elif answer.version != len(bodies):
            problems.append(
                f"answer {key}: version {answer.version} after {len(bodies)} acknowledged saves"
            )
    # The shared answer: each acknowledged edit stored right after the version it was based
    # on; an edit stored any later overwrote a text it never saw (a lost update).
    shared = Answer.objects.get(pk=plan["shared_answer_id"])
    history = {shared.version: shared.body}
    history.update(shared.revisions.values_list("version", "body"))
    edits = writes["shared edit"]
    for edit in edits:
        at = [v for v, body in history.items() if body == edit["body"]]
        if at != [edit["base"] + 1]:
            problems.append(
                f"shared edit by {edit['by']} based on version {edit['base']} is stored at "
                f"{at or 'no version'}: version {edit['base'] + 1} was overwritten unseen"
            )
    if len(history) != 1 + len(edits):
        problems.append(
            f"the shared answer has {len(history)} versions after {len(edits)} acknowledged "
            "edits of its first text"
        )
    last = max(edits, key=lambda e: e["base"], default=None)
    if last and shared.body != last["body"]:
        problems.append("the shared answer's text is not the last acknowledged edit")
    for conflict in writes["shared edit conflict"]:
        if conflict["base"] + 1 not in history:
            problems.append(f"a 409 on version {conflict['base']}, which nothing replaced")
    for refusal in writes["shared edit refused"]:
        problems.append(f"a shared edit refused with {refusal['status']}, not 409")
    # Questions: every acknowledged one is there unless its deletion was acknowledged too.
    deleted = {write["id"] for write in writes["question deleted"]}
    texts = dict(Question.objects.filter(round__number=2).values_list("pk", "text"))
    for write in writes["question"]:
        if write["id"] in deleted:
            if write["id"] in texts:
                problems.append(f"question {write['id']}: deleted, still stored")
        elif texts.get(write["id"]) != write["text"]:
            problems.append(f"question {write['id']}: acknowledged, not stored")
    # Past the limit no member has more questions than the round allows.
    counts = Counter(Question.objects.filter(round__number=2).values_list("author", flat=True))
    problems += [f"member {m}: {n} questions" for m, n in counts.items() if n > QUESTION_LIMIT]
    limited = sum(s == 429 for rows in log.requests.values() for s, _ in rows)
    if limited:
        problems.append(f"{limited} requests hit a rate limit: the soak must stay under them")
    try:
        call_command("rebuild_derived", "--check", stdout=StringIO())
    except CommandError as error:
        problems.append(f"derived data: {error}")
    return problems


def visitors_see_final_texts(server, plan):
    """A visitor's question pages (cached whole) show every answer's final text."""
    from qa.models import Answer

    browser = Browser(Log())
    problems = []
    for question_id, _author in plan["answering_questions"]:
        _status, _headers, page = browser.request("visitor", "GET", f"/questions/{question_id}/")
        for body in Answer.objects.filter(question_id=question_id).values_list("body", flat=True):
            heading = body.split("\n", 1)[0].removeprefix("## ")
            if heading not in page:
                problems.append(f"/questions/{question_id}/ lacks the final text {heading}")
    return problems


def figures(log, elapsed, load):
    lines = [
        "| Request | count | p50 ms | p95 ms | answers |",
        "|---|---:|---:|---:|---|",
    ]
    total = 0
    for kind, rows in log.requests.items():
        timings = sorted(seconds * 1000 for _, seconds in rows)
        statuses = Counter(status or "failed" for status, _ in rows)
        total += len(rows)
        answers = ", ".join(f"{count} × {status}" for status, count in sorted(statuses.items()))
        lines.append(
            f"| {kind} | {len(rows)} | {statistics.median(timings):.0f} "
            f"| {percentile(timings, 0.95):.0f} | {answers} |"
        )
    writes = {kind: len(rows) for kind, rows in log.writes.items()}
    acknowledged = sum(
        writes.get(kind, 0)
        for kind in ("pick", "answer", "shared edit", "question", "question deleted")
    )
    server_errors = sum(
        1 for rows in log.requests.values() for status, _ in rows if status and status >= 500
    )
    failed = sum(1 for rows in log.requests.values() for status, _ in rows if status is None)
    refusals = "\n".join(f"  - {reason}: {count}" for reason, count in log.refused.items())
    refusals = refusals or "  - none"
    summary = (
        f"- {total:,} requests in {elapsed:.0f} s: {total / elapsed:.1f} requests/s\n"
        f"- acknowledged writes: {acknowledged:,} ({writes.get('pick', 0)} picks and unpicks, "
        f"{writes.get('answer', 0)} saves of members' own answers, "
        f"{writes.get('shared edit', 0)} edits of the shared answer, "
        f"{writes.get('question', 0)} questions added, "
        f"{writes.get('question deleted', 0)} deleted), every one found in the database\n"
        f"- conflicts on the shared answer: {writes.get('shared edit conflict', 0)}, every one a "
        f"409 on a version another save had replaced; no edit was refused otherwise\n"
        f"- refused by the board's rules, as expected (not 5xx):\n{refusals}\n"
        f"- 5xx answers: {server_errors}; failed connections: {failed}; "
        f"429 (rate limited): 0\n"
        f"- load average (1 min) of the whole machine: {load[0]} before, {load[1]} at the end"
    )
    return summary, "\n".join(lines)


def load_average():
    """The machine's 1-minute load: it is shared, and what else runs shows in the figures."""
    return Path("/proc/loadavg").read_text().split()[0]


def main():
    import django
    from django.core.management import call_command

    create_database(DATABASE_URL)
    django.setup()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    flush_cache()
    plan = prepare()
    log = Log()
    load = [load_average()]
    with Server(PORT) as server:
        started = time.monotonic()
        deadline = started + SECONDS
        members = [Member(i, plan, log, deadline) for i in range(MEMBERS)]
        print(f"{MEMBERS} members ({CURATORS} curators) for {SECONDS} s ...", flush=True)
        for member in members:
            member.start()
        for member in members:
            member.join()
        elapsed = time.monotonic() - started
        load.append(load_average())
        problems = verify(plan, log) + visitors_see_final_texts(server, plan)
    summary, table = figures(log, elapsed, load)
    print(summary, table, sep="\n\n")
    if problems:
        print(f"\n{len(problems)} problems:", *problems[:50], sep="\n", file=sys.stderr)
        raise SystemExit(1)
    stamp = time.strftime("%Y-%m-%d %H:%M %Z")
    setup = (
        f"- gunicorn {__import__('gunicorn').__version__}, {workers()} sync workers, rate limits "
        f"on; {MEMBERS} simulated members ({CURATORS} of them curators), each a thread with its "
        f"own HTTP client on the same machine, for {SECONDS} s"
    )
    write_report(
        REPORT,
        f"Measured by `make soak` on {stamp}:\n\n{machine()}\n{setup}\n\n{summary}\n\n{table}",
        "Reliability",
        START,
        END,
    )
    print(f"\nEvery check passed. Written to {REPORT}")


if __name__ == "__main__":
    main()
