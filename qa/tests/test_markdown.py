"""The one renderer, tested without a database."""

from qa.markdown import render_markdown


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
