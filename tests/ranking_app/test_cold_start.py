"""Before a screener's first include: the queue follows the review's question and terms."""

from screening.models import ModelStatus, RankedOrder, RankingModelState, Stage
from screening.selectors.ranking import ranked_order
from screening.services import ranking as services
from screening.services.queue import next_record
from screening.services.settings import screening_settings_for
from tests.ranking_app.builders import make_corpus, settle_as

TA = Stage.TITLE_ABSTRACT


def test_the_question_orders_the_queue_before_any_include(world):
    relevant, irrelevant = make_corpus(world.review)
    world.review.question = "Does low-dose naltrexone relieve chronic pain?"
    world.review.save()

    services.retrain_review(review=world.review)

    state = RankingModelState.objects.get(review=world.review, reviewer=world.reviewer)
    assert state.status == ModelStatus.WAITING
    assert state.n_scored == len(relevant) + len(irrelevant)
    offered = next_record(review=world.review, stage=TA, reviewer=world.reviewer)
    assert offered in relevant


def test_highlight_terms_count_and_an_exclude_alone_keeps_the_query_order(world):
    relevant, irrelevant = make_corpus(world.review)
    settings = screening_settings_for(world.review)
    settings.highlight_include = ["naltrexone"]
    settings.save()
    settle_as(irrelevant[0], "exclude")

    services.retrain_review(review=world.review)

    assert len(ranked_order(review=world.review, reviewer=world.reviewer)) == (
        len(relevant) + len(irrelevant) - 1
    )
    assert next_record(review=world.review, stage=TA, reviewer=world.reviewer) in relevant


def test_once_the_model_exists_it_takes_over(world):
    relevant, irrelevant = make_corpus(world.review)
    world.review.question = "Coral reef bleaching"  # points at an irrelevant record
    world.review.save()
    for record in relevant[:4]:
        settle_as(record, "include")
    settle_as(irrelevant[0], "exclude")

    services.retrain_review(review=world.review)

    state = RankingModelState.objects.get(review=world.review, reviewer=world.reviewer)
    assert state.status == ModelStatus.READY
    # Four includes: the query weighs a fifth, the model's naltrexone order wins.
    assert next_record(review=world.review, stage=TA, reviewer=world.reviewer) in relevant


def test_editing_the_question_reorders_without_new_votes(world):
    relevant, irrelevant = make_corpus(world.review)
    services.retrain_review(review=world.review)
    assert not RankedOrder.objects.exists()  # no question, no terms: stable random order

    world.review.question = "naltrexone"
    world.review.save()
    services.retrain_review(review=world.review)

    assert ranked_order(review=world.review, reviewer=world.reviewer)
