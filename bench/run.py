"""`make bench`: every page under gunicorn and wrk, side by side with /healthz, in one run.

1. Markdown render+sanitize time for a 10 KB answer, first, while the machine is quiet.
2. A fresh PostgreSQL database gets 200 rounds x 12 members (4 questions each, 3 answers
   per picked question) from generate_demo_data.
3. gunicorn serves it with production settings on loopback, Redis as the cache; wrk drives
   each page for a fixed time, the board, question and member pages also signed in as a
   member, each right after /healthz, which its ratio is to. Queries per request are
   counted with Django's test client against the same database, on a second (warm)
   request, as the server sees them.
4. The database grows past 100,000 answers and the pages are driven again: what must not
   change with the data's size is shown not to.
5. import_history reads a group's repository of 200 week folders with 12 answer files each
   (written to a temporary folder) into a fresh database: the time a group moving in waits.
   `python bench/run.py import-history` runs this step alone.

The tables go to standard output and between the markers in docs/PERFORMANCE.md, with a
table of issue 16's targets at both sizes first.
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (  # noqa: E402  (bench/ is not a package: run as a script)
    ROOT,
    Server,
    create_database,
    flush_cache,
    machine,
    percentile,
    production_settings,
    signed_in_member,
    workers,
    write_report,
)

DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/studyboard_bench"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
PORT = int(os.environ.get("BENCH_PORT", "8765"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
HEALTHZ_SECONDS = max(1, SECONDS // 2)
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
LATENCY_REQUESTS = int(os.environ.get("BENCH_LATENCY_REQUESTS", "100"))
REPORT = ROOT / "docs" / "PERFORMANCE.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"

SMALL = {"rounds": 200, "members": 12, "answers_per_question": 3, "seed": 1}
# The same shape of board as SMALL, only many more of them: each page shows what it showed
# at 200 rounds, so any difference comes from the data's size alone.
LARGE = {"rounds": 2600, "members": 12, "answers_per_question": 3, "seed": 2}
if os.environ.get("BENCH_QUICK"):  # a smoke test of the benchmark itself, not a measurement
    SMALL = {"rounds": 4, "members": 4, "answers_per_question": 2, "seed": 1}
    LARGE = {"rounds": 4, "members": 5, "answers_per_question": 3, "seed": 2}
    SECONDS = 1
    REPORT = Path(os.environ.get("BENCH_REPORT", "/tmp/PERFORMANCE-quick.md"))
# 200 weeks of 12 members, each with 4 questions (one picked) and an answer file of 3 answers.
HISTORY = {"weeks": 200, "members": 12}
if os.environ.get("BENCH_QUICK"):
    HISTORY = {"weeks": 4, "members": 4}
SEARCHES = ["로드밸런싱", "교착 상태", "캐시", "load balancing", "TCP"]

# wrk is one address asking thousands of times a second: the rate limits would answer it.
production_settings(DATABASE_URL, REDIS_URL, RATELIMIT_ENABLE="0")


def wrk(url, seconds, connections=CONNECTIONS, cookie=None):
    threads = min(2, connections)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    result = subprocess.run(
        [*command, "-s", str(ROOT / "bench" / "report.lua"), url],
        capture_output=True,
        text=True,
        check=True,
    )
    stats = json.loads(result.stdout.strip().splitlines()[-1])
    if stats["non_2xx"] or stats["socket_errors"]:
        raise SystemExit(
            f"{url}: {stats['non_2xx']} non-2xx answers, {stats['socket_errors']} socket errors"
        )
    stats["rps"] = stats["requests"] / (stats["duration_us"] / 1e6)
    return stats


def queries_per_request(path, client=None):
    """Queries of a second request for the page (the first one may fill the cache)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = client or Client()
    first = client.get(path)
    assert first.status_code == 200, (path, first.status_code)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(queries), len(response.content)


