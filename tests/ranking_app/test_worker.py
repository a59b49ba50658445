"""Against the real stack: a Celery worker retrains after votes and the queue order changes."""

import pytest

from screening.models import ModelStatus, RankingModelState, Record, Stage
from screening.selectors.ranking import ranked_order
from screening.services.queue import next_record
from screening.services.votes import cast_vote
from tests.ranking_app.builders import make_corpus
from tests.services_fixtures import wait_for

pytestmark = pytest.mark.services
TA = Stage.TITLE_ABSTRACT


def _queue(world) -> list[int]:
    awaiting = Record.objects.filter(review=world.review, state="ta").exclude(
        votes__reviewer=world.reviewer
    )
    waiting = set(awaiting.values_list("pk", flat=True))
    ranked = ranked_order(review=world.review, reviewer=world.reviewer)
    # The queue's order: the ranked records, then the rest in the stable random order.
    rest = awaiting.exclude(pk__in=ranked).order_by("shuffle_key", "pk")
    return [pk for pk in ranked if pk in waiting] + list(rest.values_list("pk", flat=True))


def test_the_worker_retrains_after_votes_and_reorders_the_queue(worker, world):
    relevant, irrelevant = make_corpus(world.review)
    cast_vote(record=relevant[0], stage=TA, reviewer=world.reviewer, verdict="include")
    random_order = _queue(world)  # one class only: no model yet, the stable random order

    cast_vote(record=irrelevant[0], stage=TA, reviewer=world.reviewer, verdict="exclude")

    model = wait_for(
        lambda: RankingModelState.objects.filter(
            reviewer=world.reviewer, status=ModelStatus.READY, n_include=1, n_exclude=1
        ).first(),
        what="the worker to train rita's model",
    )
    assert model.n_scored == len(relevant) + len(irrelevant) - 2
    ranked = _queue(world)
    assert ranked != [pk for pk in random_order if pk != irrelevant[0].pk]
    assert set(ranked[: len(relevant) - 1]) == {r.pk for r in relevant[1:]}
    assert next_record(review=world.review, stage=TA, reviewer=world.reviewer) in relevant
