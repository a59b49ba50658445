"""Reads for the review pages: plain dicts of counts, a few queries each."""

from reviewapp.models import Review


def dashboard_counts(*, review: Review) -> dict[str, int]:
    memberships = review.memberships.all()
    return {
        "members": memberships.count(),
        "invitations_open": review.invitations.filter(accepted_at__isnull=True).count(),
    }
