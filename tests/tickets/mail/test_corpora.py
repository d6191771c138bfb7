"""Black-box tests over the third-party corpora in ../shared/corpora (skipped when absent):
every message gets an outcome and never an exception; the reply-quote fixtures give the
expected new text."""

from pathlib import Path

import pytest

from tickets.mail.parsing import parse_message
from tickets.mail.quotes import split_reply
from tickets.models import InboundEmail
from tickets.services.inbound import inbound_email_ingest

CORPORA = Path(__file__).resolve().parents[3].parent / "shared" / "corpora"
pytestmark = pytest.mark.skipif(
    not CORPORA.is_dir(), reason=f"third-party corpora not found at {CORPORA}"
)


def _mail_files() -> list[Path]:
    if not CORPORA.is_dir():
        return []
    files = sorted((CORPORA / "mikel-mail").rglob("*.eml"))
    files += sorted(p for p in (CORPORA / "spamscope-mail-parser").rglob("*") if p.is_file())
    return [p for p in files if p.name != "SOURCE.txt"]


def test_the_corpora_are_all_there() -> None:
    assert len(_mail_files()) >= 110


@pytest.mark.django_db
def test_every_corpus_message_gets_an_outcome(team_a) -> None:
    from tests.factories import CategoryFactory

    CategoryFactory()
    outcomes = {}
    for path in _mail_files():
        result = inbound_email_ingest(raw=path.read_bytes(), source=str(path))
        outcomes[path.name] = result.outcome

    assert set(outcomes.values()) <= {"created", "threaded", "duplicate", "ignored", "quarantined"}
    assert InboundEmail.objects.count() + list(outcomes.values()).count("duplicate") == len(
        outcomes
    )
    # Bounces in the corpus never create tickets.
    assert outcomes["multi_address_bounce1.eml"] == "ignored"
    assert outcomes["multipart_report_multiple_status.eml"] == "ignored"
    # The only messages that cannot become tickets are those without any sender address;
    # they are kept, with the reason, for an administrator.
    quarantined = InboundEmail.objects.filter(outcome="quarantined")
    assert {row.reason for row in quarantined} == {
        "No usable sender address (From, Sender, Reply-To)."
    }
    assert all(bytes(row.raw) for row in quarantined)


def test_talon_standard_replies_give_the_expected_new_text() -> None:
    folder = CORPORA / "mailgun-talon" / "tests" / "fixtures" / "standard_replies"
    mismatches = []
    for path in sorted(folder.glob("*.eml")):
        expected_file = path.with_name(path.stem + "_reply_text")
        expected = expected_file.read_text().strip() if expected_file.exists() else "Hello"
        # Signatures are folded too here; talon keeps them in the reply.
        expected = expected.split("\n-- \n")[0].strip()
        visible, _quoted = split_reply(parse_message(path.read_bytes()).text)
        if visible.strip() != expected:
            mismatches.append(path.name)

    assert mismatches == []


def test_crisp_reply_bodies_never_raise_and_keep_text() -> None:
    folder = CORPORA / "crisp-email-reply-parser" / "test" / "fixtures"
    for path in sorted(folder.glob("*.txt")):
        text = path.read_text(encoding="utf-8", errors="replace")
        visible, quoted = split_reply(text)
        assert (visible + quoted).strip() or not text.strip()
