"""Retraining: models per reviewer, the queue order, debouncing and idempotence."""

from datetime import timedelta

from screening.models import (
    ModelStatus,
    RankedOrder,
    RankingModelState,
    RankingSchedule,
    RecordScore,
    RecordState,
    Stage,
)
from screening.selectors.ranking import ranked_order, ranked_scores
from screening.services import ranking as services
from screening.services.queue import next_record
from screening.services.settings import screening_settings_for
from screening.services.votes import cast_vote
from tests.ranking_app.builders import make_corpus, settle_as

TA = Stage.TITLE_ABSTRACT


def _shuffle_first(records):
    return min(records, key=lambda r: (r.shuffle_key, r.pk))


def test_it_keeps_the_random_order_until_both_classes_exist(world):
    relevant, irrelevant = make_corpus(world.review)
    settle_as(irrelevant[0], "exclude")

    services.retrain_review(review=world.review)

    state = RankingModelState.objects.get(review=world.review, reviewer=world.reviewer)
    assert state.status == ModelStatus.WAITING and state.n_exclude == 1
    assert not RankedOrder.objects.exists() and not RecordScore.objects.exists()
    remaining = [r for r in relevant + irrelevant if r.pk != irrelevant[0].pk]
    assert next_record(review=world.review, stage=TA, reviewer=world.reviewer) == _shuffle_first(
        remaining
    )


def test_it_ranks_each_reviewers_queue_by_their_model(world):
    relevant, irrelevant = make_corpus(world.review)
    settle_as(relevant[0], "include")
    settle_as(irrelevant[0], "exclude")

    states = services.retrain_review(review=world.review)

    assert {s.reviewer for s in states} == {
        world.owner,
        world.lead,
        world.reviewer,
        world.reviewer2,
    }
    mine = RankingModelState.objects.get(reviewer=world.reviewer)
    assert mine.status == ModelStatus.READY and (mine.n_include, mine.n_exclude) == (1, 1)
    assert mine.n_scored == len(relevant) + len(irrelevant) - 2
    assert any("naltrexone" in term for term, _ in mine.top_include)
    offered = next_record(review=world.review, stage=TA, reviewer=world.reviewer)
    assert offered in relevant


def test_it_uses_the_random_order_when_ranking_is_off(world):
    relevant, irrelevant = make_corpus(world.review)
    settle_as(relevant[0], "include")
    settle_as(irrelevant[0], "exclude")
    services.retrain_review(review=world.review)
    settings = screening_settings_for(world.review)
    settings.ranking_enabled = False
    settings.save()
    world.review.refresh_from_db()

    offered = next_record(review=world.review, stage=TA, reviewer=world.reviewer)

    assert offered == _shuffle_first(relevant[1:] + irrelevant[1:])


def test_it_does_not_refit_when_nothing_it_learns_from_changed(world):
    relevant, irrelevant = make_corpus(world.review)
    settle_as(relevant[0], "include")
    settle_as(irrelevant[0], "exclude")
    services.retrain_review(review=world.review)
    version = RankingModelState.objects.get(reviewer=world.reviewer).version

    cast_vote(record=relevant[3], stage=TA, reviewer=world.reviewer2, verdict="include")
    services.retrain_review(review=world.review)

    assert RankingModelState.objects.get(reviewer=world.reviewer).version == version
    assert RankingModelState.objects.get(reviewer=world.reviewer2).version == version + 1


def test_a_vote_retrains_after_commit_through_the_task(world, django_capture_on_commit_callbacks):
    relevant, irrelevant = make_corpus(world.review)
    settle_as(irrelevant[0], "exclude")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        cast_vote(record=relevant[0], stage=TA, reviewer=world.reviewer, verdict="include")

    assert callbacks  # enqueued on commit, run eagerly here
    mine = RankingModelState.objects.get(reviewer=world.reviewer)
    assert mine.status == ModelStatus.READY and (mine.n_include, mine.n_exclude) == (1, 1)
    schedule = RankingSchedule.objects.get(review=world.review)
    assert not schedule.pending and schedule.running_since is None and schedule.finished_at


