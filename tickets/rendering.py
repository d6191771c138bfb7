"""Turning a message's Markdown (or a plain email body) into HTML that is safe to show.

Two layers, so that a bug in one is not enough for an injection:

1. markdown-it-py renders CommonMark plus tables and strikethrough with raw HTML *disabled*, so
   ``<script>`` and friends in the source come out as escaped text. Its link validator already
   refuses ``javascript:``, ``vbscript:``, ``file:`` and ``data:`` URLs. Image syntax is switched
   off: ``![alt](url)`` renders as ``!`` plus an ordinary link, so a message can never make a
   reader's browser fetch a remote resource (tracking pixels) just by being opened. Single line
   breaks are kept (``breaks``), because most bodies are emails and chat lines, not prose.
2. nh3 (ammonia) then keeps only an allow-list of formatting tags, only ``href``/``title`` on
   links, only ``http``/``https``/``mailto`` URLs, and stamps every link with
   ``rel="noopener noreferrer nofollow"``. No ``style``, no ``class``, no event handlers.

The result is stored in ``Message.body_html`` once, when the message is saved.
"""

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS: frozenset[str] = frozenset(
    {
        "p",
        "br",
        "strong",
        "em",
        "del",
        "s",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
        "a",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    }
)
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {"a": {"href", "title"}, "ol": {"start"}}
ALLOWED_URL_SCHEMES: frozenset[str] = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"

_markdown = (
    MarkdownIt(
        "commonmark", {"html": False, "breaks": True, "linkify": False, "typographer": False}
    )
    .enable(["table", "strikethrough"])
    .disable("image")
)


def render_message_html(text: str) -> str:
    """Render ``text`` (Markdown or plain text) to sanitised HTML.

    Plain text from emails renders as paragraphs; Chinese and other non-Latin text is kept as is.
    The output contains only the tags in ``ALLOWED_TAGS``.
    """
    html = _markdown.render(text or "")
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    ).strip()
