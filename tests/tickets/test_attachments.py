"""Attachments: checked and stored through the storage API, served only after the ticket's
permission check, as downloads with ``nosniff`` and a locked-down content security policy."""

import hashlib
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from supportdesk.errors import ApplicationError
from tests.factories import MessageFactory, TicketFactory
from tickets.models import Attachment, Message
from tickets.services.attachments import attachments_store

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 48
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\x00" * 48
GIF = b"GIF89a" + b"\x00" * 48
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 48
HTML = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"


@pytest.fixture(autouse=True)
def _memory_storage(settings) -> None:
    """Attachments go to memory, never to the developer's var/media."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }


@pytest.fixture
def message(team_a):
    return MessageFactory(ticket=TicketFactory(team=team_a, status="open"), kind="client")


def _store(message, name, content) -> Attachment:
    (attachment,) = attachments_store(
        message=message, uploads=[SimpleUploadedFile(name, content, content_type="text/html")]
    )
    return attachment


def _zip(*members: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member in members:
            archive.writestr(member, "x")
    return buffer.getvalue()


def _refusal(message, name, content) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        _store(message, name, content)
    return caught.value


# --- Storing ------------------------------------------------------------------------------


def test_it_stores_the_file_with_size_hash_and_sniffed_type(message):
    attachment = _store(message, "screen.png", PNG)
    assert attachment.original_name == "screen.png"
    assert attachment.size == len(PNG)
    assert attachment.sha256 == hashlib.sha256(PNG).hexdigest()
    assert attachment.content_type == "image/png"
    assert attachment.file.read() == PNG


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("photo.jpg", JPEG, "image/jpeg"),
        ("anim.gif", GIF, "image/gif"),
        ("pic.webp", WEBP, "image/webp"),
        ("renamed.bin", PNG, "image/png"),
        ("statement.pdf", b"%PDF-1.7\n", "application/pdf"),
        ("log.txt", b"line\n", "text/plain"),
        ("page.html", HTML, "application/octet-stream"),
        ("page.htm", HTML, "application/octet-stream"),
        ("drawing.svg", b"<svg onload=alert(1)></svg>", "application/octet-stream"),
        ("data.xml", b"<?xml version='1.0'?><a/>", "application/octet-stream"),
        ("fake.png", HTML, "application/octet-stream"),
        ("notes.txt", HTML, "application/octet-stream"),
        ("noextension", b"hello", "application/octet-stream"),
    ],
    ids=[
        "jpeg_case",
        "gif_case",
        "webp_case",
        "png_whatever_the_name_case",
        "pdf_case",
        "text_case",
        "html_case",
        "htm_case",
        "svg_case",
        "xml_case",
        "html_named_png_case",
        "html_named_txt_case",
        "no_extension_case",
    ],
)
def test_the_content_type_comes_from_the_bytes_never_the_browser(
    message, name, content, content_type
):
    assert _store(message, name, content).content_type == content_type


def test_the_storage_path_is_unguessable_and_hides_the_name(message):
    first = _store(message, "statement.pdf", b"%PDF-1.7\n")
    second = _store(message, "statement.pdf", b"%PDF-1.7\n")
    assert "statement" not in first.file.name
    assert first.file.name != second.file.name
    assert len(first.file.name.rsplit("/", 1)[1]) == len("0" * 32 + ".pdf")


def test_the_file_name_loses_its_path_and_control_characters(message):
    attachment = _store(message, "C:\\Users\\me\\report\x00\x1b.txt", b"hi")
    assert attachment.original_name == "report.txt"


def test_a_file_over_the_limit_is_refused_413(message, settings):
    settings.ATTACHMENT_MAX_BYTES = 10
    error = _refusal(message, "big.txt", b"x" * 11)
    assert (error.status, error.code) == (413, "too_large")
    assert str(error.message) == "“big.txt” is too large: files may be at most 10\xa0bytes."
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("setup.exe", b"anything"),
        ("SETUP.EXE", b"anything"),
        ("invoice.pdf.exe", b"%PDF"),
        ("run.bat. ", b"echo"),
        ("tool.jar", b"PK\x03\x04"),
        ("script.js", b"alert(1)"),
        ("program.pdf", b"MZ\x90\x00\x03"),
        ("linux.txt", b"\x7fELF\x02\x01"),
        ("install.txt", b"#!/bin/sh\nrm -rf /"),
        ("mac.dat", b"\xcf\xfa\xed\xfe\x07"),
        ("library.zip", _zip("META-INF/MANIFEST.MF", "Main.class")),
        ("app.zip", _zip("AndroidManifest.xml", "classes.dex")),
    ],
    ids=[
        "exe_case",
        "upper_case_exe_case",
        "double_extension_case",
        "trailing_dot_case",
        "jar_case",
        "js_case",
        "pe_bytes_case",
        "elf_bytes_case",
        "shebang_case",
        "macho_case",
        "java_archive_renamed_case",
        "android_archive_renamed_case",
    ],
)
def test_programs_and_scripts_are_refused_415(message, name, content):
    error = _refusal(message, name, content)
    assert (error.status, error.code) == (415, "blocked_type")
    assert not Attachment.objects.exists()


def test_an_ordinary_zip_is_accepted(message):
    attachment = _store(message, "logs.zip", _zip("app.log", "crash.txt"))
    assert attachment.content_type == "application/zip"


@pytest.mark.parametrize(
    ("name", "content"), [("...", b"x"), ("empty.txt", b"")], ids=["no_name_case", "empty_case"]
)
def test_a_nameless_or_empty_file_is_refused_400(message, name, content):
    error = _refusal(message, name, content)
    assert (error.status, error.code) == (400, "invalid_file")


def test_one_refused_file_stores_none_of_them(message):
    with pytest.raises(ApplicationError):
        attachments_store(
            message=message,
            uploads=[
                SimpleUploadedFile("ok.txt", b"fine"),
                SimpleUploadedFile("bad.exe", b"MZ"),
            ],
        )
    assert not Attachment.objects.exists()


# --- Serving ------------------------------------------------------------------------------


def test_download_is_an_attachment_with_nosniff_and_csp(client, agent, message):
    attachment = _store(message, "statement 2026.pdf", b"%PDF-1.7\n")
    client.force_login(agent)
    response = client.get(reverse("tickets:attachment", args=[attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.7\n"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="statement 2026.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'"


def test_an_html_upload_is_downloaded_as_octet_stream(client, agent, message):
    attachment = _store(message, "evil.html", HTML)
    client.force_login(agent)
    response = client.get(reverse("tickets:attachment", args=[attachment.pk]))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == 'attachment; filename="evil.html"'
    assert response["X-Content-Type-Options"] == "nosniff"
    preview = client.get(reverse("tickets:attachment_preview", args=[attachment.pk]))
    assert preview.status_code == 404


def test_a_file_name_with_quotes_and_unicode_is_encoded_in_the_header(client, agent, message):
    attachment = _store(message, '登入"錯誤".txt', b"hi")
    client.force_login(agent)
    response = client.get(reverse("tickets:attachment", args=[attachment.pk]))
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename*=utf-8''")
    assert '"錯誤"' not in disposition


def test_an_image_is_previewed_inline_with_the_same_headers(client, agent, message):
    attachment = _store(message, "screen.png", PNG)
    client.force_login(agent)
    response = client.get(reverse("tickets:attachment_preview", args=[attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'inline; filename="screen.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'"


@pytest.mark.parametrize("view", ["tickets:attachment", "tickets:attachment_preview"])
def test_an_outsider_gets_404(client, outsider, message, view):
    attachment = _store(message, "screen.png", PNG)
    client.force_login(outsider)
    assert client.get(reverse(view, args=[attachment.pk])).status_code == 404


@pytest.mark.parametrize("view", ["tickets:attachment", "tickets:attachment_preview"])
def test_an_unknown_attachment_is_404(client, agent, view):
    client.force_login(agent)
    assert client.get(reverse(view, args=[987654])).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, message):
    attachment = _store(message, "screen.png", PNG)
    response = client.get(reverse("tickets:attachment", args=[attachment.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_client_may_not_fetch_agent_attachments(client, client_user, message):
    attachment = _store(message, "screen.png", PNG)
    client.force_login(client_user)
    assert client.get(reverse("tickets:attachment", args=[attachment.pk])).status_code == 403


def test_no_public_media_url_serves_the_file(client, agent, message, settings):
    attachment = _store(message, "screen.png", PNG)
    client.force_login(agent)
    response = client.get(f"{settings.MEDIA_URL}{attachment.file.name}")
    assert response.status_code == 404


def test_an_attachment_moves_with_its_message(client, agent, message, team_a):
    attachment = _store(message, "screen.png", PNG)
    Message.objects.filter(pk=message.pk).update(ticket=TicketFactory(team=team_a))
    client.force_login(agent)
    assert client.get(reverse("tickets:attachment", args=[attachment.pk])).status_code == 200
