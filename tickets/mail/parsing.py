"""Turning the raw bytes of a real-world email into what the desk needs, without ever raising on
bad input that can still be read.

* Junk before the headers (an mbox ``From `` line, a BOM, blank lines, log noise) is skipped.
* The message is parsed with ``email``'s ``compat32`` policy, which never raises on broken
  structure (it records defects instead); headers are decoded here: RFC 2047 words, RFC 2231
  parameters, and raw 8-bit headers (UTF-8, else GB18030, else Big5-HKSCS, else Windows-1252).
* Charsets are mapped to their supersets: GB2312/GBK → GB18030, Big5/CP950 → Big5-HKSCS,
  Shift-JIS → CP932, ISO-2022-JP → ISO-2022-JP-2, ISO-8859-1/ASCII → Windows-1252, KS C 5601 →
  CP949. Unknown or lying charsets fall back to the same chain as raw headers.
* The body is the first text/plain part that is not an attachment; HTML-only mail is sanitised
  (nh3) for display and converted to text. Attached messages (``message/rfc822``) are kept as
  ``.eml`` attachments and not read as part of the body.
* Auto-replies and bounces are recognised (``is_automatic``/``automatic_reason``).
"""

from __future__ import annotations

import email
import email.header
import email.utils
import hashlib
import re
from dataclasses import dataclass, field
from email import policy
from email.message import Message as EmailMessage

from tickets.mail.htmltext import html_to_text, sanitize_html

CHARSET_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "gb_2312-80": "gb18030",
    "x-gb2312": "gb18030",
    "euc-cn": "gb18030",
    "big5": "big5hkscs",
    "big-5": "big5hkscs",
    "x-big5": "big5hkscs",
    "cp950": "big5hkscs",
    "big5-hkscs": "big5hkscs",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "ms_kanji": "cp932",
    "iso-2022-jp": "iso2022_jp_2",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "ks_c_5601-1987": "cp949",
    "euc-kr": "cp949",
    "unicode-1-1-utf-7": "utf-7",
    "utf8": "utf-8",
    "cp-850": "cp850",
}
HEADER_LINE = re.compile(rb"^[!-9;-~]+:")
ADDRESS = re.compile(r"[^@\s<>\"'(),;:\[\]]+@[^@\s<>\"'(),;:\[\]]+\.[^@\s<>\"'(),;:\[\]]+")
AUTOMATIC_PRECEDENCE = frozenset({"bulk", "junk", "auto_reply", "auto-reply", "list"})
AUTOMATIC_SENDERS = ("mailer-daemon", "postmaster", "noreply-dmarc", "bounce")
MESSAGE_ID = re.compile(r"<[^<>\s]+>")
MAX_NAME_LENGTH = 255


@dataclass
class ParsedAttachment:
    """One attached file (or attached message), with its decoded file name."""

    name: str
    content: bytes
    content_type: str
    inline: bool = False


@dataclass
class ParsedMail:
    """What ingestion needs of one email, decoded to ``str``."""

    message_id: str
    subject: str = ""
    from_email: str = ""
    from_name: str = ""
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    text: str = ""
    html: str = ""
    attachments: list[ParsedAttachment] = field(default_factory=list)
    automatic_reason: str = ""
    defects: list[str] = field(default_factory=list)
    text_from_plain: bool = False

    @property
    def is_automatic(self) -> bool:
        return bool(self.automatic_reason)

    @property
    def html_only(self) -> bool:
        return bool(self.html) and not self.text_from_plain


def strip_junk(raw: bytes) -> bytes:
    """Drop whatever precedes the first header line (mbox ``From `` lines, BOMs, noise)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if HEADER_LINE.match(raw) and not raw.startswith(b"From "):
        return raw
    lines = raw.splitlines(keepends=True)
    for index, line in enumerate(lines[:200]):
        if HEADER_LINE.match(line) and not line.startswith(b"From "):
            return b"".join(lines[index:])
    return raw


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Decode ``data`` in ``charset`` (mapped to its superset), falling back through UTF-8,
    GB18030 and Big5-HKSCS to Windows-1252 (which never fails)."""
    tried: list[str] = []
    if charset:
        name = charset.strip().strip('"').lower()
        name = CHARSET_ALIASES.get(name, name)
        tried.append(name)
    for name in tried:
        try:
            return data.decode(name)
        except (LookupError, UnicodeDecodeError):
            continue
    return _guess_decode(data)


def _oddness(text: str) -> int:
    """How many characters of ``text`` are unlikely in real mail (private use, rare blocks)."""
    return sum(
        1
        for ch in text
        if not (
            ch.isascii()
            or "\u4e00" <= ch <= "\u9fff"
            or "\u3000" <= ch <= "\u30ff"
            or "\uff00" <= ch <= "\uffef"
            or "\u00a0" <= ch <= "\u024f"
            or "\u2000" <= ch <= "\u206f"
        )
    )


