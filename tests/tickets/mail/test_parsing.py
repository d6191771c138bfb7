"""Parsing real-world mail: charsets, broken structure, attachments, automatic messages and
quoted history, on fixtures written for this project."""

from pathlib import Path

import pytest

from tickets.mail.htmltext import html_to_text
from tickets.mail.parsing import decode_header, parse_message
from tickets.mail.quotes import render_reply_html, split_reply
from tickets.mail.threading import strip_subject_prefixes

FIXTURES = Path(__file__).parent / "fixtures"


def _parse(name: str):
    return parse_message((FIXTURES / name).read_bytes())


@pytest.mark.parametrize(
    ("name", "subject", "from_name", "text"),
    [
        pytest.param("big5.eml", "無法登入", "陳大文", "我的交易平台無法登入", id="big5_case"),
        pytest.param(
            "big5hkscs.eml",
            "啲單未成交",
            "Wong Siu Ming",
            "啲單喺度咗好耐都未成交㗎",
            id="hkscs_case",
        ),
        pytest.param("gb2312.eml", "账户被锁定", "李小龙", "朱镕基", id="gb2312_as_gb18030_case"),
        pytest.param(
            "shift_jis.eml", "ログイン不可", "", "ログインできません", id="shift_jis_case"
        ),
        pytest.param("iso2022jp.eml", "注文の件", "", "注文が約定しません", id="iso2022jp_case"),
        pytest.param("utf7.eml", "Price alert", "", "Price alert for 騰訊", id="utf7_case"),
        pytest.param(
            "junk_before_headers.eml",
            "Café account – statement",
            "Renée",
            "voici le relevé",
            id="junk_and_8bit_headers_case",
        ),
    ],
)
def test_it_decodes_every_charset(name, subject, from_name, text) -> None:
    mail = _parse(name)

    assert mail.subject == subject
    assert mail.from_name == from_name
    assert text in mail.text
    assert not mail.is_automatic


def test_it_decodes_rfc2231_file_names() -> None:
    mail = _parse("junk_before_headers.eml")

    assert [a.name for a in mail.attachments] == ["relevé novembre.pdf"]
    assert mail.attachments[0].content.startswith(b"%PDF")


def test_an_attached_message_is_an_eml_attachment_not_the_body() -> None:
    mail = _parse("attached_eml.eml")

    assert mail.text.strip() == "Please look at the attached phishing email."
    assert [a.name for a in mail.attachments] == ["phish.eml"]
    assert b"Verify your account" in mail.attachments[0].content


def test_html_only_mail_is_sanitised_and_converted_to_text() -> None:
    mail = _parse("html_only.eml")

    assert mail.html_only
    assert "script" not in mail.html
    assert "javascript:" not in mail.html
    assert "<img" not in mail.html
    assert "onerror" not in mail.html
    assert 'href="https://example.com/help"' in mail.html
    assert mail.text == "Hello,\n\nThe chart does not load. click help\n\nThanks"


def test_broken_mime_keeps_the_raw_text_as_body() -> None:
    mail = _parse("broken_mime.eml")

    assert mail.from_email == "broken@example.com"
    assert "just text without any boundary" in mail.text


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        pytest.param("bounce.eml", "Auto-Submitted: auto-replied", id="bounce_case"),
        pytest.param("auto_reply.eml", "Precedence: auto_reply", id="auto_reply_case"),
    ],
)
def test_it_recognises_bounces_and_auto_replies(name, reason) -> None:
    assert _parse(name).automatic_reason == reason


def test_a_message_without_message_id_gets_a_stable_one() -> None:
    raw = b"From: a@example.com\r\nSubject: x\r\n\r\nbody\r\n"

    assert parse_message(raw).message_id == parse_message(raw).message_id
    assert parse_message(raw).message_id.endswith("@no-message-id.invalid>")


def test_odd_address_forms_still_give_a_sender() -> None:
    raw = b'From: "Chan, Tai Man" (HK office) <CHAN@Example.HK>\r\nSubject: x\r\n\r\nbody\r\n'

    mail = parse_message(raw)

    assert mail.from_email == "chan@example.hk"
    assert mail.from_name.startswith("Chan, Tai Man")


def test_raw_big5_header_bytes_are_decoded() -> None:
    raw = "Subject: 無法登入\r\nFrom: a@example.hk\r\n\r\nx".encode("big5")

    assert parse_message(raw).subject == "無法登入"


def test_encoded_words_keep_spaces_around_plain_text() -> None:
    assert decode_header("Re: =?utf-8?B?5rWL6K+V?= again") == "Re: 测试 again"


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        pytest.param("RE: FW: Login fails", "Login fails", id="english_case"),
        pytest.param("回覆: 轉寄: 無法登入", "無法登入", id="traditional_case"),
        pytest.param("回复：转发：无法登录", "无法登录", id="simplified_case"),
        pytest.param("AW: WG: Problem", "Problem", id="german_case"),
        pytest.param("答复: [SD-000042] x", "[SD-000042] x", id="reference_kept_case"),
    ],
)
def test_subject_prefixes_are_ignored(subject, expected) -> None:
    assert strip_subject_prefixes(subject) == expected


def test_outlook_chinese_reply_header_starts_the_quoted_history() -> None:
    visible, quoted = split_reply(_parse("outlook_zh_reply.eml").text)

    assert visible == "已經重新安裝，仍然無法登入。"
    assert quoted.splitlines()[1].startswith("寄件者:")


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            "Thanks!\n\nOn Mon, 23 Nov 2026 at 10:00, Support <s@x.example> wrote:\n> old",
            id="on_wrote_case",
        ),
        pytest.param(
            "Thanks!\n\n-----Original Message-----\nFrom: Support\nSent: Monday\n\nold",
            id="original_message_case",
        ),
        pytest.param(
            "Thanks!\n\nFrom: Support <s@x.example>\nSent: Monday, 23 November 2026\n"
            "To: me\nSubject: RE: x\n\nold",
            id="outlook_english_case",
        ),
        pytest.param("Thanks!\n\n在 2026年11月23日 10:00，客服 写道：\n> old", id="gmail_zh_case"),
        pytest.param("Thanks!\n> old line\n> another", id="quote_lines_case"),
        pytest.param("Thanks!\n-- \nChan Tai Man\nMobile 1234", id="signature_case"),
    ],
)
def test_quoted_history_and_signatures_are_split_off(text) -> None:
    visible, quoted = split_reply(text)

    assert visible == "Thanks!"
    assert quoted


def test_the_quoted_history_is_folded_in_the_display() -> None:
    html = render_reply_html("New text\n\n-----Original Message-----\n<script>x</script> old")

    assert html.startswith("<p>New text</p>")
    assert '<details class="quoted-history"><summary>···</summary>' in html
    assert "<script>" not in html


def test_a_reply_without_history_is_not_folded() -> None:
    assert "details" not in render_reply_html("Just this.")


def test_html_to_text_quotes_blockquotes_and_drops_scripts() -> None:
    html = "<div>Hi<script>bad()</script></div><blockquote>old <b>text</b></blockquote>"

    assert html_to_text(html) == "Hi\n\n> old text"
