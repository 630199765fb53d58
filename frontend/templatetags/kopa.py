"""Template helpers shared by every page: money, translated content, form fields, URLs."""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.http import QueryDict

from engagement.content.languages import localised as localised_text
from engagement.money import format_money

register = template.Library()


@register.filter
def money(minor: int | None, currency: str) -> str:
    """``{{ project.cost|money:round.currency }}`` → '12 500,00 EUR' in the reader's locale."""
    if minor is None:
        return ""
    return format_money(int(minor), currency)


@register.filter
def localised(instance: Any, field: str) -> str:
    """``{{ project|localised:"title" }}``: the staff translation for the reader's language."""
    return localised_text(instance, field)


@register.filter
def percent_of(part: int | float | None, whole: int | float | None) -> int:
    """Whole percent (0 to 100) for <progress>/<meter> labels; 0 when ``whole`` is 0."""
    if not part or not whole:
        return 0
    return max(0, min(100, round(100 * part / whole)))


@register.inclusion_tag("frontend/components/field.html")
def field(bound_field: forms.BoundField, **options: Any) -> dict[str, Any]:
    """One labelled form field with its help and errors tied to it (aria-describedby)."""
    widget = bound_field.field.widget
    describedby = []
    if bound_field.help_text:
        describedby.append(f"{bound_field.auto_id}-help")
    if bound_field.errors:
        describedby.append(f"{bound_field.auto_id}-error")
    attrs: dict[str, Any] = {}
    if describedby:
        attrs["aria-describedby"] = " ".join(describedby)
    if bound_field.errors:
        attrs["aria-invalid"] = "true"
    if bound_field.field.required and not isinstance(
        widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect
    ):
        attrs["required"] = True
    grouped = isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect)
    return {
        "field": bound_field,
        "widget_html": bound_field.as_widget(attrs=attrs),
        "grouped": grouped,
        "is_checkbox": isinstance(widget, forms.CheckboxInput),
        "label": options.get("label", bound_field.label),
        "hide_label": options.get("hide_label", False),
    }


@register.inclusion_tag("frontend/components/form_errors.html")
def form_errors(*forms_to_show: forms.BaseForm) -> dict[str, Any]:
    """An error summary linking to each invalid field, focused on load (core.js)."""
    items: list[dict[str, str]] = []
    for form in forms_to_show:
        if form is None or not form.is_bound:
            continue
        for error in form.non_field_errors():
            items.append({"message": error, "anchor": ""})
        for bound in form:
            for error in bound.errors:
                items.append({"message": f"{bound.label}: {error}", "anchor": bound.auto_id})
    return {"items": items}


@register.simple_tag(takes_context=True)
def query_with(context: template.Context, **changes: Any) -> str:
    """The current query string with ``changes`` applied (pagination and filter links)."""
    request = context.get("request")
    query = request.GET.copy() if request is not None else QueryDict(mutable=True)
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"
