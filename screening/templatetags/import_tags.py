from django import template

from screening.models import CandidatePair, PairStatus
from screening.selectors.imports import import_counts, records_per_source

register = template.Library()


@register.simple_tag
def import_overview(review) -> dict:
    """Counts for the dashboard's records card, in four queries whatever the size."""
    counts = import_counts(review=review)
    return {
        **counts,
        "sources": records_per_source(review=review),
        "pending_pairs": CandidatePair.objects.filter(
            review=review, status=PairStatus.PENDING
        ).count(),
    }
