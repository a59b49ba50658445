from __future__ import annotations

from django import template

register = template.Library()


@register.simple_tag
def ranking_overview(review, membership) -> dict | None:
    """The lead's dashboard card: models trained and the stopping estimate (None for others)."""
    from reviewapp.models import Role
    from screening.models import ModelStatus
    from screening.selectors import ranking as selectors

    if not membership.can(Role.LEAD):
        return None
    models = list(selectors.model_states(review=review))
    return {
        "trained": sum(1 for m in models if m.status == ModelStatus.READY),
        "models": len(models),
        "last_trained": max((m.trained_at for m in models if m.trained_at), default=None),
        "evidence": selectors.stopping_evidence(review=review),
    }


@register.simple_tag
def relevance(record, reviewer) -> float | None:
    """The record's score in this reviewer's own model (shown only if the lead allows it)."""
    from screening.selectors.ranking import relevance_of

    return relevance_of(record=record, reviewer=reviewer)
