"""What the review dashboard's screening cards show, read once by the dashboard view
(template tags never query): records, screening progress (blinded as on the screening
page) and, for the lead, ranking and stopping."""

from __future__ import annotations

from reviewapp.models import Membership, Review, Role
from screening.models import CandidatePair, ModelStatus, PairStatus, Stage
from screening.selectors import ranking as ranking_selectors
from screening.selectors import screening as screening_selectors
from screening.selectors.imports import import_counts, records_per_source


def dashboard_cards(*, review: Review, membership: Membership, user) -> dict:
    """The context of templates/screening/_dashboard_cards.html: `imports`, `overview`,
    `ranking` (None unless lead)."""
    return {
        "imports": _imports(review),
        "overview": _overview(review, membership, user),
        "ranking": _ranking(review, membership),
        "mentions": mentions_of(review=review, membership=membership, user=user),
    }


def mentions_of(*, review: Review, membership: Membership, user, limit: int = 10) -> list:
    """The latest comments that @mention `user` in this review, newest first, as far as
    they may read them now (screening.visibility: a mention on a record still blinded to
    them shows once it is settled). Two queries."""
    from screening import visibility
    from screening.models import Mention
    from screening.selectors.tags import record_statuses
    from screening.services.settings import screening_settings_for

    mentions = list(
        Mention.objects.filter(user=user, comment__review=review, comment__deleted_at__isnull=True)
        .select_related("comment__author", "comment__record")
        .order_by("-comment__created_at", "-pk")[: limit * 2]
    )
    if not mentions:
        return []
    audience = visibility.audience(
        role_rank=membership.role_enum.rank, blind=screening_settings_for(review).blind
    )
    statuses = record_statuses([m.comment.record_id for m in mentions])
    return [
        m
        for m in mentions
        if visibility.comment_visible(
            audience=audience,
            mine=False,
            status=statuses.get(m.comment.record_id, visibility.Status.SETTLED),
        )
    ][:limit]


def _imports(review: Review) -> dict:
    """Counts for the records card, in four queries whatever the size."""
    return {
        **import_counts(review=review),
        "sources": records_per_source(review=review),
        "pending_pairs": CandidatePair.objects.filter(
            review=review, status=PairStatus.PENDING
        ).count(),
    }


def _overview(review: Review, membership: Membership, user) -> dict:
    """Progress per stage, blinded as on the screening page (screening.visibility)."""
    from screening.services.settings import screening_settings_for

    settings = screening_settings_for(review)
    see = screening_selectors.sees_outcome_counts(
        membership=membership, screening_settings=settings
    )
    return {
        "stages": [
            {
                "label": stage.label,
                "code": stage.value,
                "progress": screening_selectors.progress(
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


def _ranking(review: Review, membership: Membership) -> dict | None:
    """The lead's card: models trained and the stopping estimate (None for others)."""
    if not membership.can(Role.LEAD):
        return None
    models = list(ranking_selectors.model_states(review=review))
    return {
        "trained": sum(1 for m in models if m.status == ModelStatus.READY),
        "models": len(models),
        "last_trained": max((m.trained_at for m in models if m.trained_at), default=None),
        "evidence": ranking_selectors.stopping_evidence(review=review),
    }
