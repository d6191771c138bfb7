"""Storing the files attached to a message.

Every upload is checked before anything is stored, so that one refused file refuses the whole
message (the caller, ``message_add_*``, runs in one transaction and lets the error roll it back):

* an empty file name or an empty file → 400 (``invalid_file``);
* more than ``settings.ATTACHMENT_MAX_BYTES`` → 413 (``too_large``);
* an extension in ``settings.ATTACHMENT_BLOCKED_EXTENSIONS`` (the last one, after trimming the
  trailing dots and spaces Windows ignores), or content that starts like an executable (PE
  ``MZ``, ELF, Mach-O, ``#!`` scripts) or is a Java/Android archive whatever its name → 415
  (``blocked_type``).

The content type is never taken from the browser. Images are recognised by their signature
(PNG, JPEG, GIF, WebP) and are the only files ever previewed inline; anything else gets the type
its extension suggests, unless that type is one a browser could run or render as a document
(HTML, SVG, XML, JavaScript …), which is stored as ``application/octet-stream``. Files are always
served as downloads with ``nosniff`` anyway (see ``tickets.views.ticket``).

Files go through Django's storage API (``default_storage`` via the model's ``FileField``) under an
unguessable name; the client's file name is kept only in ``Attachment.original_name``.
"""

import hashlib
import logging
import mimetypes
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from supportdesk.errors import ApplicationError
from tickets.models import Attachment, Message

logger = logging.getLogger(__name__)

HEAD_BYTES = 64
HASH_CHUNK = 64 * 1024

IMAGE_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
EXECUTABLE_SIGNATURES: tuple[bytes, ...] = (
    b"MZ",  # Windows PE / DOS executables and DLLs
    b"\x7fELF",  # Linux and other Unix executables
    b"#!",  # scripts with an interpreter line
    b"\xfe\xed\xfa\xce",  # Mach-O 32-bit
    b"\xfe\xed\xfa\xcf",  # Mach-O 64-bit
    b"\xce\xfa\xed\xfe",  # Mach-O 32-bit, little-endian
    b"\xcf\xfa\xed\xfe",  # Mach-O 64-bit, little-endian
    b"\xca\xfe\xba\xbe",  # Mach-O universal binary or Java class file
)
ZIP_SIGNATURE = b"PK\x03\x04"
# Members that make a zip archive a runnable Java or Android package.
RUNNABLE_ARCHIVE_MEMBERS = frozenset({"meta-inf/manifest.mf", "androidmanifest.xml", "classes.dex"})
# Types a browser could execute or render as a document: never stored as such.
ACTIVE_CONTENT_MARKERS = ("html", "xml", "svg", "javascript", "ecmascript", "xsl")
SAFE_FALLBACK_TYPE = "application/octet-stream"
MAX_NAME_LENGTH = 255


@dataclass(frozen=True)
class _CheckedUpload:
    upload: UploadedFile
    name: str
    content_type: str
    size: int
    sha256: str


def attachments_store(*, message: Message, uploads: Iterable[UploadedFile]) -> list[Attachment]:
    """Check every upload, then store them all as attachments of ``message``.

    Raises ``ApplicationError`` (400 ``invalid_file``, 413 ``too_large`` or 415 ``blocked_type``)
    before storing anything when one upload is refused. Meant to be called by the message
    services inside their transaction.
    """
    checked = [_check(upload) for upload in uploads]
    stored: list[Attachment] = []
    try:
        for item in checked:
            item.upload.seek(0)
            attachment = Attachment(
                message=message,
                original_name=item.name,
                content_type=item.content_type,
                size=item.size,
                sha256=item.sha256,
            )
            attachment.file.save(item.name, item.upload, save=False)
            attachment.save()
            stored.append(attachment)
    except Exception:
        # Do not leave files behind for rows that will not exist.
        for attachment in stored:
            attachment.file.delete(save=False)
        raise
    logger.info("attachments.stored", extra={"message_id": message.pk, "count": len(stored)})
    return stored


def attachment_clean_name(name: str) -> str:
    """The client's file name, reduced to its last path component without control characters."""
    name = PureWindowsPath(PurePosixPath(name or "").name).name
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    if len(name) > MAX_NAME_LENGTH:
        suffix = PurePosixPath(name).suffix[:16]
        name = name[: MAX_NAME_LENGTH - len(suffix)] + suffix
    return name


def _check(upload: UploadedFile) -> _CheckedUpload:
    name = attachment_clean_name(upload.name or "")
    if not name or name.strip(". ") == "":
        raise ApplicationError(_("An attached file has no name."), code="invalid_file")
    size = upload.size or 0
    limit = settings.ATTACHMENT_MAX_BYTES
    if size > limit:
        raise ApplicationError(
            _("“%(name)s” is too large: files may be at most %(limit)s.")
            % {"name": name, "limit": filesizeformat(limit)},
            code="too_large",
            status=413,
            details={"name": name, "size": size, "limit": limit},
        )
    if size == 0:
        raise ApplicationError(
            _("“%(name)s” is empty.") % {"name": name}, code="invalid_file", details={"name": name}
        )
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    if _is_blocked(name, head, upload):
        raise ApplicationError(
            _("“%(name)s” is a type of file that cannot be attached (programs and scripts).")
            % {"name": name},
            code="blocked_type",
            status=415,
            details={"name": name},
        )
    return _CheckedUpload(
        upload=upload,
        name=name,
        content_type=_content_type(name, head),
        size=size,
        sha256=_sha256(upload),
    )


def _extension(name: str) -> str:
    # Windows ignores trailing dots and spaces: "report.exe. " opens as "report.exe".
    return PurePosixPath(name.rstrip(". ")).suffix.lower()


def _is_blocked(name: str, head: bytes, upload: UploadedFile) -> bool:
    blocked = {ext.lower() for ext in settings.ATTACHMENT_BLOCKED_EXTENSIONS}
    if _extension(name) in blocked:
        return True
    if head.startswith(EXECUTABLE_SIGNATURES):
        return True
    return head.startswith(ZIP_SIGNATURE) and _is_runnable_archive(upload)


def _is_runnable_archive(upload: UploadedFile) -> bool:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = {member.lower() for member in archive.namelist()}
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        upload.seek(0)
    return bool(names & RUNNABLE_ARCHIVE_MEMBERS)


def _content_type(name: str, head: bytes) -> str:
    for signature, content_type in IMAGE_SIGNATURES:
        if head.startswith(signature):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    guessed, encoding = mimetypes.guess_type(name, strict=False)
    if not guessed or encoding:
        return SAFE_FALLBACK_TYPE
    guessed = guessed.lower()
    if guessed.startswith("image/"):
        # Claims to be an image but has no image signature: never preview it.
        return SAFE_FALLBACK_TYPE
    if any(marker in guessed for marker in ACTIVE_CONTENT_MARKERS):
        return SAFE_FALLBACK_TYPE
    if _looks_like_markup(head):
        return SAFE_FALLBACK_TYPE
    return guessed


def _looks_like_markup(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return text.startswith((b"<!doctype", b"<html", b"<?xml", b"<svg", b"<script"))


def _sha256(upload: UploadedFile) -> str:
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks(HASH_CHUNK):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()
