"""The importer reads any line in linear time, and its patterns still accept what they did."""

import random
import re
import signal
import time
from contextlib import contextmanager

import pytest
from django.utils import translation

from qa import importer
from qa.importer import RoundFileError, parse_round

LONG = 100_000  # a crafted line of about 100 KB, well inside the admin's 1 MB upload limit
BOUND_SECONDS = 2  # generous: each file below parses in a few milliseconds


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


class TooSlow(Exception):
    pass


@contextmanager
def within(seconds):
    """Fail once `seconds` have passed, rather than wait minutes for a backtracking pattern:
    the regex engine checks for signals while it runs."""

    def expire(signum, frame):
        raise TooSlow(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def parsed_within_bound(text):
    started = time.monotonic()
    with within(BOUND_SECONDS):
        parsed = parse_round(text)
    assert time.monotonic() - started < BOUND_SECONDS
    return parsed


def round_file(*, title="# 3주차", questions_tail="", answers=""):
    return (
        f"{title}\n\nsky\n```\n1. L4와 L7의 차이\n👀\n2. 로드 밸런싱이 필요한 이유\n```\n"
        f"{questions_tail}\n---\n\n# ANSWER\n\n{answers}"
    )


SKY_SECTION = "## sky님의 질문\n\n로드 밸런싱이 필요한 이유\n\n"


def test_a_long_title_heading_with_spaces_inside_is_refused_quickly():
    # Quadratic in the old heading pattern (about a minute); cubic in the old section
    # pattern, which every line outside a fence is tried against.
    title = "# a" + " " * LONG + "b"
    with pytest.raises(RoundFileError) as refused:
        parsed_within_bound(round_file(title=title))
    assert refused.value.line == 1
    assert "title is longer than" in refused.value.message


def test_a_long_closing_sequence_of_hashes_is_read_quickly():
    line = "###### a" + " #" * (LONG // 2)
    parsed = parsed_within_bound(round_file(questions_tail=f"\n{line}\n", answers=SKY_SECTION))
    # A level-6 heading names no member: it is skipped with a warning, the rest imports.
    assert [m.name for m in parsed.members] == ["sky"]
    assert any(no == 10 and "Skipped" in message for no, message in parsed.warnings)


def test_a_heading_line_of_spaces_in_the_answers_is_read_quickly():
    line = "# " + " " * LONG + "x"
    parsed = parsed_within_bound(round_file(answers=f"{line}\n\n{SKY_SECTION}답변"))
    assert any("before the first answer section" in message for _no, message in parsed.warnings)
    assert [a.body for a in parsed.answers] == ["답변"]


def test_a_section_heading_with_a_long_run_of_spaces_is_read_quickly():
    line = "## sky" + " " * LONG + "님의 질문"
    parsed = parsed_within_bound(round_file(answers=f"{line}\n\n로드 밸런싱이 필요한 이유\n\n답변"))
    assert [(a.member, a.body) for a in parsed.answers] == [("sky", "답변")]


def test_repeated_section_words_are_read_quickly():
    line = "## " + "님의 질문 " * (LONG // 6) + "x"
    parsed = parsed_within_bound(round_file(answers=f"{SKY_SECTION}답변\n\n{line}"))
    # Not a section heading (it does not end in 님의 질문): a line of the answer.
    assert parsed.answers[0].body == f"답변\n\n{line}"


def test_an_author_line_with_a_long_run_of_spaces_is_read_quickly():
    not_author = "### ✍️ " + " " * LONG + "x"
    author = "### ✍️ bee" + " " * LONG + "님의 답변"
    answers = f"{SKY_SECTION}{not_author}\n\n{author}\n\nbee의 답변"
    parsed = parsed_within_bound(round_file(answers=answers))
    assert [(a.author, a.body) for a in parsed.answers] == [
        (None, not_author),
        ("bee", "bee의 답변"),
    ]


# The patterns before they were made linear: the new ones must match the same stripped lines
# and give the same names.
OLD_PATTERNS = {
    "_HEADING": (re.compile(r"^(?P<level>#{1,6})\s+(?P<text>.+?)(?:\s+#+)?$"), "text"),
    "_SECTION": (re.compile(r"^#{1,4}\s*(?P<name>.+?)\s*님의\s*질문\s*:?$"), "name"),
    "_AUTHOR": (re.compile(r"^###\s*✍\ufe0f?\s*(?P<name>.+?)\s*님의\s*답변$"), "name"),
}
PIECES = [
    "#", "#", "#", " ", " ", "\t", "\u3000", "a", "님", "의", "질", "문", "답", "변", ":",
    "✍", "\ufe0f", "님의", "질문", "답변", " 님의 질문", " 님의 답변", "✍\ufe0f",
]  # fmt: skip
STARTS = ["#", "##", "###", "####", "#####", "######", "#######", "### ✍️", "###✍", ""]


def what_it_reads(pattern, group, line):
    match = pattern.match(line)
    if match is None:
        return None
    # Callers strip every name; a blank name is "" either way.
    return match.groupdict().get("level"), (match[group] or "").strip()


@pytest.mark.parametrize("name", OLD_PATTERNS)
def test_the_linear_patterns_read_lines_as_the_old_ones_did(name):
    old, group = OLD_PATTERNS[name]
    new = getattr(importer, name)
    rng = random.Random(15)
    differences = []
    for _ in range(20_000):
        pieces = rng.choices(PIECES, k=rng.randint(0, 8))
        line = (rng.choice(STARTS) + "".join(pieces)).strip()
        if what_it_reads(old, group, line) != what_it_reads(new, group, line):
            differences.append(line)
    assert not differences, differences[:10]