def _guess_decode(data: bytes) -> str:
    """Undeclared 8-bit text: UTF-8 when valid, else the more plausible of Big5-HKSCS and
    GB18030 (both accept most byte sequences), else Windows-1252."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    candidates = []
    for name in ("big5hkscs", "gb18030"):
        try:
            candidates.append(data.decode(name))
        except UnicodeDecodeError:
            continue
    if candidates:
        return min(candidates, key=_oddness)
    return data.decode("cp1252", errors="replace")


def _raw_header_bytes(value: str) -> bytes:
    # compat32 keeps 8-bit header bytes as surrogate escapes.
    return value.encode("ascii", "surrogateescape")


def decode_header(value: object) -> str:
    """Decode a header: RFC 2047 encoded words and raw 8-bit text, unfolded."""
    if value is None:
        return ""
    if isinstance(value, email.header.Header):
        # compat32 wraps headers with raw 8-bit bytes in a Header of charset unknown-8bit.
        value = b"".join(
            chunk if isinstance(chunk, bytes) else chunk.encode("utf-8", "surrogateescape")
            for chunk, _charset in email.header.decode_header(value)
        ).decode("ascii", "surrogateescape")
    text = str(value)
    try:
        raw = _raw_header_bytes(text)
    except UnicodeEncodeError:
        raw = None
    if raw is not None and any(byte > 127 for byte in raw):
        text = decode_bytes(raw)
    parts: list[str] = []
    try:
        chunks = email.header.decode_header(text)
    except Exception:  # noqa: BLE001 - a header that cannot be split stays as it is
        chunks = [(text, None)]
    for chunk, charset in chunks:
        if isinstance(chunk, bytes):
            parts.append(decode_bytes(chunk, charset))
        else:
            parts.append(chunk)
    # decode_header drops the whitespace between an encoded word and plain text.
    joined = ""
    for index, part in enumerate(parts):
        if index and chunks[index - 1][1] is None and isinstance(chunks[index - 1][0], bytes):
            joined += " "
        joined += part
    return " ".join(joined.replace("\x00", "").split())


def _header_str(message: EmailMessage, name: str) -> str:
    value = message.get(name)
    return "" if value is None else str(value)


def _addresses(message: EmailMessage, name: str) -> list[tuple[str, str]]:
    values = [decode_header(value) for value in message.get_all(name, [])]
    result = []
    for display, address in email.utils.getaddresses(values):
        address = address.strip().strip("<>").lower()
        if not ADDRESS.fullmatch(address):
            found = ADDRESS.search(f"{display} {address}")
            if not found:
                continue
            address = found.group(0).lower()
        result.append((display.strip().strip('"'), address))
    return result


def _message_ids(value: str) -> list[str]:
    return MESSAGE_ID.findall(value or "")


def _decoded_params_part(part: EmailMessage) -> EmailMessage:
    """A copy of the part's Content-Disposition and Content-Type with raw 8-bit bytes decoded
    (compat32 would replace them with U+FFFD in file names)."""
    copy = EmailMessage()
    for name, value in part.raw_items():
        if name.lower() in ("content-disposition", "content-type"):
            raw = str(value).encode("ascii", "surrogateescape")
            copy[name] = decode_bytes(raw)
    return copy


def _filename(part: EmailMessage) -> str:
    if any(
        "\ufffd" in str(value) or isinstance(value, email.header.Header)
        for _name, value in part.items()
        if _name.lower() in ("content-disposition", "content-type")
    ):
        part = _decoded_params_part(part)
    try:
        name = part.get_filename()
    except Exception:  # noqa: BLE001 - broken RFC 2231 parameters
        name = None
    if name is None:
        name = part.get_param("name") if part.get_param("name") is not None else None
        if isinstance(name, tuple):
            name = email.utils.collapse_rfc2231_value(name)
    return decode_header(name) if name else ""


def _payload(part: EmailMessage) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:  # noqa: BLE001 - bad base64/qp: keep the raw text
        data = None
    if data is None:
        payload = part.get_payload()
        if isinstance(payload, str):
            return payload.encode("ascii", "surrogateescape")
        return b""
    return data


def _part_text(part: EmailMessage) -> str:
    return decode_bytes(_payload(part), part.get_content_charset())


def _automatic_reason(message: EmailMessage, from_email: str) -> str:
    auto_submitted = decode_header(message.get("Auto-Submitted", "")).lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted}"
    precedence = decode_header(message.get("Precedence", "")).lower()
    if precedence in AUTOMATIC_PRECEDENCE:
        return f"Precedence: {precedence}"
    for header in ("X-Autoreply", "X-Autorespond", "X-Auto-Reply-From"):
        if message.get(header) is not None:
            return f"{header} header"
    if message.get_content_type() == "multipart/report":
        return "delivery status notification (multipart/report)"
    if _header_str(message, "Return-Path").strip() == "<>":
        return "bounce (empty Return-Path)"
    local_part = from_email.split("@", 1)[0]
    if local_part.startswith(AUTOMATIC_SENDERS):
        return f"sent by {local_part}"
    return ""


def _clean_name(name: str, fallback: str) -> str:
    name = "".join(ch for ch in name if ch.isprintable()).strip() or fallback
    return name[-MAX_NAME_LENGTH:]


def _walk(part: EmailMessage, mail: ParsedMail, counter: list[int]) -> None:
    content_type = part.get_content_type()
    if part.is_multipart() and content_type != "message/rfc822":
        for sub in part.get_payload() or []:
            if isinstance(sub, EmailMessage):
                _walk(sub, mail, counter)
        return
    disposition = _header_str(part, "Content-Disposition").split(";", 1)[0].strip().lower()
    name = _filename(part)
    counter[0] += 1
    if content_type == "message/rfc822" or content_type == "message/global":
        inner = part.get_payload()
        if isinstance(inner, list) and inner:
            inner_message = inner[0]
            content = inner_message.as_bytes() if isinstance(inner_message, EmailMessage) else b""
            inner_subject = decode_header(inner_message.get("Subject", ""))
        else:
            content = _payload(part)
            inner_subject = ""
        fallback = f"{inner_subject or 'message'}.eml".replace("/", "_")
        mail.attachments.append(
            ParsedAttachment(_clean_name(name, fallback), content, "message/rfc822")
        )
        return
    is_attachment = disposition == "attachment" or (
        bool(name) and content_type not in ("text/plain", "text/html")
    )
    if not is_attachment and content_type == "text/plain" and not mail.text_from_plain:
        mail.text = _part_text(part)
        mail.text_from_plain = True
        return
    if not is_attachment and content_type == "text/html" and not mail.html:
        mail.html = _part_text(part)
        return
    if (
        not is_attachment
        and content_type.startswith("text/")
        and not mail.text_from_plain
        and disposition != "inline"
        and not name
    ):
        mail.text = _part_text(part)
        mail.text_from_plain = True
        return
    if content_type.startswith("multipart/"):
        # A multipart part the parser could not split (missing or wrong boundary): its raw
        # text is all there is, so it becomes the body.
        if not mail.text_from_plain:
            mail.text = _part_text(part)
            mail.text_from_plain = True
        return
    data = _payload(part)
    if not data:
        return
    extension = {"text/plain": ".txt", "text/html": ".html"}.get(content_type, ".bin")
    if content_type.startswith("image/"):
        extension = "." + content_type.split("/", 1)[1]
    fallback = f"part-{counter[0]}{extension}"
    mail.attachments.append(
        ParsedAttachment(
            _clean_name(name, fallback),
            data,
            content_type,
            inline=bool(part.get("Content-ID")) and disposition != "attachment",
        )
    )


def synthetic_message_id(raw: bytes) -> str:
    return f"<sha256-{hashlib.sha256(raw).hexdigest()}@no-message-id.invalid>"


def parse_message(raw: bytes) -> ParsedMail:
    """Parse ``raw`` into a ``ParsedMail``. Raises only on input that is not an email at all."""
    cleaned = strip_junk(raw)
    message = email.message_from_bytes(cleaned, policy=policy.compat32)
    message_ids = _message_ids(decode_header(message.get("Message-ID", "")))
    mail = ParsedMail(message_id=message_ids[0] if message_ids else synthetic_message_id(raw))
    mail.subject = decode_header(message.get("Subject", ""))
    senders = _addresses(message, "From") or _addresses(message, "Sender")
    if not senders:
        senders = _addresses(message, "Reply-To") or _addresses(message, "Return-Path")
    if senders:
        mail.from_name, mail.from_email = senders[0]
    mail.to = [address for _name, address in _addresses(message, "To")]
    mail.cc = [address for _name, address in _addresses(message, "Cc")]
    mail.in_reply_to = _message_ids(decode_header(message.get("In-Reply-To", "")))
    mail.references = _message_ids(" ".join(map(str, message.get_all("References", []))))
    mail.automatic_reason = _automatic_reason(message, mail.from_email)
    mail.defects = [type(defect).__name__ for defect in message.defects]
    _walk(message, mail, [0])
    if not mail.text_from_plain and mail.html:
        mail.text = html_to_text(mail.html)
    mail.html = sanitize_html(mail.html) if mail.html else ""
    mail.text = mail.text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return mail