def pages():
    """The pages to drive: label, path."""
    from qa.models import Answer, Member, Round

    newest = Round.objects.visible().order_by("-number").first()
    middle = Round.objects.get(number=max(1, newest.number // 2))
    answer = Answer.objects.filter(question__round=middle).select_related("question").first()
    member = Member.objects.order_by("pk").first()
    rows = [
        ("/healthz", "/healthz"),
        ("/ (this week's board)", "/"),
        (f"/rounds/{middle.number}/", f"/rounds/{middle.number}/"),
        (f"/questions/{answer.question_id}/", f"/questions/{answer.question_id}/"),
        (f"/members/{member.name}/", f"/members/{quote(member.name)}/"),
        ("/bank/ (question bank)", "/bank/"),
    ]
    rows += [(f"/search/?q={term}", f"/search/?q={quote(term)}") for term in SEARCHES]
    return rows


def measure(title):
    from qa.models import Answer, Question, Round

    counts = {
        "rounds": Round.objects.count(),
        "questions": Question.objects.count(),
        "answers": Answer.objects.count(),
    }
    print(f"\n== {title}: {counts['rounds']} rounds, {counts['questions']} questions, "
          f"{counts['answers']} answers", flush=True)
    rows = []
    flush_cache()
    member, cookie = signed_in_member()
    runs = []
    # Members see their own buttons: their pages are built from cached shared parts and
    # what is theirs, rendered for them (qa.pagecache.SharedParts).
    for label, path in pages():
        runs.append((label, path, None, None))
        if path.startswith(("/rounds/", "/questions/", "/members/")):
            runs.append((f"{label} signed in", path, member, cookie))
    latency = []
    with Server(PORT) as server:
        for label, path, client, cookie in runs:
            queries, size = queries_per_request(path, client)
            server.wait_until_idle()
            wrk(server.url(path), 2, cookie=cookie)  # warm-up: connections, caches, imports
            # Each page is compared with /healthz measured just before it: this machine's
            # speed drifts by a third within minutes, which a single /healthz at the start
            # of the run would count against whichever pages came at a slow moment.
            if path != "/healthz":
                server.wait_until_idle()
                healthz = wrk(server.url("/healthz"), HEALTHZ_SECONDS)["rps"]
            server.wait_until_idle()
            stats = wrk(server.url(path), SECONDS, cookie=cookie)
            if path == "/healthz":
                healthz = stats["rps"]
            ratio = stats["rps"] / healthz
            rows.append(
                {"page": label, "queries": queries, "kb": size / 1024, **stats,
                 "healthz": healthz, "ratio": ratio}
            )  # fmt: skip
            print(f"{label:40} {stats['rps']:8.0f} req/s {ratio:5.0%}", flush=True)
        # One client at a time: how long one search takes, without waiting behind others.
        for label, path, _client, _cookie in runs:
            if path.startswith("/search/"):
                server.wait_until_idle()
                timings = server.latency(path, LATENCY_REQUESTS)
                latency.append({"page": label, "timings": timings})
    return counts, rows, latency


# The targets of issue 16, as ratios to /healthz in the same run: (label, kind of page, target).
TARGETS = [
    ("a round's board, signed in", "board signed in", "≥ 40%"),
    ("a question page, signed in", "question signed in", "≥ 40%"),
    ("a member page, visitor", "member", "≥ 30%"),
    ("a member page, signed in", "member signed in", "≥ 30%"),
    ("search under 8 connections", "search", "≥ 15%"),
    ("search p95 one at a time, ms", "search p95", "< 30 ms at 100,000 answers"),
    ("visitors' board", "board", "≥ 60%"),
    ("visitors' question page", "question", "≥ 60%"),
]


def kind(label):
    """Which of TARGETS' kinds of page a row of measure() is."""
    signed = " signed in" if label.endswith(" signed in") else ""
    if label.startswith("/ ("):  # this week's board, at /
        return "board" + signed
    for prefix, name in (("/rounds/", "board"), ("/questions/", "question"),
                         ("/members/", "member"), ("/search/", "search")):  # fmt: skip
        if label.startswith(prefix):
            return name + signed
    return None


def targets_table(results):
    """One row per target, one column per data size: the range over that kind's pages."""
    header = "| Page | target | " + " | ".join(f"{title}" for title, _r, _l in results) + " |"
    lines = [header, "|---|---|" + "---:|" * len(results)]
    for label, name, target in TARGETS:
        cells = []
        for _title, rows, latency in results:
            if name == "search p95":
                values = [percentile(row["timings"], 0.95) for row in latency]
                low, high = (f"{min(values):.1f}", f"{max(values):.1f}") if values else ("—", "—")
                cells.append(low if low == high else f"{low}-{high}")
                continue
            ratios = [row["ratio"] for row in rows if kind(row["page"]) == name]
            low, high = (f"{min(ratios):.0%}", f"{max(ratios):.0%}") if ratios else ("—", "—")
            cells.append(low if low == high else f"{low}-{high}")
        lines.append(f"| {label} | {target} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def table(rows):
    lines = [
        "| Page | req/s | /healthz just before, req/s | vs /healthz | p50 ms | p95 ms | p99 ms "
        "| queries/request | KB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        if not row["requests"]:  # nothing finished within the run
            lines.append(
                f"| `{row['page']}` | 0 | {row['healthz']:.0f} | 0% | — | — | — "
                f"| {row['queries']} | {row['kb']:.0f} |"
            )
            continue
        lines.append(
            f"| `{row['page']}` | {row['rps']:.0f} | {row['healthz']:.0f} | {row['ratio']:.0%} "
            f"| {row['p50'] / 1000:.1f} "
            f"| {row['p95'] / 1000:.1f} | {row['p99'] / 1000:.1f} | {row['queries']} "
            f"| {row['kb']:.0f} |"
        )
    return "\n".join(lines)


def latency_table(rows):
    lines = ["| Search | p50 ms | p95 ms | slowest ms |", "|---|---:|---:|---:|"]
    for row in rows:
        timings = row["timings"]
        lines.append(
            f"| `{row['page']}` | {statistics.median(timings):.1f} "
            f"| {percentile(timings, 0.95):.1f} | {timings[-1]:.1f} |"
        )
    return "\n".join(lines)


def markdown_timing():
    """render_markdown on a 10 KB answer of the generator's kind: median and p95 of 300 runs.

    Cold: every code block highlighted anew, as when an answer is first saved. Preview: the
    same text again, as the editor's live preview renders it while the writer types prose.
    """
    import random

    from qa import highlighting
    from qa.demo import corpus
    from qa.demo.generator import answer_body
    from qa.markdown import plain_text, render_markdown

    rng = random.Random(10)
    text = ""
    while len(text.encode()) < 12 * 1024:
        text += answer_body(rng, rng.choice(corpus.TOPICS)) + "\n"
    # Cut at the last section heading before 10 KB, never inside a code block.
    head = text.encode()[: 10 * 1024].decode(errors="ignore")
    text = head[: head.rfind("\n\n### ")] + "\n"
    render_markdown(text)  # lexers load once per process

    def timings(prepare):
        runs = []
        for _ in range(300):
            prepare()
            started = time.perf_counter()
            render_markdown(text)
            runs.append((time.perf_counter() - started) * 1000)
        runs.sort()
        return statistics.median(runs), runs[int(len(runs) * 0.95)]

    cold = timings(highlighting.clear_cache)
    preview = timings(lambda: None)
    html = render_markdown(text)
    started = time.perf_counter()
    for _ in range(100):
        plain_text(html)
    return {
        "bytes": len(text.encode()),
        "tables": html.count("<table>"),
        "code_blocks": html.count("<pre"),
        "cold": cold,
        "preview": preview,
        "plain_text": (time.perf_counter() - started) * 10,
    }


def write_history_tree(root, weeks, members, seed=3):
    """A repository in the week-folders layout: questions.md with every member's list (one
    👀 each) and one answer file per member answering three picked questions."""
    import random

    from qa.demo import corpus
    from qa.demo.generator import answer_body, member_names

    rng = random.Random(seed)
    names = member_names(members)
    for week in range(1, weeks + 1):
        folder = root / f"{week}주차"
        folder.mkdir(parents=True)
        lists, picked = [f"# {week}주차"], []
        for name in names:
            topics = rng.sample(corpus.TOPICS, 4)
            chosen = rng.randrange(4)
            lists.append(f"## {name}")
            for position, topic in enumerate(topics, start=1):
                text = f"{rng.choice(topic['questions'])} ({name} {week}-{position})"
                lists.append(f"- Q{position}. {'👀 ' if position - 1 == chosen else ''}{text}")
                if position - 1 == chosen:
                    picked.append((name, text, topic))
        (folder / "questions.md").write_text("\n".join(lists) + "\n", encoding="utf-8")
        for index, name in enumerate(names):
            sections = []
            for step in range(1, 4):
                _owner, text, topic = picked[(index + step) % len(picked)]
                sections.append(f"## {text}\n\n{answer_body(rng, topic)}")
            (folder / f"{name}_{week}주차.md").write_text("\n\n".join(sections), encoding="utf-8")


def history_timing():
    """Seconds import_history takes on HISTORY's repository, and what it imported."""
    import io
    import tempfile

    from django.core.management import call_command

    from qa.models import Answer, Question, Round

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "repo"
        write_history_tree(root, **HISTORY)
        first = (max(Round.objects.values_list("number", flat=True), default=0)) + 1
        started = time.perf_counter()
        call_command("import_history", str(root), "--first-round", str(first), stdout=io.StringIO())
        seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "rounds": Round.objects.filter(number__gte=first).count(),
        "questions": Question.objects.filter(round__number__gte=first).count(),
        "answers": Answer.objects.filter(round__number__gte=first).count(),
    }


def history_section(history):
    return (
        "### Moving in\n\n"
        f"`import_history` of a repository of {HISTORY['weeks']} week folders, each with a "
        f"question file and {HISTORY['members']} answer files: {history['seconds']:.1f} s for "
        f"{history['rounds']} rounds, {history['questions']:,} questions and "
        f"{history['answers']:,} answers (target: under 60 s)."
    )


def import_history_only():
    """`python bench/run.py import-history`: step 5 alone, on a fresh benchmark database."""
    create_database(DATABASE_URL)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    print(history_section(history_timing()))


def settle():
    """VACUUM and a checkpoint after a bulk load, so that autovacuum and the checkpointer do
    their part of it now, not during one page's 10 s (the fourth page measured after the
    200-round load, in two runs)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
        cursor.execute("CHECKPOINT")


def main():
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk (make bench does it)")
    create_database(DATABASE_URL)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    # A micro-benchmark of a few milliseconds on two cores: after the load below, autovacuum
    # and checkpoints of 100,000 new rows share the machine and double it.
    md = markdown_timing()
    sections, results = [], []
    for title, data in (("Board at 200 rounds", SMALL), ("Grown past 100,000 answers", LARGE)):
        started = time.perf_counter()
        call_command("generate_demo_data", **data)
        generated = time.perf_counter() - started
        settle()
        counts, rows, latency = measure(title)
        results.append((f"{counts['rounds']:,} rounds", rows, latency))
        args = " ".join(f"--{k.replace('_', '-')} {v}" for k, v in data.items())
        sections.append(
            f"### {title}\n\n"
            f"`generate_demo_data {args}` took {generated:.0f} s; the database then held "
            f"{counts['rounds']} rounds, {counts['questions']:,} questions and "
            f"{counts['answers']:,} answers.\n\n{table(rows)}\n\n"
            f"Search latency, one request at a time ({LATENCY_REQUESTS} requests each):\n\n"
            f"{latency_table(latency)}"
        )
        print(table(rows), latency_table(latency), sep="\n\n", flush=True)
    markdown = (
        "### Markdown\n\n"
        f"`render_markdown` (cmarkgfm, Pygments, nh3) on a {md['bytes'] / 1024:.1f} KB answer with "
        f"{md['tables']} tables and {md['code_blocks']} code blocks, 300 runs each:\n\n"
        "| Render | median ms | p95 ms |\n|---|---:|---:|\n"
        f"| first render (saving a new answer) | {md['cold'][0]:.2f} | {md['cold'][1]:.2f} |\n"
        f"| again, code blocks unchanged (live preview) | {md['preview'][0]:.2f} "
        f"| {md['preview'][1]:.2f} |\n\n"
        f"Extracting its search text (`plain_text`) takes {md['plain_text']:.2f} ms more, "
        "on save only."
    )
    print("\n" + markdown)
    # Last, on the grown database: the import reads the existing rounds and members too.
    history = history_section(history_timing())
    print("\n" + history)
    stamp = time.strftime("%Y-%m-%d %H:%M %Z")
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split()[1]
    setup = (
        f"- gunicorn {__import__('gunicorn').__version__}, {workers()} sync workers; "
        f"wrk {wrk_version}, 2 threads, {CONNECTIONS} connections, {SECONDS} s per page after "
        f"a 2 s warm-up, each page right after {HEALTHZ_SECONDS} s of `/healthz`, on the same "
        f"machine"
    )
    targets = (
        "### Targets (issue 16)\n\nRatios to `/healthz` measured just before each page in this "
        "run (a range where several pages are of the kind: the board and `/`, the five "
        "searches); search p95 in ms, one request at a time.\n\n"
        f"{targets_table(results)}"
    )
    print("\n" + targets)
    write_report(
        REPORT,
        f"Measured by `make bench` on {stamp}:\n\n{machine()}\n{setup}\n\n{targets}\n\n"
        + "\n\n".join(sections) + "\n\n" + markdown + "\n\n" + history,
        "Performance",
        START,
        END,
    )
    print(f"\nWritten to {REPORT}")


if __name__ == "__main__":
    if sys.argv[1:] == ["import-history"]:
        import_history_only()
    else:
        main()
