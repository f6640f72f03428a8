"""Emoji shortcodes (`:pushpin:`) in the one renderer, as GitHub renders them; no database."""

import json
from pathlib import Path

import pytest

from qa.markdown import EMOJI, render_markdown


@pytest.mark.parametrize(
    ("text", "rendered"),
    [
        (":pushpin: 핵심 정리", "<p>📌 핵심 정리</p>\n"),
        (
            ":bulb: :eyes: :white_check_mark: :+1: :-1: :smile: :100:",
            "<p>💡 👀 ✅ 👍 👎 😄 💯</p>\n",
        ),
        # GitHub's pattern needs no space around a name.
        ("답변:pushpin:끝", "<p>답변📌끝</p>\n"),
        # Names with their variation selector, as gemoji writes them.
        (":heart: :warning:", "<p>\u2764\ufe0f \u26a0\ufe0f</p>\n"),
        ("# :tada: 1주차", "<h1>🎉 1주차</h1>\n"),
        ("- [x] :memo: 정리\n", '<ul>\n<li><input type="checkbox" checked="" disabled="disabled"> 📝 정리</li>\n</ul>\n'),
        ("**:fire:** _:rocket:_", "<p><strong>🔥</strong> <em>🚀</em></p>\n"),
        (
            "|상태|뜻|\n|--|--|\n|:x:|:o:|\n",
            "<table>\n<thead>\n<tr>\n<th>상태</th>\n<th>뜻</th>\n</tr>\n</thead>\n"
            "<tbody>\n<tr>\n<td>❌</td>\n<td>⭕</td>\n</tr>\n</tbody>\n</table>\n",
        ),
        ("> :star: 인용", "<blockquote>\n<p>⭐ 인용</p>\n</blockquote>\n"),
        # A link's text gets its emoji; its URL keeps its colons.
        (
            "[:link: 문서](https://example.com/a:smile:b)",
            '<p><a href="https://example.com/a:smile:b" rel="nofollow noopener">🔗 문서</a></p>\n',
        ),
    ],
)
def test_known_shortcodes_become_their_emoji(text, rendered):
    assert render_markdown(text) == rendered


@pytest.mark.parametrize(
    ("text", "rendered"),
    [
        (":nope: :Smile: :smile :smile : smile:", "<p>:nope: :Smile: :smile :smile : smile:</p>\n"),
        # GitHub's custom images are not Unicode emoji: left as written.
        (":octocat: :shipit:", "<p>:octocat: :shipit:</p>\n"),
        ("10:30:45, std::vector", "<p>10:30:45, std::vector</p>\n"),
    ],
)
def test_unknown_names_are_left_as_written(text, rendered):
    assert render_markdown(text) == rendered


def test_an_unknown_name_leaves_its_colon_to_the_next_name():
    # GitHub looks for known names only, so ":nope:pushpin:" holds ":pushpin:".
    assert render_markdown(":nope:pushpin:") == "<p>:nope📌</p>\n"


def test_a_colon_serves_one_name_only():
    assert render_markdown(":pushpin:pushpin:") == "<p>📌pushpin:</p>\n"


@pytest.mark.parametrize(
    ("text", "rendered"),
    [
        ("`:smile:` :smile:", "<p><code>:smile:</code> 😄</p>\n"),
        ("```\n:smile:\n```\n", "<pre><code>:smile:\n</code></pre>\n"),
        ("    :smile: 들여쓴 코드\n", "<pre><code>:smile: 들여쓴 코드\n</code></pre>\n"),
        (
            "```python\nx = ':smile:'\n```\n",
            '<pre class="highlight"><code class="language-python"><span class="n">x</span> '
            '<span class="o">=</span> <span class="s1">\':smile:\'</span>\n</code></pre>\n',
        ),
        ("<tt>:smile:</tt> :smile:", "<p>:smile: 😄</p>\n"),
        ("<pre>:smile:</pre>\n", "<pre>:smile:</pre>\n"),
    ],
)
def test_code_keeps_shortcodes_as_written(text, rendered):
    assert render_markdown(text) == rendered


@pytest.mark.parametrize(
    ("text", "rendered"),
    [
        # Autolinked: the URL and the text that shows it.
        (
            "https://example.com/:smile:/x :smile:",
            '<p><a href="https://example.com/:smile:/x" rel="nofollow noopener">'
            "https://example.com/:smile:/x</a> 😄</p>\n",
        ),
        (
            "www.example.com/:eyes:/x :eyes:",
            '<p><a href="http://www.example.com/:eyes:/x" rel="nofollow noopener">'
            "www.example.com/:eyes:/x</a> 👀</p>\n",
        ),
        (
            "https://example.com/:smile::eyes:/x?q=:+1:",
            '<p><a href="https://example.com/:smile::eyes:/x?q=:+1" rel="nofollow noopener">'
            "https://example.com/:smile::eyes:/x?q=:+1</a>:</p>\n",
        ),
        # A name before a URL in the same run of text is not part of it.
        (
            "가:smile:https://example.com/:eyes:/x",
            '<p>가😄<a href="https://example.com/:eyes:/x" rel="nofollow noopener">'
            "https://example.com/:eyes:/x</a></p>\n",
        ),
        # cmark leaves a closing colon out of the link; the name still ends in the URL.
        (
            "https://example.com/:eyes: 끝",
            '<p><a href="https://example.com/:eyes" rel="nofollow noopener">'
            "https://example.com/:eyes</a>: 끝</p>\n",
        ),
        (
            "<https://example.com/:+1:>",
            '<p><a href="https://example.com/:+1:" rel="nofollow noopener">'
            "https://example.com/:+1:</a></p>\n",
        ),
        (
            "![:smile:](https://example.com/:smile:.png)",
            '<p><img src="https://example.com/:smile:.png" alt=":smile:"></p>\n',
        ),
    ],
)
def test_urls_keep_shortcodes_as_written(text, rendered):
    assert render_markdown(text) == rendered


def test_html_attributes_keep_shortcodes_as_written():
    rendered = render_markdown(
        '<abbr title="a :smile: b">:smile:</abbr> <img alt=\'c :eyes:\' title="x > :eyes:"'
        ' src="https://example.com/i.png">'
    )
    assert rendered == (
        '<p><abbr title="a :smile: b">😄</abbr> <img alt="c :eyes:" title="x &gt; :eyes:"'
        ' src="https://example.com/i.png"></p>\n'
    )


def test_the_table_is_githubs_names():
    names = json.loads((Path(__file__).parents[1] / "gemoji.json").read_text(encoding="utf-8"))
    assert names is not EMOJI and names == EMOJI
    assert len(EMOJI) == 1913
    # gemoji's, where other tables differ: 🪲 and 🥚, not 🐞 and 🍳.
    assert (EMOJI["beetle"], EMOJI["egg"], EMOJI["thumbsup"]) == ("🪲", "🥚", "👍")
    assert "thumbs_up" not in EMOJI and "Turkey" not in EMOJI


def test_a_hundred_and_forty_shortcodes_in_one_answer():
    text = "\n".join(f"{n}. :pushpin: 요점 {n}" for n in range(1, 141))
    rendered = render_markdown(text)
    assert rendered.count("📌") == 140
    assert ":pushpin:" not in rendered
