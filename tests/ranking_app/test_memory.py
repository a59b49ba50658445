"""Issue 14: retraining keeps nothing per screener in Redis (each screener's order was a
0.79 MB key per retrain, kept 24 h: 330 MB for one review of 202 members)."""

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

from screening.models import RankedOrder
from screening.services import ranking as services
from tests.ranking_app.builders import make_corpus, settle_as

pytestmark = pytest.mark.services


@pytest.fixture
def redis_cache():
    cache = caches["default"]
    if not isinstance(cache, RedisCache):
        pytest.skip("needs the Redis cache (CELERY_BROKER_URL=redis://...)")
    return cache._cache.get_client(write=True)


def _sizes(client) -> dict[bytes, int]:
    return {key: client.memory_usage(key) or 0 for key in client.scan_iter(count=1000)}


def test_a_retrain_of_every_member_adds_at_most_a_few_bytes_to_redis(
    redis_cache, world, django_capture_on_commit_callbacks
):
    relevant, irrelevant = make_corpus(world.review)
    settle_as(relevant[0], "include")
    settle_as(irrelevant[0], "exclude")
    before = _sizes(redis_cache)

    with django_capture_on_commit_callbacks(execute=True):
        states = services.retrain_review(review=world.review)

    assert len(states) == 4 and RankedOrder.objects.count() == 4  # every member's order...
    added = {k: v for k, v in _sizes(redis_cache).items() if before.get(k) != v}
    # ...is in the database: Redis holds at most the review's small counters.
    assert sum(added.values()) <= 1024, added
    assert not [k for k in added if b"order" in k or b"rank" in k], added
