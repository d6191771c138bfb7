"""Message rendering: Markdown in, sanitised HTML out, with nothing executable getting through."""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from tickets.rendering import ALLOWED_TAGS, render_message_html

XSS_PAYLOADS = [
    pytest.param("<script>alert(1)</script>", id="script_tag_case"),
    pytest.param("<img src=x onerror=alert(1)>", id="img_onerror_case"),
    pytest.param("[x](javascript:alert(1))", id="markdown_javascript_link_case"),
    pytest.param("[x](JaVaScRiPt:alert(1))", id="markdown_mixed_case_scheme_case"),
    pytest.param('<a href="javascript:alert(1)">x</a>', id="raw_javascript_anchor_case"),
    pytest.param("[x](data:text/html;base64,PHNjcmlwdD4=)", id="data_url_case"),
    pytest.param("[x](vbscript:msgbox(1))", id="vbscript_url_case"),
    pytest.param('<div style="color:red" onclick="alert(1)">hi</div>', id="raw_html_case"),
    pytest.param("<iframe src=https://evil.example></iframe>", id="iframe_case"),
    pytest.param("<svg onload=alert(1)>", id="svg_onload_case"),
    pytest.param(
        '[x](https://ok.example "a\\" onmouseover=\\"alert(1)")', id="title_breakout_case"
    ),
    pytest.param("![a](http://evil/x.png)", id="remote_image_case"),
    pytest.param("![a](javascript:alert(1))", id="javascript_image_case"),
]


class _ElementCollector(HTMLParser):
    """Collects the real elements of an HTML fragment (not text that merely looks like tags)."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {name: value or "" for name, value in attrs}))


def _elements(html: str) -> list[tuple[str, dict[str, str]]]:
    collector = _ElementCollector()
    collector.feed(html)
    collector.close()
    return collector.elements


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_it_never_emits_executable_markup(payload: str) -> None:
    elements = _elements(render_message_html(payload))
    attributes = {name for _tag, attrs in elements for name in attrs}
    hrefs = [attrs["href"] for tag, attrs in elements if tag == "a"]

    assert {tag for tag, _attrs in elements} <= ALLOWED_TAGS
    assert attributes <= {"href", "title", "rel", "start"}
    assert all(urlsplit(href).scheme in {"http", "https", "mailto"} for href in hrefs)


def test_it_escapes_raw_html_as_text() -> None:
    html = render_message_html("<script>alert(1)</script> <img src=x onerror=alert(1)>")

    assert html == (
        "<p>&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt;</p>"
    )


def test_it_leaves_a_javascript_link_as_plain_text() -> None:
    assert render_message_html("[x](javascript:alert(1))") == "<p>[x](javascript:alert(1))</p>"


def test_it_turns_a_remote_image_into_a_safe_link() -> None:
    html = render_message_html("![a](http://evil/x.png)")

    assert html == ('<p>!<a href="http://evil/x.png" rel="noopener noreferrer nofollow">a</a></p>')


@pytest.mark.parametrize(
    ("source", "expected_href"),
    [
        pytest.param(
            "[site](https://desk.example/help)", "https://desk.example/help", id="https_case"
        ),
        pytest.param("[site](http://desk.example)", "http://desk.example", id="http_case"),
        pytest.param(
            "[mail](mailto:help@desk.example)", "mailto:help@desk.example", id="mailto_case"
        ),
    ],
)
def test_it_keeps_safe_links_with_rel(source: str, expected_href: str) -> None:
    html = render_message_html(source)

    assert f'href="{expected_href}"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_it_drops_links_with_other_schemes() -> None:
    html = render_message_html("<ftp://files.example/x>")

    assert "href" not in html


def test_it_preserves_chinese_text() -> None:
    html = render_message_html("你好，我的**入金**仍未到賬。\n\n請盡快處理，謝謝！")

    assert html == "<p>你好，我的<strong>入金</strong>仍未到賬。</p>\n<p>請盡快處理，謝謝！</p>"


def test_it_renders_formatting() -> None:
    html = render_message_html(
        "# Steps\n\n1. Open *Settings*\n2. Tap ~~Reset~~ **Sync**\n\n> quoted\n\n`code`\n\n---"
    )

    assert html == (
        "<h1>Steps</h1>\n<ol>\n<li>Open <em>Settings</em></li>\n"
        "<li>Tap <s>Reset</s> <strong>Sync</strong></li>\n</ol>\n"
        "<blockquote>\n<p>quoted</p>\n</blockquote>\n<p><code>code</code></p>\n<hr>"
    )


def test_it_renders_tables_without_inline_styles() -> None:
    html = render_message_html("| Symbol | Qty |\n|:--|--:|\n| 0700.HK | 100 |")

    assert html == (
        "<table>\n<thead>\n<tr>\n<th>Symbol</th>\n<th>Qty</th>\n</tr>\n</thead>\n"
        "<tbody>\n<tr>\n<td>0700.HK</td>\n<td>100</td>\n</tr>\n</tbody>\n</table>"
    )


def test_it_keeps_email_line_breaks() -> None:
    assert render_message_html("Thanks,\nChan Tai Man") == "<p>Thanks,<br>\nChan Tai Man</p>"


def test_it_renders_code_blocks_without_classes() -> None:
    html = render_message_html('```json\n{"error": 429}\n```')

    assert html == '<pre><code>{"error": 429}\n</code></pre>'


def test_it_renders_empty_text_as_empty_html() -> None:
    assert render_message_html("") == ""
