"""Template filters for the screening pages: formatting only, never a query."""

from django import template
from django.utils.html import escape, format_html, format_html_join

register = template.Library()


@register.filter
def highlight(text, highlighter):
    """Escape `text` and mark the review's highlight terms (see screening.highlight)."""
    if highlighter is None:
        return escape(text or "")
    return highlighter(text)


@register.filter
def tag_chips(shown_tags):
    """A record's tags as chips (selectors.tags.ShownTag): a private tag with a lock and
    who put it there. One filter for the records list's 500 rows and the tag partial."""
    return format_html_join(
        "",
        '<span class="tag-chip tag-{}" data-testid="tag" data-tag="{}" title="{}">{}{}{}</span>',
        (
            (
                shown.tag.colour,
                shown.tag.pk,
                shown.tag.description,
                format_html('<span aria-label="private">&#128274;</span>')
                if shown.tag.private
                else "",
                shown.tag.name,
                format_html(' <span class="tag-by">{}</span>', ", ".join(shown.by))
                if shown.tag.private
                else "",
            )
            for shown in shown_tags
        ),
    )


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
