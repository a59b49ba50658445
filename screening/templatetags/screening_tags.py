"""Template helpers for the screening pages."""

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
def stat(value, digits=2):
    """A statistic for display: a dash when it could not be computed."""
    if value is None:
        return "—"
    return f"{value:.{int(digits)}f}"


@register.simple_tag(takes_context=True)
def screening_overview(context, review, membership):
    """Progress per stage for the dashboard card, blinded as on the screening page."""
    from screening.models import Stage
    from screening.selectors import screening as selectors
    from screening.services.settings import screening_settings_for

    settings = screening_settings_for(review)
    see = selectors.sees_outcome_counts(membership=membership, screening_settings=settings)
    user = context["request"].user
    return {
        "stages": [
            {
                "label": stage.label,
                "code": stage.value,
                "progress": selectors.progress(
                    review=review,
                    stage=stage,
                    reviewer=user,
                    needed=settings.votes_needed(stage),
                    see_outcomes=see,
                ),
            }
            for stage in Stage
        ]
    }


@register.filter
def snapshot(data):
    """A VoteEvent's before/after, in words: "exclude — Animal model", "conflict"."""
    if not data:
        return "—"
    what = data.get("verdict") or data.get("decision") or data.get("status") or ""
    if data.get("reason"):
        what += f" — {data['reason']}"
    return what
