"""Which labels a reviewer's model may learn from: settled decisions and their own votes."""

from screening.models import Stage
from screening.selectors import ranking as selectors
from screening.services.votes import cast_vote
from tests.ranking_app.builders import make_corpus, settle_as


def test_it_learns_settled_decisions_and_own_votes_only(world):
    relevant, irrelevant = make_corpus(world.review)
    settle_as(relevant[0], "include")
    settle_as(irrelevant[0], "exclude")
    cast_vote(
        record=relevant[1], stage=Stage.TITLE_ABSTRACT, reviewer=world.reviewer, verdict="include"
    )
    cast_vote(
        record=irrelevant[1], stage=Stage.TITLE_ABSTRACT, reviewer=world.reviewer, verdict="maybe"
    )
    # The other reviewer's votes on unsettled records: one alone, one in conflict.
    cast_vote(
        record=relevant[2], stage=Stage.TITLE_ABSTRACT, reviewer=world.reviewer2, verdict="exclude"
    )
    cast_vote(
        record=relevant[1], stage=Stage.TITLE_ABSTRACT, reviewer=world.reviewer2, verdict="exclude"
    )

    mine = selectors.training_labels(review=world.review, reviewer=world.reviewer)
    theirs = selectors.training_labels(review=world.review, reviewer=world.reviewer2)

    assert mine == {relevant[0].pk: 1, irrelevant[0].pk: 0, relevant[1].pk: 1}
    assert theirs == {relevant[0].pk: 1, irrelevant[0].pk: 0, relevant[1].pk: 0, relevant[2].pk: 0}


def test_it_takes_the_settled_decision_over_an_own_vote(world):
    relevant, _ = make_corpus(world.review)
    for reviewer in (world.reviewer, world.reviewer2):
        cast_vote(
            record=relevant[0], stage=Stage.TITLE_ABSTRACT, reviewer=reviewer, verdict="include"
        )
    settle_as(relevant[1], "exclude")  # overruled by the lead to exclude

    labels = selectors.training_labels(review=world.review, reviewer=world.reviewer)

    assert labels == {relevant[0].pk: 1, relevant[1].pk: 0}


def test_it_reads_past_title_abstract_states_as_decisions(world):
    relevant, irrelevant = make_corpus(world.review)
    relevant[0].state, irrelevant[0].state = "ft_excluded", "ta_excluded"
    relevant[0].save()
    irrelevant[0].save()
    irrelevant[1].state = "automation"  # the tool's own exclusions are not evidence
    irrelevant[1].save()

    assert selectors.settled_labels(review=world.review) == {relevant[0].pk: 1, irrelevant[0].pk: 0}
