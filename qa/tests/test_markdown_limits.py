"""No text makes the renderer stall: lexers that backtrack, huge blocks, deep nesting."""

import threading
import time
from html import escape

import pytest

from qa import highlighting, markdown
from qa.markdown import render_markdown

# Scala's string rule backtracks exponentially on backslashes: about 0.3 s at 30, minutes at 40.
BACKTRACKING_SCALA = '```scala\n"' + "\\" * 40 + "\n```\n"
PYTHON_BLOCK = "```python\nx = 1\n```\n"


@pytest.fixture(autouse=True)
def short_budget(monkeypatch):
    monkeypatch.setattr(markdown, "HIGHLIGHT_SECONDS", 0.3)
    highlighting.clear_cache()
    yield
    highlighting.clear_cache()


def timed(function, *args):
    started = time.monotonic()
    result = function(*args)
    return result, time.monotonic() - started


def test_a_backtracking_lexer_falls_back_to_plain_code_within_the_budget():
    html, seconds = timed(render_markdown, BACKTRACKING_SCALA)
    assert seconds < 3  # 0.3 s of budget, generously pinned; unbounded it runs for minutes
    assert html == '<pre><code class="language-scala">"' + "\\" * 40 + "\n</code></pre>\n"


def test_the_budget_is_shared_by_all_blocks_of_a_text():
    text = (BACKTRACKING_SCALA + "\n") * 20 + PYTHON_BLOCK
    html, seconds = timed(render_markdown, text)
    assert seconds < 3  # twenty blocks of minutes each, one budget of 0.3 s
    assert html.count('<pre><code class="language-scala">') == 20
    # Past the budget even a harmless block stays plain rather than wait.
    assert '<pre><code class="language-python">x = 1\n</code></pre>' in html


def test_an_earlier_timer_is_kept():
    fired = []
    previous = highlighting.signal.signal(highlighting.signal.SIGALRM, lambda *a: fired.append(1))
    try:
        highlighting.signal.setitimer(highlighting.signal.ITIMER_REAL, 0.5)
        assert '<pre class="highlight">' in render_markdown(PYTHON_BLOCK)
        time.sleep(0.7)
    finally:
        highlighting.signal.setitimer(highlighting.signal.ITIMER_REAL, 0)
        highlighting.signal.signal(highlighting.signal.SIGALRM, previous)
    assert fired == [1]


def render_in_a_thread(text):
    results = []
    worker = threading.Thread(target=lambda: results.append(timed(render_markdown, text)))
    worker.start()
    worker.join(timeout=30)
    return results[0]


def test_threads_highlight_in_a_child_process_under_the_same_budget(monkeypatch):
    # Starting the child counts in the budget; on a loaded machine (CI runs two suites'
    # workers at once) that alone can take longer than 0.3 s, so the harmless blocks get more.
    monkeypatch.setattr(markdown, "HIGHLIGHT_SECONDS", 5)
    html, _ = render_in_a_thread(PYTHON_BLOCK)
    assert '<pre class="highlight"><code class="language-python"><span class="n">x</span>' in html

    monkeypatch.setattr(markdown, "HIGHLIGHT_SECONDS", 0.3)
    html, seconds = render_in_a_thread(BACKTRACKING_SCALA)
    assert seconds < 3
    assert html.startswith('<pre><code class="language-scala">')
    # The stalled child was killed; the next block gets a new one.
    highlighting.clear_cache()
    monkeypatch.setattr(markdown, "HIGHLIGHT_SECONDS", 5)
    html, _ = render_in_a_thread(PYTHON_BLOCK)
    assert '<pre class="highlight">' in html


def test_a_block_longer_than_the_limit_is_not_lexed():
    code = '" \n' * (highlighting.MAX_CHARS // 3 + 1)
    html, seconds = timed(render_markdown, f"```c\n{code}```\n")
    assert seconds < 1
    assert html.startswith('<pre><code class="language-c">" \n')


def test_the_highlight_cache_is_bounded_by_bytes(monkeypatch):
    cache = highlighting._Cache(size=10_000)
    for number in range(100):
        cache.put(("python", f"x = {number}" + " " * 500), "<span>" * 100)
    assert cache.used <= 10_000
    assert cache.get(("python", "x = 99" + " " * 500)) is not None
    assert cache.get(("python", "x = 0" + " " * 500)) is None
    cache.put(("python", "huge"), "x" * 5_000)  # over a quarter of the cache: not kept
    assert cache.get(("python", "huge")) is None


@pytest.mark.parametrize("text", [">" * 100_000, "<div>" * 100_000, "- " * 5_000 + "x"])
def test_deep_nesting_is_shown_as_written_without_reaching_the_sanitizer(text):
    html, seconds = timed(render_markdown, text)
    assert seconds < 3  # 100,000 nested quotes took the sanitizer minutes
    assert html.startswith('<pre class="unrendered"><code>')
    assert escape(text[:500], quote=False) in html


def test_ordinary_nesting_renders():
    text = "> " * 20 + "quoted\n\n" + "".join("  " * n + "- item\n" for n in range(10))
    html = render_markdown(text)
    assert html.count("<blockquote>") == 20
    assert html.count("<ul>") == 10


@pytest.mark.parametrize("text", ["<div>\n" + "<b" * 24_000, "<div>\n" + '<a "' * 12_000])
def test_tags_left_open_do_not_stall_the_depth_check(text):
    html, seconds = timed(render_markdown, text)
    assert seconds < 3  # each "<" with no ">" after it read to the end of the text: a minute
    assert html == "<div>\n</div>"
