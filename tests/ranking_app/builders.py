"""A small corpus with an obvious topic, so a model trained on a handful of labels ranks
the relevant records first."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from screening.models import OutcomeStatus, Record, SettledBy, Stage, StageOutcome
from screening.services.votes import settle
from tests.factories import make_batch, make_record

RELEVANT = [
    "Low-dose naltrexone for chronic pain: a randomised trial",
    "Naltrexone in fibromyalgia pain, a placebo controlled trial",
    "Low dose naltrexone and chronic pain in adults",
    "Randomised trial of naltrexone for neuropathic pain",
    "Chronic pain outcomes with low-dose naltrexone",
    "Naltrexone for pain in multiple sclerosis: randomised crossover trial",
    "Low-dose naltrexone reduces pain scores",
    "Pain relief with naltrexone: a controlled trial",
]
IRRELEVANT = [
    "Soil bacteria in alpine meadows",
    "Machine learning for traffic prediction",
    "Coral reef bleaching and ocean temperature",
    "Medieval trade routes of the Baltic",
    "Battery chemistry for electric vehicles",
    "Bird migration timing and climate",
    "Urban heat islands in European cities",
    "Volcanic ash and aviation safety",
    "Dairy cattle feed efficiency",
    "Groundwater nitrate in farmland",
    "Sea ice thickness from satellites",
    "Wheat rust resistance genes",
]


def make_corpus(review) -> tuple[list[Record], list[Record]]:
    batch = make_batch(review)
    relevant = [make_record(batch, title=t, abstract=t.lower()) for t in RELEVANT]
    irrelevant = [make_record(batch, title=t, abstract=t.lower()) for t in IRRELEVANT]
    return relevant, irrelevant


def settle_as(record: Record, decision: str, *, minutes_ago: int = 0) -> StageOutcome:
    """Settle a record at title/abstract as the lead would, at a given time."""
    outcome, _ = StageOutcome.objects.get_or_create(
        record=record, stage=Stage.TITLE_ABSTRACT, defaults={"review_id": record.review_id}
    )
    settle(
        record=record,
        stage=Stage.TITLE_ABSTRACT,
        outcome=outcome,
        decision=decision,
        reason=None,
        by=SettledBy.RESOLUTION,
    )
    StageOutcome.objects.filter(pk=outcome.pk).update(
        settled_at=timezone.now() - timedelta(minutes=minutes_ago), status=OutcomeStatus.SETTLED
    )
    record.refresh_from_db()
    return outcome
