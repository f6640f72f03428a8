"""The one renderer, tested without a database."""

import re

import nh3
import pytest
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name

from qa import highlighting
from qa.markdown import render_markdown

# Something of everything the Python lexer does: callbacks (def, import, f-strings), rules with
# their own flags (rb"..."), multi-line tokens, a string left open at a line's end, errors.
PYTHON_SAMPLE = r'''from collections import deque
import json as j


@decorator(key="<&>")
async def f(x: int = 0x1F, *args, **kwargs) -> dict[str, int]:
    """문서 <b>&amp;</b>
    둘째 줄"""
    y = rb"\d+" + Rb'\w' + f"{x!r:>10} & {x + 1}" + F'{{literal}}' + '\n'
    if x < 1 and not y or x >= 2e-3j:
        return {"a": [1, 2.5, -3], 'b': None}  # 주석 <script>
    s = "unclosed
    z = $ ? `back`
    lambda: (yield from g()) @ h
    class C(Base, metaclass=M): pass
    match x:
        case [1, *rest]: print(__name__, self, Ellipsis, ValueError)
'''


def _code_of(rendered):
    return re.search(r"<code[^>]*>(.*)</code>", rendered, re.DOTALL)[1]


def test_empty_text_renders_nothing():
    assert render_markdown("") == ""


def test_gfm_table_with_br_in_a_cell_renders_like_github():
    html = render_markdown("|구분|L4|L7|\n|--|--|--|\n|기능|단순함|복잡함 <br> url패턴|\n")
    assert "<table>" in html
    assert "<th>구분</th>" in html
    assert "<td>복잡함 <br> url패턴</td>" in html


def test_table_alignment_is_kept():
    html = render_markdown("|a|b|\n|:--|--:|\n|1|2|\n")
    assert '<td align="left">1</td>' in html
    assert '<td align="right">2</td>' in html


def test_fenced_code_keeps_its_language_and_is_highlighted():
    html = render_markdown("```python\ndef f():\n    return '<b>'\n```\n")
    assert '<pre class="highlight"><code class="language-python">' in html
    assert '<span class="k">def</span>' in html
    assert "&lt;b&gt;" in html
    assert "<b>" not in html


def test_fenced_code_without_language_is_plain_and_escaped():
    html = render_markdown("```\nsession <script>alert(1)</script>\n```\n")
    assert html == "<pre><code>session &lt;script&gt;alert(1)&lt;/script&gt;\n</code></pre>\n"


def test_unknown_language_keeps_class_without_highlighting():
    html = render_markdown("```nosuchlang\nx\n```\n")
    assert html == '<pre><code class="language-nosuchlang">x\n</code></pre>\n'


def test_bare_urls_become_links_with_nofollow_noopener():
    html = render_markdown("출처: https://www.geeksforgeeks.org/vrrp/\n")
    assert (
        '<a href="https://www.geeksforgeeks.org/vrrp/" rel="nofollow noopener">'
        "https://www.geeksforgeeks.org/vrrp/</a>"
    ) in html


def test_markdown_links_get_rel():
    html = render_markdown("[medium](https://medium.com/@crazy_nuclei/l4)")
    assert html == (
        '<p><a href="https://medium.com/@crazy_nuclei/l4" rel="nofollow noopener">medium</a></p>\n'
    )


def test_strikethrough_and_headings():
    html = render_markdown("### 응용 계층\n\n~~틀림~~")
    assert "<h3>응용 계층</h3>" in html
    assert "<del>틀림</del>" in html


def test_script_tags_never_survive_as_tags():
    # GFM's tagfilter shows them as text, exactly as GitHub does; nothing runs.
    html = render_markdown("<div><script>alert('x')</script>안전</div>")
    assert "<script" not in html.lower()
    assert "&lt;script&gt;" in html
    assert "안전" in html


def test_tags_past_the_gfm_tagfilter_are_removed_by_the_sanitizer():
    html = render_markdown('<object data="x.swf">fallback</object><embed src="y"><form><input type="text"></form>')
    assert "<object" not in html
    assert "<embed" not in html
    assert "<form" not in html
    assert "fallback" not in html


def test_event_handler_attributes_are_removed():
    html = render_markdown('<img src="a.png" onerror="alert(1)"> <a href="/x" onclick="y()">z</a>')
    assert "onerror" not in html
    assert "onclick" not in html
    assert '<img src="a.png">' in html


