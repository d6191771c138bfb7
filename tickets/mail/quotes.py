"""Finding where the new text of an email reply ends and the quoted history or signature begins,
so that the ticket page shows the new text and collapses the rest (nothing is deleted).

Recognised starts of quoted history (first match wins, from the top):

* ``On <date>, <name> wrote:`` (possibly wrapped over two lines), and the same in French,
  German, Spanish, Dutch, Portuguese, Italian, Swedish and Chinese Gmail/Apple Mail
  (``在 … 写道：`` / ``於 … 寫道：``);
* ``-----Original Message-----`` and its Chinese forms (``原始郵件`` / ``原始邮件``);
* Outlook's header block: a line ``From:`` / ``寄件者:`` / ``发件人:`` … followed within four
  lines by ``Sent:`` / ``Date:`` / ``寄件日期:`` / ``发送时间:`` / ``Subject:`` / ``主旨:`` …,
  optionally after a line of underscores;
* a run of ``>`` lines that continues to the end (blank lines and ``>`` lines only);
* a signature separator ``-- `` line.
"""

from __future__ import annotations

import re

from tickets.rendering import render_message_html

_WROTE = re.compile(
    r"^\s*(>\s*)?("
    r"On\b.{0,300}\b(wrote|writes)\s*:"
    r"|Le\b.{0,300}a écrit\s*:"
    r"|Am\b.{0,300}schrieb.{0,100}:"
    r"|El\b.{0,300}escribió\s*:"
    r"|Op\b.{0,300}schreef.{0,100}:"
    r"|Em\b.{0,300}escreveu\s*:"
    r"|Il giorno\b.{0,300}ha scritto\s*:"
    r"|Den\b.{0,300}skrev.{0,100}:"
    r"|在.{0,200}(写道|寫道)\s*[:：]?"
    r"|於.{0,200}(写道|寫道)\s*[:：]?"
    r")\s*$",
    re.IGNORECASE,
)
_ORIGINAL = re.compile(
    r"^\s*-{2,}\s*(Original Message|Forwarded message|原始郵件|原始邮件|原始訊息|"
    r"Ursprüngliche Nachricht|Message d'origine|Mensaje original)\s*-{2,}\s*$",
    re.IGNORECASE,
)
_FROM = re.compile(r"^\s*\*?(From|寄件者|寄件人|发件人|發件人|Von|De|Van|Från)\s*\*?\s*[:：]", re.I)
_HEADER_FOLLOW = re.compile(
    r"^\s*\*?(Sent|Date|To|Subject|Cc|寄件日期|日期|发送时间|發送時間|时间|時間|主旨|主題|主题|"
    r"收件者|收件人|副本|抄送|Gesendet|Envoyé|Enviado|Datum|Betreff|Objet|Asunto)\s*\*?\s*[:：]",
    re.IGNORECASE,
)
_UNDERSCORES = re.compile(r"^\s*_{8,}\s*$")
_WROTE_END = re.compile(
    r"(wrote|writes|написал|написала|skrev|schrieb|a écrit|escribió|escreveu|schreef|"
    r"ha scritto|kirjoitti|写道|寫道)\s*[:：]\s*$",
    re.IGNORECASE,
)
_SIGNATURE = re.compile(r"^-- ?$")
_QUOTED = re.compile(r"^\s*>")


def _outlook_header_at(lines: list[str], index: int) -> bool:
    if not _FROM.match(lines[index]):
        return False
    following = [line for line in lines[index + 1 : index + 6] if line.strip()]
    return any(_HEADER_FOLLOW.match(line) for line in following[:4])


def quote_start(text: str) -> int | None:
    """The index of the first line of quoted history or signature, or ``None``."""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if (
            _ORIGINAL.match(line)
            or _UNDERSCORES.match(line)
            and index + 1 < len(lines)
            and (_outlook_header_at(lines, index + 1))
        ):
            return index
        if _WROTE.match(line):
            return index
        if index + 1 < len(lines) and line.strip() and len(line) + len(lines[index + 1]) < 300:
            joined = f"{line} {lines[index + 1]}"
            next_alone = _WROTE.match(lines[index + 1]) or re.search(r"\d", lines[index + 1])
            if not next_alone and (
                _WROTE.match(joined)
                or (_WROTE_END.search(lines[index + 1]) and re.search(r"\d", joined))
            ):
                return index
        if len(line) < 300 and _WROTE_END.search(line) and re.search(r"\d", line):
            return index
        if _outlook_header_at(lines, index):
            return index
        if _SIGNATURE.match(line):
            return index
        if _QUOTED.match(line) and all(
            not rest.strip() or _QUOTED.match(rest) for rest in lines[index:]
        ):
            return index
    return None


def split_reply(text: str) -> tuple[str, str]:
    """``(new text, quoted history)``; the history is empty when none is found. When the whole
    message would be "quoted" (a bare forward), everything counts as new text."""
    start = quote_start(text)
    if start is None:
        return text, ""
    lines = text.split("\n")
    visible = "\n".join(lines[:start]).rstrip()
    if not visible.strip():
        return _bottom_posted(lines)
    return visible, "\n".join(lines[start:]).strip("\n")


def _bottom_posted(lines: list[str]) -> tuple[str, str]:
    """A reply written below the quote: ``On … wrote:`` then ``>`` lines, then the new text."""
    end = 1
    while end < len(lines) and (not lines[end].strip() or _QUOTED.match(lines[end])):
        end += 1
    rest = "\n".join(lines[end:]).strip()
    if end == 1 or not rest or quote_start(rest) == 0:
        return "\n".join(lines), ""
    visible, quoted_tail = split_reply(rest)
    quoted = "\n".join(lines[:end]).strip("\n")
    return visible, f"{quoted}\n{quoted_tail}".strip("\n")


def render_reply_html(text: str) -> str:
    """Sanitised HTML of the new text, with the quoted history folded in a ``<details>``."""
    visible, quoted = split_reply(text)
    html = render_message_html(visible)
    if not quoted:
        return html
    return (
        f'{html}\n<details class="quoted-history"><summary>···</summary>'
        f"{render_message_html(quoted)}</details>"
    )
