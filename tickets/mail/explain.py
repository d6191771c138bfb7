"""Wording, in the reader's language, of why an inbound email went where it went."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _

EXPLANATIONS: dict[str, Any] = {
    "outbound_id": _("%(header)s names our email %(message_id)s sent on %(ticket)s."),
    "inbound_id": _("%(header)s names the earlier email %(message_id)s of %(ticket)s."),
    "subject_ref": _("The subject names %(ticket)s."),
    "subject_ref_missing": _("The subject names %(reference)s, which does not exist."),
    "no_reference": _("No reference to an existing ticket."),
    "merged": _("%(ticket)s was merged into %(target)s."),
    "forged": _(
        "The sender %(sender)s is neither the client of %(ticket)s nor on its earlier emails: "
        "the email gets no access to it."
    ),
    "new_ticket": _("It opened the new ticket %(ticket)s."),
    "threaded": _("Added to %(ticket)s."),
    "follow_up": _("%(closed)s is closed: the email opened the linked ticket %(ticket)s."),
    "moved": _("%(actor)s moved it from %(source)s to %(target)s."),
    "retried": _("%(actor)s retried it from the quarantine."),
}


def explain(steps: Iterable[dict[str, Any]]) -> list[str]:
    """One sentence per step; unknown codes are skipped."""
    sentences = []
    for item in steps or ():
        template = EXPLANATIONS.get(str(item.get("code", "")))
        if template is None:
            continue
        params = {key: value for key, value in item.items() if key != "code"}
        try:
            sentences.append(str(template) % params)
        except (KeyError, TypeError, ValueError):
            continue
    return sentences
