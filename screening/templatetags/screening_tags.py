"""Template filters for the screening pages: formatting only, never a query."""

from django import template
from django.utils.html import escape

register = template.Library()


@register.filter
def highlight(text, highlighter):
    """Escape `text` and mark the review's highlight terms (see screening.highlight)."""
    if highlighter is None:
        return escape(text or "")
    return highlighter(text)


@register.filter
def clip(text, length):
    """`text` cut to `length` characters with "…" (Django's truncatechars, without its
    Unicode normalisation: the records list clips a thousand strings per page)."""
    text = text or ""
    length = int(length)
    return text if len(text) <= length else text[: length - 1] + "…"


@register.filter
def stat(value, digits=2):
    """A statistic for display: a dash when it could not be computed."""
    if value is None:
        return "—"
    return f"{value:.{int(digits)}f}"


@register.filter
def snapshot(data):
    """A VoteEvent's before/after, in words: "exclude — Animal model", "conflict"."""
    if not data:
        return "—"
    what = data.get("verdict") or data.get("decision") or data.get("status") or ""
    if data.get("reason"):
        what += f" — {data['reason']}"
    if data.get("origin"):  # a decision imported from another tool
        what += f" (imported from {data['origin']}: {data.get('said', '')}; {data.get('file', '')})"
    return what