def test_it_queues_one_job_per_review_and_one_more_after_a_run(world, monkeypatch):
    from screening.tasks import ranking as tasks

    sent = []
    monkeypatch.setattr(tasks.retrain_ranking, "delay", lambda review_id: sent.append(review_id))
    review_id = world.review.pk

    assert services.request_retrain(review_id) is True
    assert services.request_retrain(review_id) is False  # one already queued
    assert sent == [review_id]

    # The job runs; a vote arriving meanwhile queues nothing now, one job after the run.
    real_retrain = services.retrain_review

    def vote_during_run(*, review):
        assert services.request_retrain(review.pk) is False
        return real_retrain(review=review)

    monkeypatch.setattr(services, "retrain_review", vote_during_run)
    assert services.run_scheduled_retrain(review_id) is True
    assert sent == [review_id, review_id]
    monkeypatch.setattr(services, "retrain_review", real_retrain)
    assert services.run_scheduled_retrain(review_id) is True  # the queued one
    assert services.run_scheduled_retrain(review_id) is False  # a duplicate delivery: no-op
    assert sent == [review_id, review_id]


def test_a_retrain_stores_one_compact_order_per_model_and_scores_only_for_leads(world):
    relevant, irrelevant = make_corpus(world.review)
    settle_as(relevant[0], "include")
    settle_as(irrelevant[0], "exclude")

    services.retrain_review(review=world.review)

    state = RankingModelState.objects.get(review=world.review, reviewer=world.reviewer)
    stored = RankedOrder.objects.get(state=state)
    scores = ranked_scores(review=world.review, reviewer=world.reviewer)
    ids = ranked_order(review=world.review, reviewer=world.reviewer)
    assert stored.version == state.version and len(ids) == state.n_scored == len(scores)
    shuffle = {r.pk: r.shuffle_key for r in relevant + irrelevant}
    assert ids == sorted(scores, key=lambda r: (-scores[r], shuffle[r], r))
    assert len(bytes(stored.ids)) == 8 * len(ids)  # int64 ids, nothing else
    # Rows per record only for those who may sort the records list by score.
    assert set(RecordScore.objects.values_list("reviewer_id", flat=True)) == {
        world.lead.pk,
        world.owner.pk,
    }
    assert RecordScore.objects.filter(reviewer=world.lead).count() == len(
        ranked_order(review=world.review, reviewer=world.lead)
    )


def _large_review_fitted(world, settings, monkeypatch, *, refit_votes: int):
    """A corpus with one settled include and one exclude, every model fitted once, then
    the review treated as large (refits when due: `refit_votes` own votes or 300 s)."""
    relevant, irrelevant = make_corpus(world.review)
    settle_as(relevant[0], "include")
    settle_as(irrelevant[0], "exclude")
    services.retrain_review(review=world.review)
    monkeypatch.setattr(services, "EAGER_LARGE_REVIEW", 0)  # every review is "large"
    settings.RANKING_REFIT_VOTES, settings.RANKING_REFIT_SECONDS = refit_votes, 300
    return relevant, irrelevant


def test_a_large_review_refits_a_model_after_its_screeners_votes_or_after_a_while(
    world, settings, monkeypatch
):
    relevant, irrelevant = _large_review_fitted(world, settings, monkeypatch, refit_votes=2)
    version = RankingModelState.objects.get(reviewer=world.reviewer).version

    cast_vote(record=relevant[1], stage=TA, reviewer=world.reviewer, verdict="include")
    states = {s.reviewer: s for s in services.retrain_review(review=world.review)}
    assert states[world.reviewer].version == version  # one vote of two: not yet
    assert 290 < states[world.reviewer].due_in <= 300

    cast_vote(record=irrelevant[1], stage=TA, reviewer=world.reviewer, verdict="exclude")
    services.retrain_review(review=world.review)
    mine = RankingModelState.objects.get(reviewer=world.reviewer)
    assert mine.version == version + 1 and mine.n_own == 2  # the second vote: refitted

    cast_vote(record=relevant[2], stage=TA, reviewer=world.reviewer, verdict="include")
    RankingModelState.objects.filter(pk=mine.pk).update(
        trained_at=mine.trained_at - timedelta(seconds=301)
    )
    services.retrain_review(review=world.review)
    assert RankingModelState.objects.get(pk=mine.pk).version == version + 2  # 5 minutes old


