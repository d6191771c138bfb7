"""The ticket lists' form fields (filters, bulk actions, saving a filter), written out in Python.

A list page shows three forms with some twenty fields, several of them selects with every team
member or category as an option. Django's widget templates render each input and option through
a template of its own, and even a hand-written template loop costs a few thousand nodes per
page; here a field is a handful of string joins. Every value and label is escaped
(``conditional_escape`` keeps what is already safe, such as translated help texts marked safe).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.forms import BoundField
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _described_by(field: BoundField) -> str:
    return f' aria-describedby="{field.auto_id}_helptext"' if field.help_text else ""


def _help_and_errors(field: BoundField) -> str:
    parts = []
    if field.help_text:
        parts.append(
            f'<p class="help" id="{field.auto_id}_helptext">{conditional_escape(field.help_text)}'
            "</p>"
        )
    if field.errors:
        parts.append(f'<div class="errorlist" role="alert">{field.errors}</div>')
    return "".join(parts)


@register.simple_tag
def filter_field(field: BoundField, search: bool = False) -> SafeString:
    """One field (a select, or a text or date input) with its label, help and errors.
    ``search``: the input the "/" shortcut jumps to when the page has no global search box."""
    inner = field.field
    name = conditional_escape(field.html_name)
    element_id = conditional_escape(field.id_for_label)
    invalid = ' aria-invalid="true"' if field.errors else ""
    choices = getattr(inner, "choices", None)
    if choices:
        current = "%s" % (field.value(),)  # noqa: UP031 - the template's stringformat:"s"
        options = "".join(
            f'<option value="{conditional_escape(value)}"'
            f"{' selected' if value == current else ''}>{conditional_escape(label)}</option>"
            for value, label in choices
        )
        control = (
            f'<select name="{name}" id="{element_id}"{invalid}{_described_by(field)}>'
            f"{options}</select>"
        )
    else:
        value = field.value()
        max_length = getattr(inner, "max_length", None)
        control = (
            f'<input type="{conditional_escape(inner.widget.input_type)}" name="{name}" '
            f'id="{element_id}" value="{conditional_escape("" if value is None else value)}"'
            f"{f' maxlength={chr(34)}{max_length}{chr(34)}' if max_length else ''}"
            f"{' required' if inner.required else ''}{invalid}{_described_by(field)}"
            f"{' data-shortcut-search' if search else ''}>"
        )
    return mark_safe(  # noqa: S308 - names, values and labels are escaped above
        f'<div class="field{" has-error" if field.errors else ""}">\n'
        f'  <label for="{element_id}">{conditional_escape(field.label)}</label>\n'
        f"  {control}\n  {_help_and_errors(field)}\n</div>"
    )


@register.simple_tag
def filter_choices(field: BoundField) -> SafeString:
    """A multiple-choice filter as a group of checkboxes."""
    selected: Any = field.value() or ()
    name = conditional_escape(field.html_name)
    boxes = "".join(
        f'<label class="check" for="{field.auto_id}_{index}"><input type="checkbox" '
        f'name="{name}" value="{conditional_escape(value)}" id="{field.auto_id}_{index}"'
        f"{' checked' if value in selected else ''}> {conditional_escape(label)}</label>"
        for index, (value, label) in enumerate(field.field.choices)
    )
    errors = f'<div class="errorlist" role="alert">{field.errors}</div>' if field.errors else ""
    return mark_safe(  # noqa: S308 - values and labels are escaped above
        f'<fieldset class="field choices{" has-error" if field.errors else ""}">\n'
        f"  <legend>{conditional_escape(field.label)}</legend>\n  {boxes}\n  {errors}\n"
        "</fieldset>"
    )