def test_javascript_urls_are_removed():
    html = render_markdown("[click](javascript:alert(1)) <a href=\"JaVaScRiPt:alert(1)\">x</a>")
    assert "javascript" not in html.lower()


def test_style_iframe_and_style_attributes_are_removed():
    html = render_markdown(
        '<style>body{display:none}</style><iframe src="https://evil"></iframe>'
        '<p style="position:fixed">p</p>'
    )
    assert "<style" not in html
    assert "<iframe" not in html
    assert "style=" not in html
    assert "<p>p</p>" in html


def test_raw_html_cannot_borrow_arbitrary_classes():
    html = render_markdown('<span class="k admin-only">x</span><code class="evil">y</code>')
    assert '<span class="k">x</span>' in html
    assert "admin-only" not in html
    assert "evil" not in html


def test_task_list_checkboxes_are_disabled():
    html = render_markdown("- [x] done\n- [ ] todo\n")
    assert '<input type="checkbox" checked="" disabled="disabled"> done' in html
    assert '<input type="checkbox" disabled="disabled"> todo' in html


def test_highlighted_code_escapes_markup_inside_each_token():
    html = render_markdown('```python\nif a < b & c:\n    s = "x&y<z>"  # 비교\n```\n')
    assert '<span class="o">&lt;</span>' in html
    assert '<span class="o">&amp;</span>' in html
    assert '<span class="s2">"x&amp;y&lt;z&gt;"</span>' in html
    assert '<span class="c1"># 비교</span>' in html


def test_a_token_over_several_lines_gets_a_span_on_each_line():
    html = render_markdown('```python\ndef f():\n    """첫 줄\n    <둘째> 줄"""\n```\n')
    assert (
        '<span class="sd">"""첫 줄</span>\n<span class="sd">    &lt;둘째&gt; 줄"""</span>' in html
    )


def test_characters_the_lexer_rejects_are_marked_as_errors():
    html = render_markdown("```python\nreturn $x\n```\n")
    assert '<span class="err">$</span><span class="n">x</span>' in html


def test_token_types_without_a_short_class_use_their_parents():
    # Pygments calls this value Literal.Scalar.Plain; only the "l" is in the stylesheet.
    html = render_markdown("```yaml\n- key: value\n```\n")
    assert '<span class="l">value</span>' in html
    assert "Scalar" not in html


def _short_classes(formatted):
    """HtmlFormatter's output with each span's classes cut to the short one qa.markdown keeps:
    "l l-Scalar l-Scalar-Plain" becomes "l"."""
    return re.sub(r'<span class="([^" ]+)[^"]*">', r'<span class="\1">', formatted)


# Each language has markup characters inside its tokens, and tokens over several lines where
# the language has them.
SAMPLES = {
    "python": PYTHON_SAMPLE,
    "javascript": "const re = /a+b/gi; let s = `x ${y + 1}\n<p>`; // 주석\nfoo?.bar ?? 0;\n",
    "sql": "SELECT a, COUNT(*) FROM t WHERE b <> 'x''y' AND c LIKE '%&%' -- 주석\n/* 두\n줄 */\n",
    "bash": 'for f in *.txt; do echo "${f%.txt}" > /dev/null 2>&1; done <<EOF\nx\nEOF\n',
    "java": 'public class A<T> { @Override public String toString() { return "<" + 1L; } }\n',
    "c": '#include <stdio.h>\n/* a <b>\n   c */\nint main(void) { return 1 << 2 && "&"; }\n',
    "go": 'func main() { ch := make(chan int, 3); fmt.Printf("%d&\\n", <-ch) }\n',
    "json": '{"a": [1, true, null], "<b>": "&amp;"}\n',
    "yaml": "- key: value\n  other: |\n    <multi>\n    line & more\n",
}


@pytest.mark.parametrize("language", sorted(SAMPLES))
def test_highlighting_writes_what_pygments_html_formatter_writes(language):
    code = SAMPLES[language]
    formatted = highlight(code, get_lexer_by_name(language), HtmlFormatter(nowrap=True))
    assert highlighting.highlighted(language, code) == _short_classes(formatted)


def test_highlighted_block_shows_what_pygments_html_formatter_shows():
    formatted = highlight(PYTHON_SAMPLE, get_lexer_by_name("python"), HtmlFormatter(nowrap=True))
    expected = nh3.clean(formatted, tags={"span"}, attributes={"span": {"class"}})
    assert _code_of(render_markdown(f"```python\n{PYTHON_SAMPLE}```\n")) == expected
