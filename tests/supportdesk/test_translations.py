"""Every user-facing string ships in English and Traditional Chinese."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
CATALOGUE = BASE_DIR / "locale" / "zh_Hant" / "LC_MESSAGES" / "django.po"
SOURCE_DIRS = ("supportdesk", "teams", "tickets", "metrics", "templates")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w*\}")


def _catalogue() -> polib.POFile:
    return polib.pofile(str(CATALOGUE))


def test_the_traditional_chinese_catalogue_is_complete():
    catalogue = _catalogue()
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert untranslated == []
    assert fuzzy == []


def test_translations_keep_every_placeholder():
    mismatched = []
    for entry in _catalogue().translated_entries():
        translations = [entry.msgstr] if not entry.msgid_plural else entry.msgstr_plural.values()
        for translation in translations:
            if sorted(PLACEHOLDER.findall(entry.msgid)) != sorted(PLACEHOLDER.findall(translation)):
                mismatched.append(entry.msgid)
    assert mismatched == []


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext (xgettext) not installed")
def test_every_translatable_string_in_the_source_is_in_the_catalogue(tmp_path):
    """Extract the strings afresh (as `make messages` does) and compare with the catalogue."""
    for name in SOURCE_DIRS:
        shutil.copytree(
            BASE_DIR / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo")
        )
    shutil.copy(BASE_DIR / "manage.py", tmp_path / "manage.py")
    (tmp_path / "locale").mkdir()
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "supportdesk.settings",
        "SUPPORTDESK_VAR_DIR": str(tmp_path / "var"),
    }
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "--locale",
            "zh_Hant",
            "--no-location",
            "--verbosity",
            "0",
        ],
        cwd=tmp_path,
        env=environment,
        check=True,
    )
    fresh = polib.pofile(str(tmp_path / "locale" / "zh_Hant" / "LC_MESSAGES" / "django.po"))
    known = {(entry.msgctxt, entry.msgid) for entry in _catalogue() if not entry.obsolete}
    missing = sorted(entry.msgid for entry in fresh if (entry.msgctxt, entry.msgid) not in known)
    assert missing == [], "run `make messages` and translate the new strings"