def test_votes_on_records_they_settled_count_towards_a_screeners_refit(
    world, settings, monkeypatch
):
    relevant, irrelevant = _large_review_fitted(world, settings, monkeypatch, refit_votes=2)
    version = RankingModelState.objects.get(reviewer=world.reviewer).version

    # The screener's two votes are the second on each record: both settle at once, so
    # neither is a vote on a record still waiting.
    for record, verdict in ((relevant[1], "include"), (irrelevant[1], "exclude")):
        cast_vote(record=record, stage=TA, reviewer=world.reviewer2, verdict=verdict)
        cast_vote(record=record, stage=TA, reviewer=world.reviewer, verdict=verdict)
        record.refresh_from_db()
        assert record.state != RecordState.TA
    services.retrain_review(review=world.review)

    mine = RankingModelState.objects.get(reviewer=world.reviewer)
    assert mine.version == version + 1 and mine.n_own == 2


def test_a_screener_who_is_not_voting_gets_no_timed_refit_until_their_next_vote(
    world, settings, monkeypatch
):
    relevant, irrelevant = _large_review_fitted(world, settings, monkeypatch, refit_votes=50)
    mine = RankingModelState.objects.get(reviewer=world.reviewer)
    an_hour_ago = mine.trained_at - timedelta(hours=1)
    RankingModelState.objects.filter(pk=mine.pk).update(trained_at=an_hour_ago)

    settle_as(relevant[1], "include")  # the team moves on; this screener does not vote
    states = {s.reviewer: s for s in services.retrain_review(review=world.review)}
    assert states[world.reviewer].version == mine.version  # not refitted, nothing to wake
    assert states[world.reviewer].due_in is None

    cast_vote(record=irrelevant[1], stage=TA, reviewer=world.reviewer, verdict="exclude")
    services.retrain_review(review=world.review)
    assert RankingModelState.objects.get(pk=mine.pk).version == mine.version + 1


def test_a_model_not_yet_due_wakes_the_review_later_and_votes_still_start_runs(
    world, settings, monkeypatch
):
    from django.core.cache import cache

    from reviewapp.celery import app
    from screening.tasks import ranking as tasks

    relevant, irrelevant = make_corpus(world.review)
    settle_as(relevant[0], "include")
    settle_as(irrelevant[0], "exclude")
    services.retrain_review(review=world.review)
    monkeypatch.setattr(services, "EAGER_LARGE_REVIEW", 0)
    monkeypatch.setitem(app.conf, "task_always_eager", False)  # as with a worker
    settings.RANKING_REFIT_VOTES, settings.RANKING_REFIT_SECONDS = 50, 300
    queued, woken = [], []
    monkeypatch.setattr(tasks.retrain_ranking, "delay", lambda review_id: queued.append(review_id))
    monkeypatch.setattr(
        tasks.wake_retrain, "apply_async", lambda args, countdown: woken.append(countdown)
    )
    cache.delete(f"ranking-wake:{world.review.pk}")
    cast_vote(record=relevant[1], stage=TA, reviewer=world.reviewer, verdict="include")
    assert services.request_retrain(world.review.pk) is True

    assert services.run_scheduled_retrain(world.review.pk) is True

    assert len(woken) == 1 and 290 < woken[0] <= 300  # rita's model: due in 5 minutes
    # The wake-up is no queued run: the next vote starts one at once, as before.
    assert services.request_retrain(world.review.pk) is True and len(queued) == 2
