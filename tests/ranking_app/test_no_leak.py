"""A reviewer's ranking never reveals another reviewer's vote on an unsettled record:
their scores, queue order, relevance badge and API answer are the same with and
without that vote."""

import re

import pytest
from django.urls import reverse

from screening.models import RankingModelState, Record, Stage
from screening.selectors.ranking import ranked_order, ranked_scores
from screening.services.ranking import retrain_review
from screening.services.settings import screening_settings_for
from screening.services.votes import cast_vote
from tests.ranking_app.builders import make_corpus, settle_as

TA = Stage.TITLE_ABSTRACT


def _what_a_sees(client_for, world, records, reviewer=None) -> dict:
    reviewer = reviewer or world.reviewer
    awaiting = Record.objects.filter(review=world.review, state="ta").exclude(
        votes__reviewer=reviewer
    )
    waiting = set(awaiting.values_list("pk", flat=True))
    client = client_for(reviewer)
    api = client.get(reverse("api:ranking_models", args=[world.review.pk])).json()
    for model in api:
        for moving in ("trained_at", "version", "seconds"):
            model.pop(moving)
    badges = [
        re.search(
            r'data-testid="relevance">(.*?)</p>',
            client.get(
                reverse("screen_record", args=[world.review.pk, "ta", r.pk])
            ).content.decode(),
            re.S,
        ).group(1)
        for r in records
    ]
    return {
        "scores": ranked_scores(review=world.review, reviewer=reviewer),
        "order": [
            pk for pk in ranked_order(review=world.review, reviewer=reviewer) if pk in waiting
        ],
        "api": api,
        "badges": badges,
    }


@pytest.mark.parametrize("screener", ["reviewer", "lead", "owner"])
def test_it_never_leaks_an_unsettled_vote_of_another_reviewer(client_for, world, screener):
    # Issue 11: leads and owners who screen are blind too (their Ranking page included).
    a = world.user(screener)
    settings = screening_settings_for(world.review)
    settings.show_relevance = True
    settings.save()
    relevant, irrelevant = make_corpus(world.review)
    settle_as(relevant[0], "include", minutes_ago=5)
    settle_as(irrelevant[0], "exclude", minutes_ago=4)
    cast_vote(record=relevant[1], stage=TA, reviewer=a, verdict="include")
    cast_vote(record=irrelevant[1], stage=TA, reviewer=a, verdict="exclude")
    retrain_review(review=world.review)
    shown = relevant[2:5] + irrelevant[2:5]
    before = _what_a_sees(client_for, world, shown, a)
    assert before["scores"] and before["order"][0] in {r.pk for r in relevant}

    # Reviewer B votes against the topic on records A has not seen, and against A's
    # votes (a conflict): nothing B did is settled.
    for record in relevant[2:6]:
        cast_vote(record=record, stage=TA, reviewer=world.reviewer2, verdict="exclude")
    for record in irrelevant[2:6]:
        cast_vote(record=record, stage=TA, reviewer=world.reviewer2, verdict="include")
    cast_vote(record=relevant[1], stage=TA, reviewer=world.reviewer2, verdict="exclude")
    assert not Record.objects.filter(pk__in=[r.pk for r in relevant[1:6]]).exclude(state="ta")
    RankingModelState.objects.update(fingerprint="")  # force a real refit of every model
    retrain_review(review=world.review)
    after = _what_a_sees(client_for, world, shown, a)
    if screener != "reviewer":
        ranking_page = client_for(a).get(reverse("ranking", args=[world.review.pk]))
        assert ranking_page.status_code == 200
        assert world.reviewer2.username not in ranking_page.content.decode()

    assert after == before
    b_model = RankingModelState.objects.get(reviewer=world.reviewer2)
    assert (b_model.n_include, b_model.n_exclude) == (1 + 4, 1 + 5)  # B's own model did learn


def test_it_shows_no_score_unless_the_lead_allows_it(client_for, world):
    relevant, irrelevant = make_corpus(world.review)
    settle_as(relevant[0], "include")
    settle_as(irrelevant[0], "exclude")
    retrain_review(review=world.review)

    page = client_for(world.reviewer).get(
        reverse("screen_record", args=[world.review.pk, "ta", relevant[1].pk])
    )

    assert page.status_code == 200
    assert b'data-testid="relevance"' not in page.content
