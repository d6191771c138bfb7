"""HTML email bodies: sanitised for display (nh3, the allow-list of ``tickets.rendering``) and
converted to plain text (the standard library's HTML parser) for the ticket's text."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import nh3

from tickets.rendering import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, ALLOWED_URL_SCHEMES, LINK_REL

BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "br",
        "tr",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "table",
        "blockquote",
        "pre",
        "hr",
        "ul",
        "ol",
        "section",
        "article",
        "header",
        "footer",
    }
)
SKIPPED_TAGS = frozenset({"script", "style", "head", "title", "template", "noscript"})


def sanitize_html(html: str) -> str:
    """Only the formatting tags and link attributes the ticket page allows; scripts, styles,
    remote images and event handlers go."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    ).strip()


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.quote_depth = 0
        self.at_line_start = True

    def _newline(self, text: str = "\n") -> None:
        self.parts.append(text)
        self.at_line_start = True

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED_TAGS:
            self.skipping += 1
        elif tag == "blockquote":
            self.quote_depth += 1
            self._newline()
        elif tag == "li":
            self._newline()
            self.parts.append("- ")
        elif tag in BLOCK_TAGS:
            self._newline()
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag == "blockquote":
            self.quote_depth = max(0, self.quote_depth - 1)
            self._newline()
        elif tag in BLOCK_TAGS:
            self._newline()

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        data = re.sub(r"[ \t\r\n\f\u00a0]+", " ", data)
        if not data.strip():
            self.parts.append(data)
            return
        if self.quote_depth and self.at_line_start:
            data = "> " * self.quote_depth + data.lstrip()
        self.at_line_start = False
        self.parts.append(data)


def html_to_text(html: str) -> str:
    """Readable plain text of an HTML body: block elements become line breaks, quoted blocks
    become ``> `` lines, scripts and styles vanish."""
    parser = _TextExtractor()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # noqa: BLE001, S110 - the parser is lenient; keep what was read
        pass
    lines = [" ".join(line.split()) for line in "".join(parser.parts).splitlines()]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
